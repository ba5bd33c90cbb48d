#!/usr/bin/env node
/**
 * Benchmark: @langswarm/vector-chroma against the raw `chromadb` client doing the same calls, in one
 * run, on one server (not a test). Upsert throughput (batches of 500, adapter and raw interleaved batch
 * by batch, each into its own collection), then top-10 latency p50/p99 and recall@10 against exact
 * brute force, without a filter and with one keeping 10% of the records (adapter and raw interleaved
 * query by query).
 *
 * What "the same calls" means: the raw side calls collection.upsert / collection.query with the same
 * vectors, metadata and include list. The adapter additionally validates input, encodes metadata
 * (marker keys), and reads the stored metadata of each upsert batch before writing it (Chroma merges
 * metadata on upsert; the adapter replaces), so its upsert is one extra request per batch.
 *
 * Data: the committed real-embedding fixture (conformance/fixtures/minilm-384: 3,000 all-MiniLM-L6-v2
 * vectors of real text, 100 held-out real queries); sizes above 3,000 add noisy copies of the real
 * vectors (sigma 0.025 per dimension, re-normalised). Never uniform random vectors.
 *
 *   LANGSWARM_TEST_CHROMA_URL=http://... node bench/bench.mjs [--size 10000] [--rounds 2]
 *
 * Needs `pnpm --filter @langswarm/vector-chroma build` first. Writes bench/results/<date>.json and
 * prints a table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { loadEmbeddingFixture } from "@langswarm/memory-conformance";
import { ChromaClient } from "chromadb";
import { ChromaVectorStore } from "../dist/index.js";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const url = process.env.LANGSWARM_TEST_CHROMA_URL;
if (!url) {
  console.error("set LANGSWARM_TEST_CHROMA_URL (scripts/services/start.sh chroma starts a server)");
  process.exit(2);
}
const N = Number(args.size ?? 10_000);
const ROUNDS = Number(args.rounds ?? 2);
const BATCH = 500;
const K = 10;
const D = 384;
const SIGMA = 0.025;
const BUCKETS = 10;

const fixture = loadEmbeddingFixture();
const queries = fixture.queries.map((q) => Float32Array.from(q.vector));

function dataset(n) {
  const rows = [];
  let seed = 0x9e3779b9;
  const uniform = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const real = fixture.corpus.length;
  for (let i = 0; i < n; i++) {
    const base = fixture.corpus[i % real].vector;
    const row = new Float32Array(D);
    if (i < real) row.set(base);
    else {
      let norm = 0;
      for (let j = 0; j < D; j++) {
        row[j] = base[j] + SIGMA * gaussian();
        norm += row[j] * row[j];
      }
      norm = Math.sqrt(norm);
      for (let j = 0; j < D; j++) row[j] /= norm;
    }
    rows.push(row);
  }
  return rows;
}

function exactTopK(rows, q, keep) {
  const scored = [];
  for (let i = 0; i < rows.length; i++) {
    if (keep && !keep(i)) continue;
    const r = rows[i];
    let dot = 0;
    let nr = 0;
    let nq = 0;
    for (let j = 0; j < D; j++) {
      dot += r[j] * q[j];
      nr += r[j] * r[j];
      nq += q[j] * q[j];
    }
    scored.push([i, dot / Math.sqrt(nr * nq)]);
  }
  scored.sort((a, b) => b[1] - a[1]);
  return new Set(scored.slice(0, K).map(([i]) => `v${i}`));
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: +percentile(s, 50).toFixed(3), p99: +percentile(s, 99).toFixed(3), n: s.length };
};
const now = () => performance.now();

const parsed = new URL(url);
const client = new ChromaClient({
  host: parsed.hostname,
  port: Number(parsed.port),
  ssl: parsed.protocol === "https:",
});
const suffix = Date.now().toString(36);
const adapterName = `bench_adapter_${suffix}`;
const rawName = `bench_raw_${suffix}`;
const store = new ChromaVectorStore({ client, collection_name: adapterName, dimension: D, metric: "cosine" });
const noEmbed = {
  generate: async () => {
    throw new Error("no embedding");
  },
};

try {
  await store.setup();
  const raw = await client.createCollection({
    name: rawName,
    configuration: { hnsw: { space: "cosine" } },
    embeddingFunction: noEmbed,
  });
  const rows = dataset(N);
  const bucket = (i) => i % BUCKETS;

  let adapterMs = 0;
  let rawMs = 0;
  for (let i = 0; i < N; i += BATCH) {
    const slice = rows.slice(i, i + BATCH);
    const ids = slice.map((_, j) => `v${i + j}`);
    let t = now();
    await store.upsert(
      slice.map((vector, j) => ({ id: ids[j], vector, metadata: { bucket: bucket(i + j) } })),
    );
    adapterMs += now() - t;
    t = now();
    await raw.upsert({
      ids,
      embeddings: slice.map((v) => Array.from(v)),
      metadatas: slice.map((_, j) => ({ bucket: bucket(i + j) })),
    });
    rawMs += now() - t;
  }
  const upsert = {
    adapter_per_s: Math.round(N / (adapterMs / 1000)),
    raw_per_s: Math.round(N / (rawMs / 1000)),
  };

  const include = ["distances", "metadatas", "documents"];
  const results = {};
  for (const [label, filter] of [
    ["top10", undefined],
    ["top10_filter_10pct", { bucket: 3 }],
  ]) {
    const keep = filter ? (i) => bucket(i) === 3 : undefined;
    const truth = queries.map((q) => exactTopK(rows, q, keep));
    const a = [];
    const r = [];
    let aHits = 0;
    let rHits = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [qi, q] of queries.entries()) {
        let t = now();
        const got = await store.query({ vector: q, topK: K, ...(filter ? { filter } : {}) });
        a.push(now() - t);
        t = now();
        const rawGot = await raw.query({
          queryEmbeddings: [Array.from(q)],
          nResults: K,
          include,
          ...(filter ? { where: filter } : {}),
        });
        r.push(now() - t);
        if (round === 0) {
          aHits += got.filter((m) => truth[qi].has(m.id)).length;
          rHits += rawGot.ids[0].filter((id) => truth[qi].has(id)).length;
        }
      }
    }
    results[label] = {
      adapter: stats(a),
      raw: stats(r),
      recall_adapter: +(aHits / (K * queries.length)).toFixed(3),
      recall_raw: +(rHits / (K * queries.length)).toFixed(3),
    };
  }

  const report = {
    date: new Date().toISOString(),
    server: await client.version(),
    client: "chromadb 3.5.0",
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg().map((x) => +x.toFixed(2)),
    size: N,
    dimension: D,
    batch: BATCH,
    rounds: ROUNDS,
    upsert,
    query: results,
  };
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL(`./results/${report.date.slice(0, 10)}.json`, import.meta.url),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  console.log(`Chroma ${report.server}, ${N} x ${D}-d vectors, batches of ${BATCH}`);
  console.log(
    `upsert/s: adapter ${upsert.adapter_per_s}, raw ${upsert.raw_per_s} (ratio ${(upsert.raw_per_s / upsert.adapter_per_s).toFixed(2)}x)`,
  );
  for (const [label, v] of Object.entries(results)) {
    console.log(
      `${label}: p50 adapter ${v.adapter.p50} ms / raw ${v.raw.p50} ms (${(v.adapter.p50 / v.raw.p50).toFixed(2)}x), p99 ${v.adapter.p99} / ${v.raw.p99} ms, recall@10 adapter ${v.recall_adapter} raw ${v.recall_raw}`,
    );
  }
} finally {
  await store.drop().catch(() => {});
  await client.deleteCollection({ name: rawName }).catch(() => {});
}
