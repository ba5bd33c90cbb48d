#!/usr/bin/env node
/**
 * Benchmark: @langswarm/vector-pgvector against raw `pg` running the same SQL, in one run, on one
 * server (not a test). For each size: upsert throughput (batches of 500 into an HNSW-indexed table,
 * adapter and raw interleaved batch by batch), then top-10 latency p50/p99 and recall@10 against exact
 * brute force, without a filter and with a filter that keeps 10% of the rows; then recall against
 * latency for larger ef_search values (adapter only).
 *
 * Data: the committed real-embedding fixture (conformance/fixtures/minilm-384: 3,000 all-MiniLM-L6-v2
 * vectors of real text, 100 held-out real queries). Sizes above 3,000 keep the 3,000 real vectors and
 * add copies of them with small Gaussian noise (sigma 0.025 per dimension, re-normalised: cosine to
 * the original about 0.9). Never uniform random vectors.
 *
 *   LANGSWARM_TEST_POSTGRES_URL=postgres://... node bench/bench.mjs [--sizes 10000,100000] [--rounds 3]
 *
 * The raw side sends vectors as binary parameters, like the adapter (same SQL, same parameters, so the
 * ratio is the adapter's own cost); one extra raw variant sends the query vector as text, the way
 * pgvector's Node helper does, to show what the encoding is worth.
 *
 * Needs `pnpm --filter @langswarm/vector-pgvector build` first. Writes bench/results/<date>.json and
 * prints a table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { loadEmbeddingFixture } from "@langswarm/memory-conformance";
import pg from "pg";
import { PgVectorStore } from "../dist/index.js";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const url = process.env.LANGSWARM_TEST_POSTGRES_URL;
if (!url) {
  console.error(
    "set LANGSWARM_TEST_POSTGRES_URL (scripts/services/start.sh postgres starts a server with pgvector)",
  );
  process.exit(2);
}
const SIZES = (args.sizes ?? "10000,100000").split(",").map(Number);
const ROUNDS = Number(args.rounds ?? 3);
const BATCH = 500;
const K = 10;
const SIGMA = 0.025;
const D = 384;
const FILTER = { bucket: 3 };
/** ef_search values for the recall/latency trade-off (adapter only, one round). */
const EF_SWEEP = (args.ef ?? "40,100,200,400").split(",").map(Number);

const fixture = loadEmbeddingFixture();
const queries = fixture.queries.map((q) => q.vector);

/** n vectors: the real fixture first, then noisy copies of it (seeded, so every run is the same). */
function dataset(n) {
  const data = new Float32Array(n * D);
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
    const row = data.subarray(i * D, (i + 1) * D);
    if (i < real) {
      row.set(base);
      continue;
    }
    let norm = 0;
    for (let j = 0; j < D; j++) {
      row[j] = base[j] + SIGMA * gaussian();
      norm += row[j] * row[j];
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < D; j++) row[j] /= norm;
  }
  return data;
}

const idOf = (i) => `d${i}`;
const bucketOf = (i) => i % 10;

/** Exact top-k by cosine (all vectors are unit length, so the dot product). */
function exactTopK(data, n, q, k, keep) {
  const best = [];
  for (let i = 0; i < n; i++) {
    if (keep && !keep(i)) continue;
    let dot = 0;
    const o = i * D;
    for (let j = 0; j < D; j++) dot += data[o + j] * q[j];
    if (best.length < k || dot > best[best.length - 1][1]) {
      best.push([i, dot]);
      best.sort((a, b) => b[1] - a[1]);
      if (best.length > k) best.pop();
    }
  }
  return new Set(best.map(([i]) => idOf(i)));
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: +percentile(s, 50).toFixed(3), p99: +percentile(s, 99).toFixed(3), n: s.length };
};
const cpuMicros = (since) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};
/** Text parameters, as pgvector's own Node helper (`pgvector.toSql`) makes them. */
const vectorText = (v) => `[${Array.prototype.join.call(v, ",")}]`;
/** The raw side's binary parameters (written here by hand, like its SQL): pgvector's vector_recv format. */
const vectorBinary = (v) => {
  const b = Buffer.allocUnsafe(4 + 4 * v.length);
  b.writeUInt16BE(v.length, 0);
  b.writeUInt16BE(0, 2);
  for (let i = 0; i < v.length; i++) b.writeFloatBE(v[i], 4 + 4 * i);
  return b;
};
/** A binary vector[] (array_recv): header, then length-prefixed elements. */
const vectorArrayBinary = (vs, oid) => {
  const parts = vs.map(vectorBinary);
  const b = Buffer.allocUnsafe(20 + parts.reduce((n, p) => n + 4 + p.length, 0));
  b.writeInt32BE(1, 0);
  b.writeInt32BE(0, 4);
  b.writeUInt32BE(oid, 8);
  b.writeInt32BE(vs.length, 12);
  b.writeInt32BE(1, 16);
  let o = 20;
  for (const p of parts) {
    b.writeInt32BE(p.length, o);
    p.copy(b, o + 4);
    o += 4 + p.length;
  }
  return b;
};

async function benchSize(n, schema) {
  console.log(
    `\n== ${n.toLocaleString()} vectors (${Math.min(n, fixture.corpus.length)} real + ${Math.max(0, n - fixture.corpus.length)} noisy copies) ==`,
  );
  const data = dataset(n);
  const store = new PgVectorStore({
    url,
    schema,
    table_name: `adapter_${n}`,
    dimension: D,
    metric: "cosine",
    pool_size: 2,
  });
  await store.setup();
  const raw = new pg.Pool({ connectionString: url, max: 2 });
  const rawTable = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(`raw_${n}`)}`;
  const adapterTable = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(`adapter_${n}`)}`;
  // The raw side: the same DDL the adapter runs, written out by hand.
  await raw.query(
    `CREATE TABLE ${rawTable} (id text PRIMARY KEY, embedding vector(${D}) NOT NULL, metadata jsonb NOT NULL DEFAULT '{}'::jsonb, document text)`,
  );
  await raw.query(
    `CREATE INDEX ON ${rawTable} USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
  );
  await raw.query(`CREATE INDEX ON ${rawTable} USING gin (metadata jsonb_path_ops)`);
  const rawUpsert = `INSERT INTO ${rawTable} (id, embedding, metadata, document)
SELECT * FROM unnest($1::text[], $2::vector(${D})[], $3::jsonb[], $4::text[])
ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata, document = EXCLUDED.document`;

  // ---- upsert: interleaved batches, so load on the machine hits both sides alike
  let adapterMs = 0;
  let rawMs = 0;
  // Client CPU (this process) per side: robust to a busy server, and the adapter's real overhead.
  let adapterCpu = 0;
  let rawCpu = 0;
  const started = performance.now();
  const adapterBatch = async (from, to) => {
    const records = [];
    for (let i = from; i < to; i++) {
      records.push({
        id: idOf(i),
        vector: data.subarray(i * D, (i + 1) * D),
        metadata: { bucket: bucketOf(i) },
      });
    }
    await store.upsert(records);
  };
  const vectorOid = Number((await raw.query("SELECT 'vector'::regtype::oid AS oid")).rows[0].oid);
  const rawBatch = async (from, to) => {
    const ids = [];
    const vecs = [];
    const metas = [];
    const docs = [];
    for (let i = from; i < to; i++) {
      ids.push(idOf(i));
      vecs.push(data.subarray(i * D, (i + 1) * D));
      metas.push(JSON.stringify({ bucket: bucketOf(i) }));
      docs.push(null);
    }
    await raw.query(rawUpsert, [ids, vectorArrayBinary(vecs, vectorOid), metas, docs]);
  };
  const timed = async (fn, from, to) => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    await fn(from, to);
    return [performance.now() - t, cpuMicros(cpu)];
  };
  for (let from = 0, b = 0; from < n; from += BATCH, b++) {
    const to = Math.min(n, from + BATCH);
    // Alternate who goes first, batch by batch.
    const first = b % 2 === 0 ? adapterBatch : rawBatch;
    const second = b % 2 === 0 ? rawBatch : adapterBatch;
    const [ms1, cpu1] = await timed(first, from, to);
    const [ms2, cpu2] = await timed(second, from, to);
    const [aMs, aCpu, rMs, rCpu] = first === adapterBatch ? [ms1, cpu1, ms2, cpu2] : [ms2, cpu2, ms1, cpu1];
    adapterMs += aMs;
    adapterCpu += aCpu;
    rawMs += rMs;
    rawCpu += rCpu;
    if ((to / BATCH) % 20 === 0) {
      process.stdout.write(
        `  upserted ${to.toLocaleString()} (${((performance.now() - started) / 1000).toFixed(0)} s)\r`,
      );
    }
  }
  const upsert = {
    adapterPerSec: Math.round(n / (adapterMs / 1000)),
    rawPerSec: Math.round(n / (rawMs / 1000)),
    adapterS: +(adapterMs / 1000).toFixed(1),
    rawS: +(rawMs / 1000).toFixed(1),
    adapterCpuUsPerVector: +(adapterCpu / n).toFixed(1),
    rawCpuUsPerVector: +(rawCpu / n).toFixed(1),
  };
  console.log(
    `  upsert: adapter ${upsert.adapterPerSec}/s (${upsert.adapterCpuUsPerVector} µs CPU/vector), raw pg ${upsert.rawPerSec}/s (${upsert.rawCpuUsPerVector} µs)`,
  );
  await raw.query(`ANALYZE ${adapterTable}; ANALYZE ${rawTable}`);

  // ---- ground truth
  const truth = queries.map((q) => exactTopK(data, n, q, K));
  const filteredTruth = queries.map((q) => exactTopK(data, n, q, K, (i) => bucketOf(i) === FILTER.bucket));

  // ---- the same query SQL, written out by hand for the raw side (against the adapter's table, so
  //      both read the same HNSW graph and recall is comparable)
  const topK = (where) => `WITH hits AS MATERIALIZED (
  SELECT id, metadata, document, (embedding <=> $1::vector(${D})) AS distance
  FROM ${adapterTable}${where ? `\n  WHERE ${where}` : ""}
  ORDER BY distance
  LIMIT $${where ? 3 : 2}
)
SELECT id, metadata, document, COALESCE(NULLIF(1 - distance, 'NaN'::float8), 0) AS score
FROM hits ORDER BY distance + 0, id`;
  const rawPlain = async (q) => (await raw.query(topK(null), [vectorBinary(q), K])).rows;
  // The same statement with the vector as a text parameter (what pgvector.toSql produces).
  const rawPlainText = async (q) => (await raw.query(topK(null), [vectorText(q), K])).rows;
  const rawFiltered = async (q) => {
    const client = await raw.connect();
    try {
      await client.query("BEGIN READ ONLY; SET LOCAL hnsw.iterative_scan = relaxed_order");
      const { rows } = await client.query(topK("metadata @> $2::jsonb"), [
        vectorBinary(q),
        JSON.stringify(FILTER),
        K,
      ]);
      await client.query("COMMIT");
      return rows;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  // What most hand-written pgvector code does: a filtered ORDER BY ... LIMIT without iterative scans.
  const rawNaive = async (q) =>
    (
      await raw.query(
        `SELECT id, 1 - (embedding <=> $1::vector(${D})) AS score FROM ${adapterTable} WHERE metadata @> $2::jsonb ORDER BY embedding <=> $1::vector(${D}) LIMIT $3`,
        [vectorBinary(q), JSON.stringify(FILTER), K],
      )
    ).rows;

  const plan = async (where, iterative) => {
    const client = await raw.connect();
    try {
      await client.query(`BEGIN; SET LOCAL hnsw.iterative_scan = ${iterative ? "relaxed_order" : "off"}`);
      const { rows } = await client.query(
        `EXPLAIN ${topK(where)}`,
        where ? [vectorBinary(queries[0]), JSON.stringify(FILTER), K] : [vectorBinary(queries[0]), K],
      );
      await client.query("COMMIT");
      const lines = rows.map((r) => r["QUERY PLAN"]);
      return (
        lines
          .find((l) => /Index Scan using|Seq Scan|Bitmap Heap Scan/.test(l))
          ?.trim()
          .replace(/\s+\(cost.*$/, "") ?? lines[0]
      );
    } finally {
      client.release();
    }
  };

  const measure = async (label, variants, truthSets, rounds = ROUNDS) => {
    const out = {};
    for (const name of Object.keys(variants)) out[name] = { ms: [], cpu: 0, hits: 0, returned: 0 };
    for (let w = 0; w < 10; w++) for (const run of Object.values(variants)) await run(queries[w]);
    for (let round = 0; round < rounds; round++) {
      for (let qi = 0; qi < queries.length; qi++) {
        // Rotate who goes first: the first call after a switch pays for the previous call's tail
        // (measured: ~150 µs of client CPU), which would otherwise always land on one side.
        const order = Object.entries(variants);
        for (let j = 0; j < order.length; j++) {
          const [name, run] = order[(qi + round + j) % order.length];
          const t = performance.now();
          const cpu = process.cpuUsage();
          const rows = await run(queries[qi]);
          out[name].ms.push(performance.now() - t);
          out[name].cpu += cpuMicros(cpu);
          if (round === 0) {
            out[name].hits += rows.filter((r) => truthSets[qi].has(r.id)).length;
            out[name].returned += rows.length;
          }
        }
      }
    }
    const result = {};
    for (const [name, r] of Object.entries(out)) {
      result[name] = {
        ...summary(r.ms),
        cpuUsPerQuery: Math.round(r.cpu / r.ms.length),
        recall: +(r.hits / (queries.length * K)).toFixed(3),
        avgReturned: +(r.returned / queries.length).toFixed(2),
      };
    }
    console.log(
      `  ${label}:`,
      Object.entries(result)
        .map(
          ([k, v]) =>
            `${k} p50 ${v.p50} ms p99 ${v.p99} ms cpu ${v.cpuUsPerQuery} µs recall ${v.recall} (${v.avgReturned} rows)`,
        )
        .join(" | "),
    );
    return result;
  };

  const adapterPlain = (q) => store.query({ vector: q, topK: K });
  const adapterFiltered = (q) => store.query({ vector: q, topK: K, filter: FILTER });
  const unfiltered = {
    plan: await plan(null, false),
    ...(await measure(
      "top-10",
      { adapter: adapterPlain, raw: rawPlain, rawTextParams: rawPlainText },
      truth,
    )),
  };
  const filteredGin = {
    plan: await plan("metadata @> $2::jsonb", true),
    ...(await measure(
      "top-10, 10% filter (GIN index present)",
      { adapter: adapterFiltered, raw: rawFiltered, rawNoIterative: rawNaive },
      filteredTruth,
    )),
  };
  // Without the metadata index the planner walks the HNSW graph and filters: the iterative-scan path.
  await raw.query(
    `DROP INDEX ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(`adapter_${n}_metadata_idx`)}`,
  );
  await raw.query(`ANALYZE ${adapterTable}`);
  const filteredHnsw = {
    plan: await plan("metadata @> $2::jsonb", true),
    ...(await measure(
      "top-10, 10% filter (no GIN index)",
      { adapter: adapterFiltered, raw: rawFiltered, rawNoIterative: rawNaive },
      filteredTruth,
    )),
  };

  // ---- recall against latency: the same table read with larger ef_search (adapter only)
  const efSweep = [];
  for (const ef of EF_SWEEP) {
    const tuned = new PgVectorStore({
      url,
      schema,
      table_name: `adapter_${n}`,
      dimension: D,
      metric: "cosine",
      pool_size: 1,
      ef_search: ef,
      metadata_index: false,
    });
    await tuned.setup();
    const plain = await measure(
      `ef_search ${ef}, top-10`,
      { adapter: (q) => tuned.query({ vector: q, topK: K }) },
      truth,
      1,
    );
    const filtered = await measure(
      `ef_search ${ef}, top-10, 10% filter`,
      { adapter: (q) => tuned.query({ vector: q, topK: K, filter: FILTER }) },
      filteredTruth,
      1,
    );
    efSweep.push({ efSearch: ef, unfiltered: plain.adapter, filtered: filtered.adapter });
    await tuned.close();
  }
  await store.close();
  await raw.end();
  return {
    n,
    real: Math.min(n, fixture.corpus.length),
    upsert,
    unfiltered,
    filteredGin,
    filteredHnsw,
    efSweep,
  };
}

/** Client CPU to encode one 384-d vector as a text parameter and as a binary one. */
function encodingCost() {
  const cost = (fn) => {
    for (let i = 0; i < 500; i++) fn(queries[i % queries.length]);
    const n = 5000;
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i++) fn(queries[i % queries.length]);
    return +(cpuMicros(cpu) / n).toFixed(1);
  };
  return { textUsPerVector: cost(vectorText), binaryUsPerVector: cost(vectorBinary) };
}
const encoding = encodingCost();
console.log(
  `encoding one ${D}-d vector: text ${encoding.textUsPerVector} µs, binary ${encoding.binaryUsPerVector} µs of client CPU`,
);

const admin = new pg.Client({ connectionString: url });
await admin.connect();
const server = (
  await admin.query(
    "SELECT current_setting('server_version') AS pg, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector",
  )
).rows[0];
const schema = `lsv_bench_${Date.now().toString(36)}`;
await admin.query(`CREATE SCHEMA ${schema}`);
const results = [];
try {
  for (const n of SIZES) results.push(await benchSize(n, schema));
} finally {
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}

const report = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    loadavg: loadavg().map((l) => +l.toFixed(2)),
    node: process.version,
  },
  server: { postgres: server.pg, pgvector: server.vector },
  settings: {
    index: "hnsw m=16 ef_construction=64 ef_search=40 (defaults)",
    iterativeScan: "relaxed_order",
    batch: BATCH,
    k: K,
    rounds: ROUNDS,
    noiseSigma: SIGMA,
    filter: FILTER,
  },
  data: "conformance/fixtures/minilm-384 (3,000 real all-MiniLM-L6-v2 vectors + 100 real queries); beyond 3,000 rows, noisy copies of the real vectors",
  encoding,
  results,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const file = new URL(`./results/${report.date.slice(0, 19).replace(/[:T]/g, "-")}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

const row = (cells) => `| ${cells.join(" | ")} |`;
console.log(
  `\nPostgreSQL ${server.pg}, pgvector ${server.vector}; ${report.machine.cpus} cores, load ${report.machine.loadavg.join(" ")}`,
);
console.log(row(["rows", "workload", "adapter", "raw pg", "adapter / raw"]));
console.log(row(["---:", "---", "---:", "---:", "---:"]));
for (const r of results) {
  console.log(
    row([
      r.n,
      "upsert (vectors/s)",
      r.upsert.adapterPerSec,
      r.upsert.rawPerSec,
      (r.upsert.adapterPerSec / r.upsert.rawPerSec).toFixed(2),
    ]),
  );
  console.log(
    row([
      r.n,
      "upsert client CPU (µs/vector)",
      r.upsert.adapterCpuUsPerVector,
      r.upsert.rawCpuUsPerVector,
      (r.upsert.adapterCpuUsPerVector / r.upsert.rawCpuUsPerVector).toFixed(2),
    ]),
  );
  for (const [label, m] of [
    ["top-10", r.unfiltered],
    ["top-10, 10% filter, GIN", r.filteredGin],
    ["top-10, 10% filter, HNSW", r.filteredHnsw],
  ]) {
    console.log(
      row([
        r.n,
        `${label} p50 / p99 ms`,
        `${m.adapter.p50} / ${m.adapter.p99}`,
        `${m.raw.p50} / ${m.raw.p99}`,
        (m.adapter.p50 / m.raw.p50).toFixed(2),
      ]),
    );
    console.log(
      row([
        r.n,
        `${label} client CPU (µs/query)`,
        m.adapter.cpuUsPerQuery,
        m.raw.cpuUsPerQuery,
        (m.adapter.cpuUsPerQuery / m.raw.cpuUsPerQuery).toFixed(2),
      ]),
    );
    console.log(
      row([
        r.n,
        `${label} recall@10`,
        m.adapter.recall,
        m.raw.recall,
        m.rawNoIterative
          ? `no iterative scan: ${m.rawNoIterative.recall} (${m.rawNoIterative.avgReturned} rows)`
          : m.rawTextParams
            ? `raw pg, text vector parameter: ${m.rawTextParams.p50} / ${m.rawTextParams.p99} ms, ${m.rawTextParams.cpuUsPerQuery} µs CPU`
            : "",
      ]),
    );
  }
}
console.log("\n| rows | ef_search | top-10 p50 / p99 ms | recall@10 | 10% filter p50 / p99 ms | recall@10 |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of results) {
  for (const e of r.efSweep) {
    console.log(
      row([
        r.n,
        e.efSearch,
        `${e.unfiltered.p50} / ${e.unfiltered.p99}`,
        e.unfiltered.recall,
        `${e.filtered.p50} / ${e.filtered.p99}`,
        e.filtered.recall,
      ]),
    );
  }
}
console.log(`\nwritten to ${file.pathname}`);
