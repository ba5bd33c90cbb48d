#!/usr/bin/env node
// Adapter vs raw `pg` on the same server, in the same run, doing the same statements.
//
//   LANGSWARM_TEST_POSTGRES_URL=postgres://... node bench/bench.mjs [--quick] [--big=1000000]
//
// The raw side runs the store's own SQL text (store.statements) as named prepared statements on a
// pool with the same settings, building the parameter arrays by hand: what is left is the adapter's
// own cost (validation, id generation, row mapping, retries/abort plumbing). Adapter and raw runs
// alternate in rounds so that drift on a shared machine hits both alike. Writes
// bench/results/latest.json and prints a table. Not a test: nothing here asserts.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PostgresSessionStore } from "../dist/index.js";

const url = process.env.LANGSWARM_BENCH_POSTGRES_URL ?? process.env.LANGSWARM_TEST_POSTGRES_URL;
if (!url) {
  console.error(
    "set LANGSWARM_TEST_POSTGRES_URL (or LANGSWARM_BENCH_POSTGRES_URL); scripts/services/start.sh postgres starts a server",
  );
  process.exit(2);
}
const quick = process.argv.includes("--quick");
const bigArg = process.argv.find((a) => a.startsWith("--big="));
const BIG = bigArg ? Number(bigArg.slice(6)) : quick ? 100_000 : 1_000_000;
const ROUNDS = quick ? 3 : 5; // rounds of the concurrent-writer throughput runs
const WARMUP = 10;
const schema = `lsm_bench_${randomBytes(4).toString("hex")}`;
const here = dirname(fileURLToPath(import.meta.url));

/** Median, mean and p95 of per-operation latencies (ms). */
function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), mean };
}

/**
 * Adapter and raw alternate operation by operation (A R R A A R ...), so that load from anything
 * else on the machine falls on both alike; compare medians and means of the per-operation latency.
 */
async function compare(name, ops, adapterFn, rawFn, unit = "op") {
  const a = [];
  const r = [];
  const outside = { a: 0, r: 0 };
  const once = async (fn, into, i) => {
    const q0 = inDriverQuery;
    const t = performance.now();
    await fn(i);
    const total = performance.now() - t;
    into.push(total);
    outside[into === a ? "a" : "r"] += total - (inDriverQuery - q0);
  };
  for (let i = 0; i < WARMUP; i++) {
    await adapterFn(-1 - i);
    await rawFn(-1 - i);
  }
  for (let i = 0; i < ops; i++) {
    if (i % 2 === 0) {
      await once(adapterFn, a, i);
      await once(rawFn, r, i);
    } else {
      await once(rawFn, r, i);
      await once(adapterFn, a, i);
    }
  }
  const adapter = stats(a);
  const raw = stats(r);
  // Time spent outside pg's Client#query (pool checkout + everything the caller's code does),
  // adapter minus raw: the adapter's own cost per operation, independent of server latency.
  const overhead = (outside.a - outside.r) / ops;
  const row = {
    name,
    unit,
    adapter_own_ms: overhead,
    adapter_own_share: overhead / raw.mean,
    adapter_p50_ms: adapter.p50,
    raw_p50_ms: raw.p50,
    ratio_p50: adapter.p50 / raw.p50,
    adapter_mean_ms: adapter.mean,
    raw_mean_ms: raw.mean,
    ratio_mean: adapter.mean / raw.mean,
    adapter_p95_ms: adapter.p95,
    raw_p95_ms: raw.p95,
    samples_each: adapter.n,
  };
  results.push(row);
  console.log(
    `${name.padEnd(40)} adapter p50 ${adapter.p50.toFixed(3).padStart(8)} ms  raw p50 ${raw.p50.toFixed(3).padStart(8)} ms  ratio ${row.ratio_p50.toFixed(3)} (mean ${row.ratio_mean.toFixed(3)})  own cost ${(overhead * 1000).toFixed(0).padStart(4)} µs = ${(100 * row.adapter_own_share).toFixed(1)}%`,
  );
  return row;
}

/**
 * Throughput with W concurrent writers per side, each writer on its own session. Both sides run at
 * the same time (W adapter writers and W raw writers), so they see the same machine and server
 * load; the ratio is the raw side's throughput over the adapter's (median of ROUNDS rounds).
 */
async function concurrent(name, writers, perWriter, adapterFn, rawFn) {
  const side = async (fn, tag) => {
    const t = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) await fn(w, `${tag}-${i}`);
      }),
    );
    return (writers * perWriter) / ((performance.now() - t) / 1000);
  };
  const a = [];
  const r = [];
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const [adapterRate, rawRate] = await Promise.all([
      side(adapterFn, `a${round}`),
      side(rawFn, `r${round}`),
    ]);
    a.push(adapterRate);
    r.push(rawRate);
    ratios.push(rawRate / adapterRate);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const row = {
    name,
    unit: "appends/s",
    adapter_ops_per_s: median(a),
    raw_ops_per_s: median(r),
    ratio_time: median(ratios),
  };
  results.push(row);
  console.log(
    `${name.padEnd(40)} adapter ${row.adapter_ops_per_s.toFixed(0).padStart(6)} /s      raw ${row.raw_ops_per_s.toFixed(0).padStart(6)} /s      ratio ${row.ratio_time.toFixed(3)} (raw rate / adapter rate, both sides at once)`,
  );
}

const results = [];

// Count the time spent inside the driver's Client#query (adapter and raw both end up there).
let inDriverQuery = 0;
const driverQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  const t = performance.now();
  const last = args.length - 1;
  if (typeof args[last] === "function") {
    // Callback style (pg-pool's pool.query uses it).
    const callback = args[last];
    args[last] = (...results) => {
      inDriverQuery += performance.now() - t;
      return callback(...results);
    };
    return driverQuery.apply(this, args);
  }
  const result = driverQuery.apply(this, args);
  if (result && typeof result.then === "function") {
    return result.finally(() => {
      inDriverQuery += performance.now() - t;
    });
  }
  return result;
};
const admin = new pg.Pool({ connectionString: url, max: 2 });
const serverVersion = (await admin.query("SHOW server_version")).rows[0].server_version;

async function runMode(mode) {
  // Both sides get a pool with identical settings; the adapter takes it as a caller-supplied pool.
  const options = mode === "durable" ? undefined : "-c synchronous_commit=off";
  const poolConfig = { connectionString: url, max: 32, ...(options ? { options } : {}) };
  const adapterPool = new pg.Pool(poolConfig);
  const rawPool = new pg.Pool(poolConfig);
  const prefix = mode === "durable" ? "d_" : "f_";
  const store = new PostgresSessionStore({ pool: adapterPool, schema, table_prefix: prefix });
  await store.setup();
  const sql = store.statements;
  const n = store.names;
  const raw = (text, values) => rawPool.query({ name: `raw_${prefix}${hash(text)}`, text, values });
  console.log(
    `\n== ${mode === "durable" ? "durable (synchronous_commit=on, the default)" : "synchronous_commit=off (isolates client-side cost from the WAL flush)"} ==`,
  );

  // 1. Single appends, one at a time, to one session.
  await store.createSession({ sessionId: "single-a" });
  await store.createSession({ sessionId: "single-r" });
  await compare(
    `${mode}: append 1 message`,
    quick ? 300 : 1000,
    (i) => store.appendMessages("single-a", [{ role: "user", content: `hello there, message number ${i}` }]),
    (i) => {
      const now = new Date();
      return raw(sql.append, [
        "single-r",
        [randomUUID()],
        ["user"],
        [`hello there, message number ${i}`],
        ["{}"],
        [now],
        now,
        false,
        null,
      ]);
    },
  );

  // 2. Batches of 50.
  await store.createSession({ sessionId: "batch-a" });
  await store.createSession({ sessionId: "batch-r" });
  const batch = (i) =>
    Array.from({ length: 50 }, (_, k) => ({
      role: k % 2 ? "assistant" : "user",
      content: `batch ${i} message ${k}: some ordinary chat text`,
      metadata: { k },
    }));
  await compare(
    `${mode}: append batch of 50`,
    quick ? 60 : 200,
    (i) => store.appendMessages("batch-a", batch(i)),
    (i) => {
      const now = new Date();
      const b = batch(i);
      return raw(sql.append, [
        "batch-r",
        b.map(() => randomUUID()),
        b.map((m) => m.role),
        b.map((m) => m.content),
        b.map((m) => JSON.stringify(m.metadata)),
        b.map(() => now),
        now,
        false,
        null,
      ]);
    },
    "batch",
  );

  // 3. Concurrency: 8 and 32 writers, each on its own session.
  for (const writers of [8, 32]) {
    for (let w = 0; w < writers; w++) {
      await store.createSession({ sessionId: `ca${writers}-${w}` });
      await store.createSession({ sessionId: `cr${writers}-${w}` });
    }
    const per = quick ? 10 : 25;
    await concurrent(
      `${mode}: ${writers}+${writers} concurrent writers`,
      writers,
      per,
      (w, i) =>
        store.appendMessages(`ca${writers}-${w}`, [
          { id: `a-${i}`, role: "user", content: `writer ${w} says ${i}` },
        ]),
      (w, i) => {
        const now = new Date();
        return raw(sql.append, [
          `cr${writers}-${w}`,
          [`r-${i}`],
          ["user"],
          [`writer ${w} says ${i}`],
          ["{}"],
          [now],
          now,
          false,
          null,
        ]);
      },
    );
  }

  if (mode !== "durable") {
    await Promise.all([store.close(), adapterPool.end(), rawPool.end()]);
    return;
  }

  // 4. last-50 at 1k and at BIG messages in one session (bulk-loaded server-side: it is only data).
  for (const size of [1_000, BIG]) {
    const id = `hist-${size}`;
    await store.createSession({ sessionId: id });
    const t = performance.now();
    for (let from = 1; from <= size; from += 100_000) {
      const to = Math.min(size, from + 99_999);
      await admin.query(
        `INSERT INTO ${n.messages} (session_id, seq, message_id, role, content, metadata, created_at)
         SELECT $1, i, 'm' || i, CASE WHEN i % 2 = 0 THEN 'assistant' ELSE 'user' END,
                'history message ' || i || ' about invoices, trains and the weather', '{}', now()
           FROM generate_series($2::bigint, $3::bigint) AS i`,
        [id, from, to],
      );
    }
    await admin.query(`UPDATE ${n.sessions} SET last_seq = $2 WHERE session_id = $1`, [id, size]);
    await admin.query(`VACUUM ANALYZE ${n.messages}`);
    console.log(
      `   (loaded ${size.toLocaleString("en")} messages in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );
  }
  for (const size of [1_000, BIG]) {
    const id = `hist-${size}`;
    await compare(
      `last 50 of ${size.toLocaleString("en")} messages`,
      quick ? 500 : 2000,
      () => store.getMessages(id, { last: 50 }),
      () => raw(sql.lastMessages, [id, new Date(), 0, Number.MAX_SAFE_INTEGER, null, 50]),
    );
  }

  // 5. Listing: 10,000 sessions over 100 users, newest 50 of one user, and a second page.
  await admin.query(
    `INSERT INTO ${n.sessions} (session_id, user_id, agent_id, status, metadata, created_at, updated_at)
     SELECT 'list-' || i, 'user-' || (i % 100), 'agent-' || (i % 7), 'active', '{"topic":"x"}', now() - i * interval '1 second', now()
       FROM generate_series(1, 10000) AS i`,
  );
  await admin.query(`ANALYZE ${n.sessions}`);
  const listText = sql.listSessions({ userId: true, agentId: false, status: false, cursor: false });
  await compare(
    "listSessions(userId, limit 50)",
    quick ? 500 : 2000,
    () => store.listSessions({ userId: "user-42", limit: 50 }),
    () => raw(listText, [new Date(), "user-42", 51]),
  );
  const first = await store.listSessions({ userId: "user-42", limit: 50 });
  const cursor = JSON.parse(Buffer.from(first.nextCursor, "base64url").toString());
  const pageText = sql.listSessions({ userId: true, agentId: false, status: false, cursor: true });
  await compare(
    "listSessions(userId, limit 50, cursor)",
    quick ? 500 : 2000,
    () => store.listSessions({ userId: "user-42", limit: 50, cursor: first.nextCursor }),
    () => raw(pageText, [new Date(), "user-42", new Date(cursor.t), cursor.id, 51]),
  );

  await Promise.all([store.close(), adapterPool.end(), rawPool.end()]);
}

function hash(text) {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

try {
  console.log(
    `PostgreSQL ${serverVersion}; ${cpus().length} CPUs; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}; rounds ${ROUNDS}`,
  );
  await runMode("durable");
  await runMode("nosync");
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).catch(() => {});
  await admin.end();
}

const out = {
  date: new Date().toISOString(),
  node: process.version,
  postgres: serverVersion,
  cpus: availableParallelism(),
  load_average_at_end: loadavg(),
  big_session_messages: BIG,
  rounds: ROUNDS,
  results,
};
mkdirSync(join(here, "results"), { recursive: true });
const file = join(here, "results", quick ? "quick.json" : "latest.json");
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwrote ${file}`);
