// Benchmark: @langswarm/session-mongodb against the raw `mongodb` driver issuing the same commands,
// in the same run, on the same server. Not a test. Writes bench/results/<server>-<date>.json and
// prints a table.
//
//   pnpm --filter @langswarm/session-mongodb build
//   LANGSWARM_TEST_MONGODB_URL=mongodb://127.0.0.1:27017/ node bench/bench.mjs
//   (without the variable it starts a private FerretDB when LANGSWARM_FERRETDB_BIN / PATH / the
//    services cache has one)
//   BENCH_BIG=100000 BENCH_SINGLE=300 node bench/bench.mjs   # sizes
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MongoClient } from "mongodb";
import { MongoSessionStore } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const SMALL = 1_000;
const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 300);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);
const READS = Number(process.env.BENCH_READS ?? 30);
const LISTS = Number(process.env.BENCH_LISTS ?? 40);
/** Reads per round once the collection holds BIG rows (FerretDB scans it whole on every query). */
const BIG_READS = Number(process.env.BENCH_BIG_READS ?? 2);
const WINDOW = 32; // batches.ts WINDOW

// ------------------------------------------------------------------ server

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function ferretdbBinary() {
  const candidates = [
    process.env.LANGSWARM_FERRETDB_BIN,
    ...(process.env.PATH ?? "").split(delimiter).map((d) => join(d, "ferretdb")),
  ];
  candidates.push(
    join(
      process.env.LANGSWARM_CACHE ?? join(homedir(), ".cache", "langswarm"),
      "ferretdb-v1.24.2",
      "bin",
      "ferretdb",
    ),
  );
  for (const c of candidates.filter(Boolean)) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  return undefined;
}

async function startServer() {
  if (process.env.LANGSWARM_TEST_MONGODB_URL)
    return { url: process.env.LANGSWARM_TEST_MONGODB_URL, stop: async () => {} };
  const bin = ferretdbBinary();
  if (!bin) throw new Error("set LANGSWARM_TEST_MONGODB_URL or make a ferretdb binary available");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ls-bench-ferretdb-"));
  const child = spawn(
    bin,
    [
      "--handler=sqlite",
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      "--telemetry=disable",
      "--debug-addr=-",
      "--log-level=error",
    ],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 300; i++) {
    const open = await new Promise((r) => {
      const s = connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        r(true);
      });
      s.once("error", () => r(false));
    });
    if (open) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------ the raw driver, same commands

/** The commands the adapter sends, written directly against the driver (no validation, no mapping). */
function rawStore(db, prefix) {
  const c = (n) => db.collection(`${prefix}${n}`);
  const sessions = c("sessions"),
    batches = c("batches"),
    claims = c("claims"),
    messages = c("messages");
  const current = (sessionId) => sessions.findOne({ sessionId }, { sort: { inc: -1 } });
  const window = (gen) =>
    batches.find({ gen, k: { $gt: 0 } }, { sort: { k: -1 }, limit: WINDOW, projection: {} }).toArray();
  const tails = new Map();
  const written = new Map();
  return {
    async append(sessionId, msgs) {
      const s = await current(sessionId);
      const token = randomUUID().replaceAll("-", "");
      const now = new Date();
      const docs = msgs.map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        metadata: "{}",
        createdAt: now,
      }));
      await claims.insertMany(
        docs.map((m) => ({ sessionId, gen: s.gen, messageId: m.id, token, at: now })),
        { ordered: false },
      );
      let tail = tails.get(s.gen);
      if (!tail) tail = (await window(s.gen))[0] ?? { k: 0, start: 1, n: 0 };
      for (;;) {
        const next = await batches.findOne(
          { _id: `${s.gen}:${tail.k + 1}` },
          { projection: { m: 0, ids: 0 } },
        );
        if (!next) break;
        tail = next;
      }
      const done = written.get(s.gen) ?? [];
      const k = tail.k + 1;
      const batch = {
        _id: `${s.gen}:${k}`,
        sessionId,
        gen: s.gen,
        token,
        k,
        start: tail.start + tail.n,
        n: docs.length,
        at: now,
        mat: false,
        ids: docs.map((m) => m.id),
        m: docs,
        ...(done.length ? { done } : {}),
      };
      await batches.insertOne(batch);
      tails.set(s.gen, { k, start: batch.start, n: batch.n });
      await messages.insertMany(
        docs.map((m, i) => ({
          sessionId,
          gen: s.gen,
          seq: batch.start + i,
          messageId: m.id,
          role: m.role,
          content: m.content,
          metadata: m.metadata,
          createdAt: m.createdAt,
        })),
        { ordered: false },
      );
      written.set(s.gen, [k]);
      if (k % 16 === 0 && k - WINDOW >= 1)
        await batches.updateMany(
          { gen: s.gen, k: { $gt: 0, $lte: k - WINDOW }, mat: false },
          { $set: { mat: true }, $unset: { m: "", ids: "" } },
        );
      return batch.start;
    },
    async last(sessionId, n) {
      const s = await current(sessionId);
      const w = await window(s.gen);
      const upper = w[0] ? w[0].start + w[0].n : 1;
      const rows = await messages
        .find(
          { sessionId, gen: s.gen, seq: { $gt: 0, $lt: upper } },
          { sort: { seq: -1 }, limit: n, projection: { _id: 0 } },
        )
        .toArray();
      return rows.reverse();
    },
    async list(userId, limit) {
      const now = new Date();
      const rows = await sessions
        .find(
          { $and: [{ $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] }, { userId }] },
          { sort: { createdAt: -1, sessionId: -1 }, limit: limit + 1 },
        )
        .toArray();
      const page = rows.slice(0, limit);
      await Promise.all(
        page.map((s) =>
          batches.findOne({ gen: s.gen, k: { $gt: 0 } }, { sort: { k: -1 }, projection: { m: 0, ids: 0 } }),
        ),
      );
      return page;
    },
  };
}

// ------------------------------------------------------------------ timing

async function measure(n, fn) {
  const times = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  return {
    n,
    opsPerSec: (n * 1000) / total,
    p50: times[Math.floor(n / 2)],
    p95: times[Math.floor(n * 0.95)],
  };
}

/** Alternate adapter and raw in rounds so drift in machine load hits both alike. */
async function compare(label, rounds, n, adapterFn, rawFn) {
  const a = [],
    r = [];
  for (let round = 0; round < rounds; round++) {
    a.push(await measure(n, (i) => adapterFn(round * n + i)));
    r.push(await measure(n, (i) => rawFn(round * n + i)));
  }
  const sum = (xs) => ({
    n: xs.reduce((s, x) => s + x.n, 0),
    opsPerSec: xs.reduce((s, x) => s + x.opsPerSec, 0) / xs.length,
    p50: median(xs.map((x) => x.p50)),
    p95: median(xs.map((x) => x.p95)),
  });
  const adapter = sum(a),
    raw = sum(r);
  const row = { label, adapter, raw, ratio: raw.opsPerSec / adapter.opsPerSec };
  console.log(
    `${label.padEnd(34)} adapter ${fmt(adapter)} | raw ${fmt(raw)} | adapter/raw time ${row.ratio.toFixed(2)}x`,
  );
  return row;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (m) => `${m.opsPerSec.toFixed(1).padStart(7)} op/s p50 ${m.p50.toFixed(2).padStart(7)} ms`;

// ------------------------------------------------------------------ main

const server = await startServer();
const database = `ls_bench_${Date.now()}`;
const store = new MongoSessionStore({ uri: server.url, database });
await store.setup();
const client = new MongoClient(server.url);
const raw = rawStore(client.db(database), "ls_");
const buildInfo = await client.db("admin").command({ buildInfo: 1 });
const serverName = buildInfo.ferretdbVersion
  ? `FerretDB ${buildInfo.ferretdbVersion} (SQLite handler)`
  : `MongoDB ${buildInfo.version}`;
console.log(`server: ${serverName}; node ${process.version}`);
const results = [];
const msg = (prefix, i) => ({
  id: `${prefix}-${i}`,
  role: i % 2 ? "assistant" : "user",
  content: `message ${i} `.repeat(8),
});

try {
  for (const id of ["single-a", "single-r", "batch-a", "batch-r"])
    await store.createSession({ sessionId: id, userId: "bench" });
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  results.push(
    await compare(
      "append 1 message",
      rounds,
      Math.ceil(SINGLE / rounds),
      (i) => store.appendMessages("single-a", [msg("a", i)]),
      (i) => raw.append("single-r", [msg("r", i)]),
    ),
  );
  results.push(
    await compare(
      "append batch of 50",
      rounds,
      Math.ceil(BATCHES / rounds),
      (i) =>
        store.appendMessages(
          "batch-a",
          Array.from({ length: 50 }, (_, j) => msg(`a${i}`, j)),
        ),
      (i) =>
        raw.append(
          "batch-r",
          Array.from({ length: 50 }, (_, j) => msg(`r${i}`, j)),
        ),
    ),
  );

  // History sizes for last-50.
  const fill = async (sessionId, count) => {
    await store.createSession({ sessionId, userId: "history" });
    const t = performance.now();
    for (let done = 0; done < count; done += 1000) {
      await store.appendMessages(
        sessionId,
        Array.from({ length: Math.min(1000, count - done) }, (_, j) => msg(`${sessionId}`, done + j)),
      );
    }
    console.log(
      `filled ${sessionId} with ${count} messages in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  };
  await fill("hist-small", SMALL);
  results.push(
    await compare(
      `last 50 of ${SMALL} (collection ${await store.db.collection("ls_messages").estimatedDocumentCount()} rows)`,
      rounds,
      Math.ceil(READS / rounds),
      () => store.getMessages("hist-small", { last: 50 }),
      () => raw.last("hist-small", 50),
    ),
  );
  if (BIG > 0) {
    await fill("hist-big", BIG);
    const rows = await store.db.collection("ls_messages").estimatedDocumentCount();
    results.push(
      await compare(
        `last 50 of ${BIG} (collection ${rows} rows)`,
        rounds,
        BIG_READS,
        () => store.getMessages("hist-big", { last: 50 }),
        () => raw.last("hist-big", 50),
      ),
    );
    results.push(
      await compare(
        `last 50 of ${SMALL} again (collection ${rows} rows)`,
        rounds,
        BIG_READS,
        () => store.getMessages("hist-small", { last: 50 }),
        () => raw.last("hist-small", 50),
      ),
    );
  }

  for (let i = 0; i < 200; i++)
    await store.createSession({
      sessionId: `list-${String(i).padStart(3, "0")}`,
      userId: i % 2 ? "lister" : "other",
    });
  results.push(
    await compare(
      "list 50 sessions by user",
      rounds,
      Math.ceil(LISTS / rounds),
      () => store.listSessions({ userId: "lister", limit: 50 }),
      () => raw.list("lister", 50),
    ),
  );
} finally {
  await store.db.dropDatabase().catch(() => {});
  await store.close();
  await client.close();
  await server.stop();
}

const out = {
  server: serverName,
  node: process.version,
  date: new Date().toISOString(),
  sizes: { SMALL, BIG, SINGLE, BATCHES, READS, BIG_READS, LISTS },
  results,
};
mkdirSync(join(here, "results"), { recursive: true });
const file = join(
  here,
  "results",
  `${buildInfo.ferretdbVersion ? "ferretdb" : "mongodb"}-${out.date.slice(0, 10)}${process.env.BENCH_TAG ? `-${process.env.BENCH_TAG}` : ""}.json`,
);
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwritten ${file}`);
console.log(
  "\n| operation | adapter op/s | raw op/s | adapter p50 ms | raw p50 ms | adapter/raw (time) |\n|---|---|---|---|---|---|",
);
for (const r of results) {
  console.log(
    `| ${r.label} | ${r.adapter.opsPerSec.toFixed(1)} | ${r.raw.opsPerSec.toFixed(1)} | ${r.adapter.p50.toFixed(2)} | ${r.raw.p50.toFixed(2)} | ${r.ratio.toFixed(2)}x |`,
  );
}
