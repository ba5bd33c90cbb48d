#!/usr/bin/env node
// Benchmark: @langswarm/vector-redis (engine "vectorset") against raw ioredis VADD/VSIM doing the same
// work, in one run, on one Redis 8 server. Not a test. Usage (after `pnpm build`):
//   node bench/bench.mjs [--sizes 10000,100000] [--queries 100]
// It starts a private redis-server (8.x, appendonly no, save '') from $REDIS8_SERVER or the services
// cache (~/.cache/langswarm/redis8/bin/redis-server), or uses $LANGSWARM_BENCH_REDIS8_URL.
//
// Data: the committed all-MiniLM-L6-v2 fixture (3,000 real 384-d embeddings, 100 held-out queries).
// Sizes above 3,000 are made by adding small Gaussian noise (sigma 0.02 per dimension, then
// re-normalising: cosine to the source vector ~0.93) around the real vectors, never uniform random.
// Ground truth: exact brute force in JS. Writes bench/results/vector-redis.json and prints a table.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEmbeddingFixture } from "@langswarm/memory-conformance";
import { Redis } from "ioredis";
import { RedisVectorStore } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SIZES = arg("--sizes", "10000,100000").split(",").map(Number);
const QUERIES = Number(arg("--queries", "100"));
const BATCH = 500;
const K = 10;
const FILTER_BUCKET = 3; // metadata bucket = i % 10: the filter keeps 10%
// --q8: also measure the adapter with quantization "q8" (Redis' own default) beside NOQUANT.
const WITH_Q8 = process.argv.includes("--q8");
// --ef 100,200: query-time HNSW effort (VSIM EF) to measure, both clients alike; "default" = not sent.
const EFS = arg("--ef", "default")
  .split(",")
  .map((e) => (e === "default" ? null : Number(e)));

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
  if (process.env.LANGSWARM_BENCH_REDIS8_URL)
    return { url: process.env.LANGSWARM_BENCH_REDIS8_URL, stop: async () => {} };
  const bin =
    process.env.REDIS8_SERVER ??
    join(process.env.LANGSWARM_CACHE ?? join(homedir(), ".cache/langswarm"), "redis8/bin/redis-server");
  if (!existsSync(bin))
    throw new Error(
      `no Redis 8 server at ${bin}: run scripts/services/start.sh redis8 once, or set REDIS8_SERVER`,
    );
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ls-vredis-bench-"));
  const child = spawn(
    bin,
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
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
    version: bin,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- data

/** Seeded normal deviates (Box-Muller over a xorshift generator): the same data every run. */
function gaussian(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
}

function dataset(n) {
  const fixture = loadEmbeddingFixture();
  const d = fixture.dimension;
  const noise = gaussian(42);
  const vectors = [];
  for (let i = 0; i < n; i++) {
    const source = fixture.corpus[i % fixture.corpus.length].vector;
    if (i < fixture.corpus.length) {
      vectors.push(source);
      continue;
    }
    const v = new Float32Array(d);
    let norm = 0;
    for (let j = 0; j < d; j++) {
      v[j] = source[j] + 0.02 * noise();
      norm += v[j] * v[j];
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) v[j] /= norm;
    vectors.push(v);
  }
  return { d, vectors, queries: fixture.queries.slice(0, QUERIES).map((q) => q.vector) };
}

/** Exact top-K ids by cosine (all vectors are unit length: the dot product). */
function exactTopK(vectors, query, k, keep) {
  const best = [];
  for (let i = 0; i < vectors.length; i++) {
    if (keep && !keep(i)) continue;
    const v = vectors[i];
    let dot = 0;
    for (let j = 0; j < v.length; j++) dot += v[j] * query[j];
    if (best.length < k || dot > best[best.length - 1].dot) {
      best.push({ i, dot });
      best.sort((a, b) => b.dot - a.dot);
      if (best.length > k) best.pop();
    }
  }
  return new Set(best.map((b) => `v${b.i}`));
}

const blob = (v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

// ---------------------------------------------------------------- the two clients

function adapterClient(url, prefix, quantization = "none") {
  const settings = {
    url,
    key_prefix: prefix,
    index_name: `vectors_${quantization}`,
    engine: "vectorset",
    dimension: 384,
    quantization,
  };
  const store = new RedisVectorStore(settings);
  // One store per query effort, all over the same index (ef_runtime is a query setting only).
  const byEf = new Map([[null, store]]);
  const storeFor = async (ef) => {
    if (!byEf.has(ef)) {
      const other = new RedisVectorStore({ ...settings, ef_runtime: ef });
      await other.setup();
      byEf.set(ef, other);
    }
    return byEf.get(ef);
  };
  return {
    name: quantization === "none" ? "adapter" : `adapter (${quantization})`,
    setup: () => store.setup(),
    upsert: (batch) =>
      store.upsert(batch.map((r) => ({ id: r.id, vector: r.vector, metadata: { bucket: r.bucket } }))),
    query: async (vector, filtered, ef) =>
      (
        await (
          await storeFor(ef)
        ).query({
          vector,
          topK: K,
          ...(filtered ? { filter: { bucket: FILTER_BUCKET } } : {}),
        })
      ).map((m) => m.id),
    key: store.keys.vset,
    close: async () => {
      await store.drop();
      for (const s of byEf.values()) await s.close();
    },
  };
}

/** The same work with raw commands: VADD with attributes; VSIM (+ VGETATTR per hit, as the adapter returns metadata). */
function rawClient(url, prefix) {
  const redis = new Redis(url, { protocol: 2 });
  const key = `${prefix}raw`;
  return {
    name: "raw ioredis",
    setup: async () => {},
    upsert: (batch) =>
      Promise.all(
        batch.map((r) =>
          redis.call(
            "VADD",
            key,
            "FP32",
            blob(r.vector),
            r.id,
            "NOQUANT",
            "M",
            16,
            "EF",
            200,
            "SETATTR",
            JSON.stringify({ bucket: r.bucket }),
          ),
        ),
      ),
    query: async (vector, filtered, ef) => {
      const args = [key, "FP32", blob(vector), "WITHSCORES", "COUNT", K];
      // "default": what the adapter sends by default (EF 200 unfiltered, the server's EF filtered).
      if (ef !== null) args.push("EF", ef);
      else if (!filtered) args.push("EF", 200);
      // The adapter's default FILTER-EF (max(topK x 200, 2000)), so both walks have the same bound.
      if (filtered) args.push("FILTER", `.bucket == ${FILTER_BUCKET}`, "FILTER-EF", 2000);
      const reply = await redis.call("VSIM", ...args);
      const ids = reply.filter((_, i) => i % 2 === 0);
      await Promise.all(ids.map((id) => redis.call("VGETATTR", key, id)));
      return ids;
    },
    key,
    close: async () => {
      await redis.call("UNLINK", key);
      await redis.quit();
    },
  };
}

// ---------------------------------------------------------------- run

async function runSize(url, n) {
  const { vectors, queries } = dataset(n);
  const records = vectors.map((vector, i) => ({ id: `v${i}`, vector, bucket: i % 10 }));
  const truth = queries.map((q) => exactTopK(vectors, q, K));
  const filteredTruth = queries.map((q) => exactTopK(vectors, q, K, (i) => i % 10 === FILTER_BUCKET));
  const prefix = `bench:${n}:`;
  const clients = [adapterClient(url, prefix), rawClient(url, prefix)];
  if (WITH_Q8) clients.push(adapterClient(url, prefix, "q8"));
  const admin = new Redis(url);
  for (const c of clients) await c.setup();

  // Upsert: the two clients alternate batch by batch, so both see the same machine load.
  const upsertMs = clients.map(() => 0);
  for (let from = 0; from < n; from += BATCH) {
    const batch = records.slice(from, from + BATCH);
    for (const [i, c] of clients.entries()) {
      const t0 = process.hrtime.bigint();
      await c.upsert(batch);
      upsertMs[i] += ms(t0);
    }
  }

  const result = { n, clients: {} };
  for (const [i, c] of clients.entries()) {
    result.clients[c.name] = {
      upsertPerSec: Math.round((n / upsertMs[i]) * 1000),
      memoryBytesPerVector: Math.round(Number(await admin.call("MEMORY", "USAGE", c.key)) / n),
    };
  }
  for (const c of clients) result.clients[c.name].queries = [];
  for (const ef of EFS) {
    const row = clients.map(() => ({ ef: ef ?? "default" }));
    for (const filtered of [false, true]) {
      const lat = clients.map(() => []);
      const hits = clients.map(() => 0);
      const expected = filtered ? filteredTruth : truth;
      // Warm-up, then alternate query by query so both clients see the same machine load.
      for (const c of clients) for (const q of queries.slice(0, 10)) await c.query(q, filtered, ef);
      for (const [qi, q] of queries.entries()) {
        for (const [i, c] of clients.entries()) {
          const t0 = process.hrtime.bigint();
          const ids = await c.query(q, filtered, ef);
          lat[i].push(ms(t0));
          hits[i] += ids.filter((id) => expected[qi].has(id)).length;
        }
      }
      for (const i of clients.keys()) {
        const sorted = lat[i].sort((a, b) => a - b);
        row[i][filtered ? "filtered" : "unfiltered"] = {
          p50ms: +pct(sorted, 50).toFixed(3),
          p99ms: +pct(sorted, 99).toFixed(3),
          recallAt10: +(hits[i] / (queries.length * K)).toFixed(4),
        };
      }
    }
    for (const [i, c] of clients.entries()) result.clients[c.name].queries.push(row[i]);
  }
  admin.disconnect();
  for (const c of clients) await c.close();
  return result;
}

const server = await startServer();
const results = [];
try {
  for (const n of SIZES) {
    console.error(`[bench] ${n} vectors...`);
    results.push(await runSize(server.url, n));
  }
} finally {
  await server.stop();
}

const rows = [];
for (const r of results) {
  const a = r.clients.adapter;
  const raw = r.clients["raw ioredis"];
  for (const [qi, { ef }] of a.queries.entries()) {
    for (const [name, c] of Object.entries(r.clients)) {
      const q = c.queries[qi];
      rows.push({
        n: r.n,
        ef,
        client: name,
        "upsert/s": c.upsertPerSec,
        "bytes/vec": c.memoryBytesPerVector,
        "p50 ms": q.unfiltered.p50ms,
        "p99 ms": q.unfiltered.p99ms,
        "recall@10": q.unfiltered.recallAt10,
        "filtered p50": q.filtered.p50ms,
        "filtered p99": q.filtered.p99ms,
        "filtered recall": q.filtered.recallAt10,
      });
    }
    const qa = a.queries[qi];
    const qr = raw.queries[qi];
    rows.push({
      n: r.n,
      ef,
      client: "adapter / raw",
      "upsert/s": +(a.upsertPerSec / raw.upsertPerSec).toFixed(2),
      "p50 ms": +(qa.unfiltered.p50ms / qr.unfiltered.p50ms).toFixed(2),
      "p99 ms": +(qa.unfiltered.p99ms / qr.unfiltered.p99ms).toFixed(2),
      "filtered p50": +(qa.filtered.p50ms / qr.filtered.p50ms).toFixed(2),
      "filtered p99": +(qa.filtered.p99ms / qr.filtered.p99ms).toFixed(2),
    });
  }
}
console.table(rows);
mkdirSync(join(here, "results"), { recursive: true });
const out = {
  date: new Date().toISOString(),
  node: process.version,
  machine: `${(await import("node:os")).cpus().length} cores`,
  data: "all-MiniLM-L6-v2 fixture (3,000 real 384-d vectors, 100 held-out queries); sizes above 3,000 add Gaussian noise (sigma 0.02/dim, re-normalised) around the real vectors",
  settings:
    "adapter defaults: NOQUANT, M 16, EF 200, VSIM EF 200 unfiltered / server default (100) filtered, FILTER-EF max(topK x 200, 2000), exact fallback (and quantization q8 with --q8); raw: VADD NOQUANT M 16 EF 200 SETATTR {bucket}, VSIM COUNT 10 with the same EF and FILTER-EF 2000 (FILTER '.bucket == 3'), VGETATTR per hit",
  results,
};
writeFileSync(join(here, "results", "vector-redis.json"), `${JSON.stringify(out, null, 2)}\n`);
console.error(`[bench] wrote ${join(here, "results", "vector-redis.json")}`);
