// Benchmark: @langswarm/vector-sqlite (both engines) against raw sqlite-vec and a raw JS scan doing
// the same work, in one run on one machine, on real embeddings. Not a test. Build first:
//   pnpm --filter @langswarm/vector-sqlite build && node bench/vector-bench.mjs [--quick]
// Data: conformance/fixtures/minilm-384 (3,000 all-MiniLM-L6-v2 vectors of real text + 100 real
// queries). 10k and 100k corpora are made by adding small Gaussian noise (sigma 0.02 per
// component, then L2-normalising) to copies of the real vectors; the queries stay the real ones.
// Writes bench/results/vector-bench.json and prints a table.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { SqliteVectorStore } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "../../../conformance/fixtures/minilm-384");
const D = 384;
const SIGMA = 0.02;
const dir = mkdtempSync(join(tmpdir(), "vector-sqlite-bench-"));

function readF32(name) {
  const buf = readFileSync(join(fixture, name));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
const base = readF32("corpus.f32");
const queryMatrix = readF32("queries.f32");
const baseCount = base.length / D;
const queries = Array.from({ length: queryMatrix.length / D }, (_, i) =>
  queryMatrix.slice(i * D, (i + 1) * D),
);

// Seeded normal noise (mulberry32 + Box-Muller), so every run expands the corpus identically.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function corpus(n) {
  const rand = rng(42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const out = new Float32Array(n * D);
  for (let r = 0; r < n; r++) {
    const src = (r % baseCount) * D;
    let norm = 0;
    for (let i = 0; i < D; i++) {
      const v = base[src + i] + (r < baseCount ? 0 : SIGMA * gauss());
      out[r * D + i] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < D; i++) out[r * D + i] /= norm;
  }
  return out;
}

/** Exact top 10 by cosine in float64: the ground truth. */
function exactTop(matrix, n, q, k = 10, allowed = null) {
  const best = [];
  for (let r = 0; r < n; r++) {
    if (allowed && !allowed(r)) continue;
    let dot = 0;
    let nb = 0;
    let na = 0;
    for (let i = 0; i < D; i++) {
      const x = q[i];
      const y = matrix[r * D + i];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    const s = dot / (Math.sqrt(na) * Math.sqrt(nb));
    if (best.length < k || s > best[best.length - 1][1]) {
      best.push([r, s]);
      best.sort((a, b) => b[1] - a[1]);
      if (best.length > k) best.pop();
    }
  }
  return best.map(([r]) => r);
}

const bucketOf = (r) => r % 10; // metadata { bucket }: the 10% filter keeps bucket 3 (not indexed)
const sessionOf = (r) => `s${r % 100}`; // metadata { sessionId }: the 1% filter keeps s7 (indexed by default)

/**
 * Time every method on every query, round-robin (query 1 on each method, then query 2...), so that
 * load from other jobs on a shared machine falls on all methods alike.
 */
async function measureAll(n, methods) {
  for (const m of methods) await m.fn(queries[0]); // warm-up: load caches, prepare statements
  const times = methods.map(() => []);
  const hits = methods.map(() => 0);
  for (let i = 0; i < queries.length; i++) {
    for (const [j, m] of methods.entries()) {
      const t = performance.now();
      const got = await m.fn(queries[i]);
      times[j].push(performance.now() - t);
      const want = new Set(m.truth[i]);
      hits[j] += got.filter((r) => want.has(r)).length;
    }
  }
  return methods.map((m, j) => {
    const sorted = times[j].sort((a, b) => a - b);
    return {
      label: m.label,
      n,
      p50: +sorted[Math.floor(sorted.length * 0.5)].toFixed(2),
      p95: +sorted[Math.floor(sorted.length * 0.95)].toFixed(2),
      recall: +(hits[j] / (m.truth.length * 10)).toFixed(4),
    };
  });
}

const results = [];
const builds = [];

async function runSize(n) {
  const matrix = corpus(n);
  const row = (r) => matrix.subarray(r * D, (r + 1) * D);
  const truth = queries.map((q) => exactTop(matrix, n, q));
  const truthFiltered = queries.map((q) => exactTop(matrix, n, q, 10, (r) => bucketOf(r) === 3));
  const truthSession = queries.map((q) => exactTop(matrix, n, q, 10, (r) => sessionOf(r) === "s7"));
  const idOf = (r) => `d${r}`;
  const rowOf = (id) => Number(id.slice(1));

  // The adapter, with each engine, in its own file.
  const stores = {};
  for (const [engine, useSqliteVec] of [
    ["sqlite-vec", true],
    ["js", false],
  ]) {
    const store = new SqliteVectorStore({
      path: join(dir, `${engine}-${n}.db`),
      dimension: D,
      use_sqlite_vec: useSqliteVec,
    });
    await store.setup();
    const t = performance.now();
    for (let start = 0; start < n; start += 1000) {
      const batch = [];
      for (let r = start; r < Math.min(n, start + 1000); r++)
        batch.push({
          id: idOf(r),
          vector: row(r),
          metadata: { bucket: bucketOf(r), sessionId: sessionOf(r) },
        });
      await store.upsert(batch);
    }
    builds.push({
      n,
      what: `adapter (${engine}) upsert, batches of 1000`,
      vectorsPerSecond: Math.round(n / ((performance.now() - t) / 1000)),
    });
    stores[engine] = store;
  }

  // Raw sqlite-vec: the same rows, written directly (main table + vec0), in its own file.
  const raw = new Database(join(dir, `raw-${n}.db`));
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = NORMAL");
  sqliteVec.load(raw);
  raw.exec(`CREATE TABLE items (pk INTEGER PRIMARY KEY, id TEXT UNIQUE, metadata BLOB, vector BLOB);
            CREATE INDEX items_session ON items ((metadata ->> '$.sessionId'));
            CREATE VIRTUAL TABLE knn USING vec0(embedding float[${D}] distance_metric=cosine);`);
  const insItem = raw.prepare("INSERT INTO items (pk, id, metadata, vector) VALUES (?, ?, jsonb(?), ?)");
  const insKnn = raw.prepare("INSERT INTO knn (rowid, embedding) VALUES (?, ?)");
  const t = performance.now();
  raw.transaction(() => {
    for (let r = 0; r < n; r++) {
      const blob = Buffer.from(row(r).slice().buffer);
      insItem.run(r, idOf(r), JSON.stringify({ bucket: bucketOf(r), sessionId: sessionOf(r) }), blob);
      insKnn.run(BigInt(r), blob);
    }
  })();
  builds.push({
    n,
    what: "raw sqlite-vec insert (items + vec0), one transaction",
    vectorsPerSecond: Math.round(n / ((performance.now() - t) / 1000)),
  });
  // Every raw variant returns what the adapter returns: ids with their parsed metadata, best first.
  const knnIds = raw.prepare("SELECT rowid FROM knn WHERE embedding MATCH ? AND k = 10").pluck();
  const itemsByPk = raw.prepare(
    "SELECT pk, id, json(metadata) AS metadata FROM items WHERE pk IN (SELECT value FROM json_each(?))",
  );
  const fetchRows = (pks) => {
    const rows = new Map(
      itemsByPk.all(JSON.stringify(pks)).map((r) => [r.pk, { id: r.id, metadata: JSON.parse(r.metadata) }]),
    );
    return pks.map((pk) => rows.get(pk));
  };
  const knn = { all: (q) => fetchRows(knnIds.all(q)).map((r) => rowOf(r.id)) };
  const scan = (where) =>
    raw.prepare(
      `SELECT id, json(metadata) AS metadata FROM items WHERE ${where} ORDER BY vec_distance_cosine(vector, ?) LIMIT 10`,
    );
  const filteredStmt = scan("metadata ->> '$.bucket' = 3");
  const sessionStmt = scan("metadata ->> '$.sessionId' = 's7'");
  const rowsOut = (rows) =>
    rows.map((r) => {
      JSON.parse(r.metadata); // parsed like the adapter's results, then reduced to the row number
      return rowOf(r.id);
    });
  const filtered = { all: (q) => rowsOut(filteredStmt.all(q)) };
  const bySession = { all: (q) => rowsOut(sessionStmt.all(q)) };
  // The raw JS scan gets its filtered rows from SQL too, as the adapter must.
  const bucketRows = raw.prepare("SELECT pk FROM items WHERE metadata ->> '$.bucket' = 3").pluck();
  const sessionRows = raw.prepare("SELECT pk FROM items WHERE metadata ->> '$.sessionId' = 's7'").pluck();

  // Raw JS scan: a Float32Array matrix with precomputed norms and a top-10 heap-less insert.
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += matrix[r * D + i] ** 2;
    norms[r] = Math.sqrt(s);
  }
  const jsScan = (q, rows) => {
    let na = 0;
    for (let i = 0; i < D; i++) na += q[i] * q[i];
    const qn = Math.sqrt(na);
    const best = [];
    const count = rows ? rows.length : n;
    for (let j = 0; j < count; j++) {
      const r = rows ? rows[j] : j;
      let dot = 0;
      const o = r * D;
      for (let i = 0; i < D; i++) dot += q[i] * matrix[o + i];
      const s = dot / (qn * norms[r]);
      if (best.length < 10 || s > best[best.length - 1][1]) {
        best.push([r, s]);
        best.sort((a, b) => b[1] - a[1]);
        if (best.length > 10) best.pop();
      }
    }
    return fetchRows(best.map(([r]) => r)).map((r) => rowOf(r.id));
  };

  const blob = (q) => Buffer.from(q.buffer, q.byteOffset, q.byteLength);
  const viaStore = (store, filter) => async (q) =>
    (await store.query({ vector: q, topK: 10, filter })).map((m) => rowOf(m.id));
  const f = { bucket: 3 };
  const s7 = { sessionId: "s7" };
  const vec = stores["sqlite-vec"];
  results.push(
    ...(await measureAll(n, [
      { label: "adapter, sqlite-vec engine", fn: viaStore(vec), truth },
      { label: "raw sqlite-vec (vec0 KNN, k=10)", fn: (q) => knn.all(blob(q)), truth },
      { label: "adapter, JS engine", fn: viaStore(stores.js), truth },
      { label: "raw JS scan (Float32Array)", fn: (q) => jsScan(q), truth },
      { label: "adapter, sqlite-vec engine, filter 10%", fn: viaStore(vec, f), truth: truthFiltered },
      { label: "raw sqlite-vec scan, filter 10%", fn: (q) => filtered.all(blob(q)), truth: truthFiltered },
      { label: "adapter, JS engine, filter 10%", fn: viaStore(stores.js, f), truth: truthFiltered },
      {
        label: "raw JS scan, filter 10% (rows from SQL)",
        fn: (q) => jsScan(q, bucketRows.all()),
        truth: truthFiltered,
      },
      { label: "adapter, sqlite-vec engine, indexed filter 1%", fn: viaStore(vec, s7), truth: truthSession },
      {
        label: "raw sqlite-vec scan, indexed filter 1%",
        fn: (q) => bySession.all(blob(q)),
        truth: truthSession,
      },
      { label: "adapter, JS engine, indexed filter 1%", fn: viaStore(stores.js, s7), truth: truthSession },
      {
        label: "raw JS scan, indexed filter 1% (rows from SQL)",
        fn: (q) => jsScan(q, sessionRows.all()),
        truth: truthSession,
      },
    ])),
  );

  for (const store of Object.values(stores)) await store.close();
  raw.close();
}

try {
  for (const n of quick ? [10_000] : [10_000, 100_000]) await runSize(n);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const machine = { node: process.version, cpus: cpus().length, loadavg: loadavg().map((l) => +l.toFixed(2)) };
const out = join(here, "results", "vector-bench.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), machine, quick, data: { fixture: "minilm-384", sigma: SIGMA, queries: queries.length }, results, builds }, null, 2)}\n`,
);
console.log(
  `vector-sqlite vs raw (same data, same run) — node ${machine.node}, ${machine.cpus} cpus, load ${machine.loadavg.join(" ")}`,
);
console.table(
  results.map((r) => ({
    vectors: r.n,
    method: r.label,
    "p50 ms": r.p50,
    "p95 ms": r.p95,
    "recall@10": r.recall,
  })),
);
console.table(builds);
