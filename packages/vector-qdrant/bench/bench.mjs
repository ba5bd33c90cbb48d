#!/usr/bin/env node
/**
 * Benchmark (not a test): @langswarm/vector-qdrant against the raw @qdrant/js-client-rest client
 * sending the same requests (same UUIDs, payloads, filters), in one run, against one server.
 *
 * Default target: the in-process fake of Qdrant's REST API (test/fake-qdrant.ts). Both clients then
 * hit the very same server code, so the difference is the adapter's client-side cost (validation,
 * id hashing, payload encoding, decoding, score conversion); the absolute numbers are the fake's and
 * say nothing about a real Qdrant. `--target edge` uses Qdrant's engine behind test/edge/bridge.py
 * (HNSW), `--target url` the server in QDRANT_URL (+ QDRANT_API_KEY).
 *
 * Data: the committed real-embedding fixture (conformance/fixtures/minilm-384: 3,000 all-MiniLM-L6-v2
 * vectors of real text, 100 held-out real queries); to reach 10,000 it adds copies of the real vectors
 * with small Gaussian noise (sigma 0.025 per dimension, re-normalised; seeded). Never uniform random.
 *
 *   pnpm --filter @langswarm/vector-qdrant build && node bench/bench.mjs [--n 10000] [--reps 3] [--target fake|edge|url]
 *
 * Second part (always): the same calls against an "echo" server that does no work at all (canned
 * answers of the right shape: 10 hits with payloads for a query, an acknowledgement for an upsert), so
 * the per-call time is HTTP plus client code, and adapter minus raw is the adapter's own cost.
 *
 * Adapter and raw calls are interleaved (upsert batch by batch, query by query, alternating which goes
 * first) so that load from other processes on a shared machine hits both alike. Writes
 * bench/results/vector-qdrant.json and prints a table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, loadavg } from "node:os";
import { loadEmbeddingFixture } from "@langswarm/memory-conformance";
import { QdrantClient } from "@qdrant/js-client-rest";
import { filterToQdrant, pointId, QdrantVectorStore, toJsonArray } from "../dist/index.js";
import { EdgeBridge, edgePython } from "../test/edge-bridge.ts";
import { FakeQdrant } from "../test/fake-qdrant.ts";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const N = Number(args.n ?? 10_000);
const REPS = Number(args.reps ?? 3);
const TARGET = args.target ?? "fake";
const BATCH = 256;
const K = 10;
const D = 384;
const SIGMA = 0.025;
const FILTER = { bucket: 3 };

const fixture = loadEmbeddingFixture();

function dataset(n) {
  let seed = 0x9e3779b9;
  const uniform = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const real = fixture.corpus;
  return Array.from({ length: n }, (_, i) => {
    const base = real[i % real.length].vector;
    let vector = base;
    if (i >= real.length) {
      vector = new Float32Array(D);
      let norm = 0;
      for (let j = 0; j < D; j++) {
        vector[j] = base[j] + SIGMA * gaussian();
        norm += vector[j] * vector[j];
      }
      norm = Math.sqrt(norm);
      for (let j = 0; j < D; j++) vector[j] /= norm;
    }
    return { id: `doc-${i}`, vector, metadata: { bucket: i % 10 }, document: null };
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x, d = 3) => Number(x.toFixed(d));

async function main() {
  let url;
  let apiKey;
  let stop = async () => {};
  if (TARGET === "fake") {
    const fake = await new FakeQdrant().start();
    fake.record = false;
    url = fake.url;
    stop = () => fake.stop();
  } else if (TARGET === "edge") {
    const { python, reason } = edgePython();
    if (!python) throw new Error(reason);
    const bridge = await new EdgeBridge().start(python, { hnsw: true });
    url = bridge.url;
    stop = () => bridge.stop();
  } else {
    url = process.env.QDRANT_URL ?? process.env.LANGSWARM_TEST_QDRANT_URL;
    apiKey = process.env.QDRANT_API_KEY;
    if (!url) throw new Error("--target url needs QDRANT_URL");
  }

  const records = dataset(N);
  const suffix = Date.now().toString(36);
  const adapter = new QdrantVectorStore({
    url,
    ...(apiKey ? { api_key: apiKey } : {}),
    collection_name: `bench_adapter_${suffix}`,
    dimension: D,
    metric: "cosine",
    batch_size: BATCH,
  });
  const raw = new QdrantClient({ url, ...(apiKey ? { apiKey } : {}), checkCompatibility: false });
  const rawName = `bench_raw_${suffix}`;
  await adapter.setup();
  await raw.createCollection(rawName, { vectors: { size: D, distance: "Cosine" } });

  // What a raw-client user sends for the same records: the same UUIDs (hashed up front, outside the
  // timing, so the adapter's hashing counts as its overhead), vectors as JSON arrays, the same payload.
  const ids = records.map((r) => pointId(r.id));
  const rawBatch = (from, to) =>
    records.slice(from, to).map((r, j) => ({
      id: ids[from + j],
      vector: toJsonArray(r.vector), // the same fast conversion the adapter uses
      payload: { _id: r.id, document: null, metadata: r.metadata, _norm: 1 },
    }));
  const rawPoints = rawBatch(0, records.length);

  // ---- upsert, batch by batch, interleaved
  const times = { adapter: 0, raw: 0 };
  for (let i = 0, b = 0; i < N; i += BATCH, b++) {
    const runAdapter = async () => {
      const t = performance.now();
      await adapter.upsert(records.slice(i, i + BATCH));
      times.adapter += performance.now() - t;
    };
    const runRaw = async () => {
      const t = performance.now();
      await raw.upsert(rawName, { wait: true, points: rawBatch(i, i + BATCH) });
      times.raw += performance.now() - t;
    };
    if (b % 2 === 0) {
      await runAdapter();
      await runRaw();
    } else {
      await runRaw();
      await runAdapter();
    }
  }
  const upsert = {
    adapterPerSec: round(N / (times.adapter / 1000), 0),
    rawPerSec: round(N / (times.raw / 1000), 0),
    ratio: round(times.adapter / times.raw),
  };

  // ---- queries, one by one, interleaved
  const rawFilter = filterToQdrant({ type: "compare", field: "bucket", op: "$eq", value: 3 });
  const measure = async (filtered) => {
    const lat = { adapter: [], raw: [] };
    let i = 0;
    for (let rep = 0; rep < REPS; rep++) {
      for (const q of fixture.queries) {
        const runAdapter = async () => {
          const t = performance.now();
          await adapter.query({ vector: q.vector, topK: K, ...(filtered ? { filter: FILTER } : {}) });
          lat.adapter.push(performance.now() - t);
        };
        const runRaw = async () => {
          const t = performance.now();
          const res = await raw.query(rawName, {
            query: toJsonArray(q.vector),
            limit: K,
            with_payload: true,
            with_vector: false,
            ...(filtered ? { filter: rawFilter } : {}),
          });
          // The least a caller does with an answer: read ids, scores and metadata.
          for (const p of res.points) void [p.payload?._id, p.score, p.payload?.metadata];
          lat.raw.push(performance.now() - t);
        };
        if (i++ % 2 === 0) {
          await runAdapter();
          await runRaw();
        } else {
          await runRaw();
          await runAdapter();
        }
      }
    }
    const p50a = pct(lat.adapter, 50);
    const p50r = pct(lat.raw, 50);
    return {
      queries: lat.adapter.length,
      adapterP50Ms: round(p50a),
      rawP50Ms: round(p50r),
      adapterP95Ms: round(pct(lat.adapter, 95)),
      rawP95Ms: round(pct(lat.raw, 95)),
      p50Ratio: round(p50a / p50r),
      p50OverheadMs: round(p50a - p50r),
    };
  };
  const query = await measure(false);
  const filteredQuery = await measure(true);

  await adapter.drop();
  await raw.deleteCollection(rawName);
  await stop();

  const echo = await echoOverhead(records, rawPoints, rawBatch, rawFilter);

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    machine: `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the end`,
    target:
      TARGET === "fake"
        ? "in-process fake of Qdrant's REST API (test/fake-qdrant.ts): client-side overhead only"
        : TARGET === "edge"
          ? "Qdrant's engine (qdrant-edge-py) behind test/edge/bridge.py, HNSW"
          : "Qdrant server at QDRANT_URL",
    data: `${N} vectors: the 3,000 real all-MiniLM-L6-v2 fixture vectors plus noisy copies (sigma ${SIGMA}); 100 real queries x ${REPS}`,
    settings: `cosine, batch ${BATCH} per upsert request (wait=true), top-${K}, filter ${JSON.stringify(FILTER)} (10% of points)`,
    upsert,
    query,
    filteredQuery,
    echo,
  };
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL(`./results/vector-qdrant${TARGET === "fake" ? "" : `-${TARGET}`}.json`, import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  console.log(`target: ${result.target}\ndata: ${result.data}\n`);
  console.table({
    "upsert vectors/s": { adapter: upsert.adapterPerSec, raw: upsert.rawPerSec, "adapter/raw": upsert.ratio },
    "top-10 p50 ms": { adapter: query.adapterP50Ms, raw: query.rawP50Ms, "adapter/raw": query.p50Ratio },
    "top-10 p95 ms": { adapter: query.adapterP95Ms, raw: query.rawP95Ms, "adapter/raw": null },
    "filtered top-10 p50 ms": {
      adapter: filteredQuery.adapterP50Ms,
      raw: filteredQuery.rawP50Ms,
      "adapter/raw": filteredQuery.p50Ratio,
    },
  });
  console.log("\nagainst a server that does no work (per call: HTTP + client code):");
  console.table(
    Object.fromEntries(
      Object.entries(echo).map(([k, v]) => [
        k,
        {
          "adapter p50 ms": v.adapterP50Ms,
          "raw p50 ms": v.rawP50Ms,
          "adapter/raw": v.p50Ratio,
          "overhead ms": v.p50OverheadMs,
        },
      ]),
    ),
  );
}

/** Canned answers of Qdrant's shape, computed once: the server costs (almost) nothing. */
async function echoOverhead(records, rawPoints, rawBatch, rawFilter) {
  const hits = rawPoints
    .slice(0, K)
    .map((p, i) => ({ id: p.id, version: 0, score: 0.9 - i / 100, payload: p.payload }));
  const bodies = {
    root: JSON.stringify({ title: "qdrant - vector search engine", version: "1.15.0" }),
    info: JSON.stringify({
      result: { config: { params: { vectors: { size: D, distance: "Cosine" } } }, payload_schema: {} },
      status: "ok",
      time: 0,
    }),
    ack: JSON.stringify({ result: { operation_id: 1, status: "completed" }, status: "ok", time: 0 }),
    query: JSON.stringify({ result: { points: hits }, status: "ok", time: 0 }),
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body =
        req.url === "/"
          ? bodies.root
          : req.url.endsWith("/points/query")
            ? bodies.query
            : req.method === "GET"
              ? bodies.info
              : bodies.ack;
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const adapter = new QdrantVectorStore({ url, collection_name: "echo", dimension: D, batch_size: BATCH });
  await adapter.setup();
  const raw = new QdrantClient({ url, checkCompatibility: false });
  const run = async (n, adapterCall, rawCall) => {
    const lat = { adapter: [], raw: [] };
    for (let i = 0; i < n; i++) {
      const a = async () => {
        const t = performance.now();
        await adapterCall(i);
        lat.adapter.push(performance.now() - t);
      };
      const r = async () => {
        const t = performance.now();
        await rawCall(i);
        lat.raw.push(performance.now() - t);
      };
      if (i % 2 === 0) {
        await a();
        await r();
      } else {
        await r();
        await a();
      }
    }
    const p50a = pct(lat.adapter, 50);
    const p50r = pct(lat.raw, 50);
    return {
      calls: n,
      adapterP50Ms: round(p50a),
      rawP50Ms: round(p50r),
      p50Ratio: round(p50a / p50r),
      p50OverheadMs: round(p50a - p50r),
    };
  };
  const batches = Math.floor(records.length / BATCH);
  const queries = fixture.queries;
  const readHits = (res) => {
    for (const p of res.points) void [p.payload?._id, p.score, p.payload?.metadata];
  };
  const out = {
    [`upsert ${BATCH}`]: await run(
      Math.min(batches, 40),
      (i) => adapter.upsert(records.slice(i * BATCH, (i + 1) * BATCH)),
      (i) => raw.upsert("echo", { wait: true, points: rawBatch(i * BATCH, (i + 1) * BATCH) }),
    ),
    "top-10 query": await run(
      300,
      (i) => adapter.query({ vector: queries[i % queries.length].vector, topK: K }),
      async (i) =>
        readHits(
          await raw.query("echo", {
            query: toJsonArray(queries[i % queries.length].vector),
            limit: K,
            with_payload: true,
            with_vector: false,
          }),
        ),
    ),
    "filtered top-10 query": await run(
      300,
      (i) => adapter.query({ vector: queries[i % queries.length].vector, topK: K, filter: FILTER }),
      async (i) =>
        readHits(
          await raw.query("echo", {
            query: toJsonArray(queries[i % queries.length].vector),
            limit: K,
            with_payload: true,
            with_vector: false,
            filter: rawFilter,
          }),
        ),
    ),
  };
  await new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  return out;
}

await main();
