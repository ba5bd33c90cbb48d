#!/usr/bin/env node
// Benchmark: @langswarm/session-redis against raw ioredis doing the same work, in one run, on one
// server. Not a test. Usage (after `pnpm build`):
//   LANGSWARM_TEST_REDIS_URL=redis://127.0.0.1:6379 node bench/bench.mjs [--quick]
// Without the variable it starts a private redis-server (appendonly no, save '') and stops it after.
// Writes bench/results/session-redis.json and prints a table. Ratios are adapter time / raw time.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sessionRules } from "@langswarm/memory-core";
import { Redis } from "ioredis";
import { RedisSessionStore } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.argv.includes("--quick");
const BIG = QUICK ? 100_000 : 1_000_000;

// ---------------------------------------------------------------- server

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer() {
  if (process.env.LANGSWARM_TEST_REDIS_URL)
    return { url: process.env.LANGSWARM_TEST_REDIS_URL, stop: async () => {} };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ls-redis-bench-"));
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- raw equivalents

// The same work as the adapter's append script, written directly against ioredis: check the session
// exists and is live, dedupe by id, assign seq, store message and id, bump the counters. (The adapter's
// script also handles expiry modes; here the session has no expiry, so that branch does nothing.)
const RAW_APPEND = `
local now = tonumber(ARGV[1])
local meta = redis.call('HMGET', KEYS[1], 'ls', 'ea')
if not meta[1] then return {'notfound'} end
if meta[2] and tonumber(meta[2]) <= now then return {'notfound'} end
local seq = tonumber(meta[1])
local out = {'ok'}
for i = 1, tonumber(ARGV[2]) do
  local id = ARGV[1 + 2 * i]
  local known = redis.call('HGET', KEYS[3], id)
  if known then out[#out + 1] = tonumber(known) else
    seq = seq + 1
    redis.call('HSET', KEYS[2], seq, ARGV[2 + 2 * i])
    redis.call('HSET', KEYS[3], id, seq)
    out[#out + 1] = seq
  end
end
redis.call('HSET', KEYS[1], 'ls', seq, 'ua', ARGV[1])
return out
`;

// Last N: check the session, read the counter, HMGET the window.
const RAW_LAST = `
local meta = redis.call('HMGET', KEYS[1], 'ls', 'ea')
if not meta[1] then return {'notfound'} end
local last = tonumber(meta[1])
local lo = math.max(1, last - tonumber(ARGV[1]) + 1)
local fields = {}
for s = lo, last do fields[#fields + 1] = s end
local out = {'ok', lo}
if #fields == 0 then return out end
local values = redis.call('HMGET', KEYS[2], unpack(fields))
for i = 1, #values do out[#out + 1] = values[i] end
return out
`;

function rawClient(url) {
  const raw = new Redis(url);
  raw.defineCommand("rawAppend", { numberOfKeys: 3, lua: RAW_APPEND });
  raw.defineCommand("rawLast", { numberOfKeys: 2, lua: RAW_LAST });
  return raw;
}

const encode = (m) => JSON.stringify([m.createdAt.getTime(), m.id, m.role, m.content, m.metadata]);
const decode = (sessionId, seq, text) => {
  const [t, id, role, content, metadata] = JSON.parse(text);
  return { id, sessionId, seq, role, content, metadata, createdAt: new Date(t) };
};

// ---------------------------------------------------------------- timing

let counter = 0;
const message = (i) => ({
  id: `m${counter++}-${i}`,
  role: i % 2 ? "assistant" : "user",
  content: `message number ${i}: ${"lorem ipsum ".repeat(8)}`,
  metadata: { i },
});

/** Run `fn` n times with `concurrency` callers; returns mean µs per call and ops/s. */
async function measure(n, concurrency, fn) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  const ns = Number(process.hrtime.bigint() - started);
  return { usPerOp: ns / 1000 / n, opsPerSec: (n * 1e9) / ns };
}

/**
 * Interleave the variants in small chunks (A B C A B C ...) so that load from other processes on the
 * machine hits all of them alike; report each variant's median chunk (µs per call) and its mean.
 */
async function compare(name, n, concurrency, variants) {
  const chunk = Math.max(concurrency * 4, 20);
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const fn of Object.values(variants)) await measure(Math.min(200, n), concurrency, fn); // warm-up
  for (let done = 0; done < n; done += chunk) {
    for (const [k, fn] of Object.entries(variants)) samples[k].push(await measure(chunk, concurrency, fn));
  }
  const row = { name, n, concurrency };
  for (const [k, rows] of Object.entries(samples)) {
    const sorted = rows.map((r) => r.usPerOp).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    row[k] = { usPerOp: median, opsPerSec: 1e6 / median, meanUsPerOp: mean };
  }
  row.ratio = row.adapter.usPerOp / row.raw.usPerOp;
  if (row.rawChecked) row.ratioChecked = row.adapter.usPerOp / row.rawChecked.usPerOp;
  return row;
}

// ---------------------------------------------------------------- scenarios

async function main() {
  const server = await startServer();
  const prefix = `lsbench:${process.pid}:`;
  const store = new RedisSessionStore({ url: server.url, keyPrefix: prefix });
  await store.setup();
  const raw = rawClient(server.url);
  const rows = [];
  const keysOf = (id) => {
    const tag = `{${Buffer.from(id, "latin1").toString("hex")}}`;
    return {
      s: `${prefix}s:${tag}`,
      m: `${prefix}m:${tag}`,
      d: `${prefix}d:${tag}`,
      list: `${prefix}rawlist:${id}`,
    };
  };
  const rawAppend = async (sessionId, msgs) => {
    const k = keysOf(sessionId);
    const args = [Date.now(), msgs.length];
    const prepared = msgs.map((m) => ({ ...m, createdAt: new Date() }));
    for (const m of prepared) args.push(m.id, encode(m));
    const reply = await raw.rawAppend(k.s, k.m, k.d, ...args);
    if (reply[0] !== "ok") throw new Error("raw append: session missing");
    return prepared.map((m, i) => ({ ...m, sessionId, seq: reply[1 + i] }));
  };
  const rawLast = async (sessionId, n) => {
    const k = keysOf(sessionId);
    const reply = await raw.rawLast(k.s, k.m, n);
    const lo = Number(reply[1]);
    return reply.slice(2).map((v, i) => decode(sessionId, lo + i, v));
  };
  // The raw equivalent plus core's shared input checks, which every adapter must run: the difference
  // between this and "adapter" is this package's own overhead.
  const checkedRawAppend = (sessionId, msgs) => {
    sessionRules.checkAppend(sessionId, msgs, undefined, {
      backend: "redis",
      maxContentBytes: store.capabilities.maxContentBytes,
    });
    return rawAppend(sessionId, msgs);
  };
  const rpush = (sessionId, msgs) =>
    raw.rpush(keysOf(sessionId).list, ...msgs.map((m) => encode({ ...m, createdAt: new Date() })));
  const lrangeLast = async (sessionId, n) =>
    (await raw.lrange(keysOf(sessionId).list, -n, -1)).map((v, i) => decode(sessionId, i, v));

  // Both sides write to sessions of their own (same key shapes), created by the adapter.
  for (const id of ["a1", "r1", "a50", "r50"]) await store.createSession({ sessionId: id });
  for (const c of [1, 8, 32]) {
    rows.push(
      await compare("append 1 message", QUICK ? 1000 : 3000, c, {
        adapter: (i) => store.appendMessages("a1", [message(i)]),
        raw: (i) => rawAppend("r1", [message(i)]),
        rawChecked: (i) => checkedRawAppend("r1", [message(i)]),
        rpush: (i) => rpush("l1", [message(i)]),
      }),
    );
  }
  const batch = (i) => Array.from({ length: 50 }, (_, j) => message(i * 50 + j));
  rows.push(
    await compare("append batch of 50", QUICK ? 200 : 500, 1, {
      adapter: (i) => store.appendMessages("a50", batch(i)),
      raw: (i) => rawAppend("r50", batch(i)),
      rawChecked: (i) => checkedRawAppend("r50", batch(i)),
      rpush: (i) => rpush("l50", batch(i)),
    }),
  );

  // Last 50 at 1k and at BIG messages: the same session read by the adapter and by the raw script.
  for (const size of [1000, BIG]) {
    const id = `hist${size}`;
    await store.createSession({ sessionId: id });
    const fill = Date.now();
    for (let done = 0; done < size; done += 1000) {
      const chunk = Array.from({ length: Math.min(1000, size - done) }, (_, j) => message(done + j));
      await store.appendMessages(id, chunk);
      await rpush(id, chunk);
    }
    console.error(`filled ${size} messages in ${((Date.now() - fill) / 1000).toFixed(1)} s`);
    rows.push(
      await compare(`last 50 of ${size.toLocaleString("en")}`, QUICK ? 1000 : 3000, 1, {
        adapter: () => store.getMessages(id, { last: 50 }),
        raw: () => rawLast(id, 50),
        lrange: () => lrangeLast(id, 50),
      }),
    );
  }

  // Listing: one user with 1,000 sessions among 5,000; a page of 20, newest first.
  for (let i = 0; i < 5000; i++)
    await store.createSession({ sessionId: `ls${i}`, userId: i % 5 === 0 ? "bench-user" : `other${i % 50}` });
  const userIndex = `${prefix}ix:u:${Buffer.from("bench-user", "latin1").toString("hex")}`;
  const fields = ["id", "u", "a", "st", "md", "ca", "ua", "ea", "ls"];
  rows.push(
    await compare("list 20 of a user's 1,000 sessions", QUICK ? 500 : 2000, 1, {
      adapter: () => store.listSessions({ userId: "bench-user", limit: 20 }),
      raw: async () => {
        const members = await raw.zrevrangebyscore(userIndex, "+inf", "-inf", "WITHSCORES", "LIMIT", 0, 21);
        const ids = [];
        for (let i = 0; i < members.length; i += 2) ids.push(members[i]);
        // One pipelined write, as the adapter does.
        const rowsRead = (
          await raw.pipeline(ids.map((m) => ["hmget", `${prefix}s:{${m}}`, ...fields])).exec()
        ).map(([, v]) => v);
        return rowsRead.map(([id, u, a, st, md, ca, ua, ea, ls]) => ({
          sessionId: id,
          userId: u || null,
          agentId: a || null,
          status: st,
          metadata: JSON.parse(md),
          createdAt: new Date(Number(ca)),
          updatedAt: new Date(Number(ua)),
          expiresAt: ea ? new Date(Number(ea)) : null,
          lastSeq: Number(ls),
        }));
      },
    }),
  );

  const info = await raw.info("server");
  const version = /redis_version:(\S+)/.exec(info)?.[1];
  const result = {
    date: new Date().toISOString(),
    redis: version,
    node: process.version,
    quick: QUICK,
    rows,
  };
  const os = await import("node:os");
  result.loadAverage1m = Number(os.loadavg()[0].toFixed(1));
  result.cores = os.cpus().length;
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(
    join(here, "results", QUICK ? "session-redis.quick.json" : "session-redis.json"),
    `${JSON.stringify(result, null, 2)}\n`,
  );

  const fmt = (x) => (x ? `${x.usPerOp.toFixed(0)} µs (${Math.round(x.opsPerSec)}/s)` : "");
  console.log(
    `Redis ${version}, Node ${process.version}, median of interleaved chunks, load average ${result.loadAverage1m} on ${result.cores} cores`,
  );
  console.log(
    "| scenario | conc | adapter | raw equivalent | ratio | raw + core checks | ratio | baseline (RPUSH / LRANGE) |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const cells = [
      r.name,
      r.concurrency,
      fmt(r.adapter),
      fmt(r.raw),
      r.ratio.toFixed(2),
      fmt(r.rawChecked),
      r.ratioChecked?.toFixed(2) ?? "",
      fmt(r.rpush ?? r.lrange),
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }

  // Clean up: only our prefix (SCAN is fine in a benchmark).
  let cursor = "0";
  do {
    const [next, keys] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await raw.unlink(...keys);
  } while (cursor !== "0");
  await store.close();
  await raw.quit();
  await server.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
