// Benchmark: @langswarm/session-sqlite against raw better-sqlite3 running the same statements, in one
// run on one machine. Not a test. Build first: `pnpm --filter @langswarm/session-sqlite build`.
//   node bench/session-bench.mjs [--quick]
// Writes bench/results/session-bench.json and prints a table.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { SqliteSessionStore } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "session-sqlite-bench-"));
const results = [];

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The statements the adapter runs for one append, issued directly on a raw connection. */
function rawAppender(db) {
  const sessionById = db.prepare(
    "SELECT session_id, user_id, agent_id, status, metadata, created_at, updated_at, expires_at, last_seq FROM ls_sessions WHERE session_id = ?",
  );
  const messageById = db.prepare(
    "SELECT session_id, seq, message_id, role, content, metadata, created_at FROM ls_messages WHERE session_id = ? AND message_id = ?",
  );
  const insert = db.prepare(
    "INSERT INTO ls_messages (session_id, seq, message_id, role, content, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const advance = db.prepare("UPDATE ls_sessions SET last_seq = ?, updated_at = ? WHERE session_id = ?");
  const tx = db.transaction((sessionId, batch) => {
    const row = sessionById.get(sessionId);
    let seq = row.last_seq;
    const now = Date.now();
    for (const m of batch) {
      if (messageById.get(sessionId, m.id)) continue;
      seq += 1;
      insert.run(sessionId, seq, m.id, m.role, m.content, "{}", now);
    }
    advance.run(seq, now, sessionId);
  });
  return (sessionId, batch) => tx.immediate(sessionId, batch);
}

function rawLastN(db) {
  const session = db.prepare("SELECT expires_at FROM ls_sessions WHERE session_id = ?");
  const last = db.prepare(
    "SELECT session_id, seq, message_id, role, content, metadata, created_at FROM ls_messages WHERE session_id = ? AND seq > 0 AND seq < 9007199254740991 ORDER BY seq DESC LIMIT ?",
  );
  const tx = db.transaction((sessionId, n) => {
    session.get(sessionId);
    return last.all(sessionId, n).reverse();
  });
  return (sessionId, n) => tx.deferred(sessionId, n);
}

async function freshPair(label) {
  const path = join(dir, `${label}.db`);
  const store = new SqliteSessionStore({ path });
  await store.setup();
  // The raw side uses its own connection with the same pragmas, on a copy of the schema in its own file.
  const rawPath = join(dir, `${label}-raw.db`);
  const rawStore = new SqliteSessionStore({ path: rawPath });
  await rawStore.setup();
  await rawStore.close();
  const raw = new Database(rawPath, { timeout: 5000 });
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = NORMAL");
  return { store, raw };
}

const messages = (prefix, n) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    role: i % 2 ? "assistant" : "user",
    content: `message ${prefix} ${i} `.repeat(8),
  }));

async function appendThroughput(batchSize, total) {
  const { store, raw } = await freshPair(`append-${batchSize}`);
  await store.createSession({ sessionId: "s" });
  raw
    .prepare(
      "INSERT INTO ls_sessions (session_id, id_key, status, metadata, created_at, updated_at, last_seq) VALUES ('s', x'0073', 'active', '{}', 0, 0, 0)",
    )
    .run();
  const append = rawAppender(raw);
  const batches = total / batchSize;
  const run = async (fn) => {
    const start = performance.now();
    for (let b = 0; b < batches; b++) await fn(messages(`b${b}`, batchSize));
    return total / ((performance.now() - start) / 1000);
  };
  // Alternate which side goes first each round so drift and noise from other jobs hit both alike;
  // report each side's median round and the median of the per-round ratios.
  const rounds = quick ? 3 : 7;
  const adapterRates = [];
  const rawRates = [];
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const viaAdapter = () =>
      run((batch) =>
        store.appendMessages(
          "s",
          batch.map((m) => ({ ...m, id: `a${round}-${m.id}` })),
        ),
      );
    const viaRaw = () =>
      run((batch) =>
        append(
          "s",
          batch.map((m) => ({ ...m, id: `r${round}-${m.id}` })),
        ),
      );
    const first = round % 2 === 0 ? await viaAdapter() : await viaRaw();
    const second = round % 2 === 0 ? await viaRaw() : await viaAdapter();
    const [a, r] = round % 2 === 0 ? [first, second] : [second, first];
    adapterRates.push(a);
    rawRates.push(r);
    ratios.push(a / r);
  }
  await store.close();
  raw.close();
  results.push({
    case: `append, batch of ${batchSize}`,
    unit: "messages/s",
    adapter: Math.round(median(adapterRates)),
    raw: Math.round(median(rawRates)),
    ratio: median(ratios),
  });
}

function median(xs) {
  return [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
}

async function lastN(historySize, reads) {
  const { store, raw } = await freshPair(`last-${historySize}`);
  await store.createSession({ sessionId: "s" });
  raw
    .prepare(
      "INSERT INTO ls_sessions (session_id, id_key, status, metadata, created_at, updated_at, last_seq) VALUES ('s', x'0073', 'active', '{}', 0, 0, 0)",
    )
    .run();
  const append = rawAppender(raw);
  for (let i = 0; i < historySize; i += 1000) {
    const batch = messages(`h${i}`, Math.min(1000, historySize - i));
    await store.appendMessages("s", batch);
    append("s", batch);
  }
  const read = rawLastN(raw);
  const timeIt = async (fn) => {
    const samples = [];
    for (let i = 0; i < reads; i++) {
      const start = performance.now();
      await fn();
      samples.push(performance.now() - start);
    }
    return samples.sort((a, b) => a - b);
  };
  await timeIt(() => store.getMessages("s", { last: 50 })); // warm-up
  const a = await timeIt(() => store.getMessages("s", { last: 50 }));
  const r = await timeIt(() => read("s", 50));
  await store.close();
  raw.close();
  results.push({
    case: `last 50 of ${historySize.toLocaleString("en")} messages`,
    unit: "ms p50 (p99)",
    adapter: `${quantile(a, 0.5).toFixed(3)} (${quantile(a, 0.99).toFixed(3)})`,
    raw: `${quantile(r, 0.5).toFixed(3)} (${quantile(r, 0.99).toFixed(3)})`,
    ratio: quantile(a, 0.5) / quantile(r, 0.5),
    adapterP50: quantile(a, 0.5),
    rawP50: quantile(r, 0.5),
  });
}

try {
  await appendThroughput(1, quick ? 2000 : 10_000);
  await appendThroughput(50, quick ? 10_000 : 50_000);
  await lastN(1000, quick ? 500 : 2000);
  await lastN(quick ? 20_000 : 100_000, quick ? 500 : 2000);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const machine = {
  node: process.version,
  cpus: (await import("node:os")).cpus().length,
  loadavg: (await import("node:os")).loadavg().map((l) => +l.toFixed(2)),
};
const out = join(here, "results", "session-bench.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), machine, quick, results }, null, 2)}\n`,
);
console.log(
  `session-sqlite vs raw better-sqlite3 (same statements, same run) — node ${machine.node}, ${machine.cpus} cpus, load ${machine.loadavg.join(" ")}`,
);
console.table(
  results.map(({ case: c, unit, adapter, raw, ratio }) => ({
    case: c,
    unit,
    adapter,
    raw,
    "adapter/raw": ratio.toFixed(2),
  })),
);
