import {
  type Filter,
  InMemoryVectorStore,
  type VectorMetric,
  type VectorRecord,
  vectorRules,
} from "@langswarm/memory-core";
import { afterAll, describe, expect, it } from "vitest";
import { type SqliteVectorSettings, SqliteVectorStore } from "../src/index.js";
import { tempDir } from "./support/tmp.js";

// Both engines must return exactly what the exact in-memory reference returns: same ids, same
// order (ties by id), same scores — including the edge cases that trip float32 KNN indexes.
const tmp = tempDir("vector-sqlite-engines");
afterAll(() => tmp.cleanup());
let n = 0;

/** Deterministic clustered data (a seeded LCG), so failures replay. */
function dataset(count: number, dimension: number, seed = 7): VectorRecord[] {
  let state = seed;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const centres = Array.from({ length: 8 }, () => Array.from({ length: dimension }, () => rand() * 2 - 1));
  return Array.from({ length: count }, (_, i) => {
    const c = centres[i % centres.length]!;
    return {
      id: `v${String(i).padStart(4, "0")}`,
      vector: c.map((x) => x + (rand() - 0.5) * 0.4),
      metadata: {
        group: `g${i % 5}`,
        sessionId: `s${i % 7}`, // indexed by default: filters on it go through its expression index
        n: i,
        even: i % 2 === 0,
        ...(i % 3 === 0 ? { tag: "t" } : {}),
      },
      document: `doc ${i}`,
    };
  });
}

const engines: { name: string; settings: SqliteVectorSettings; expect: "sqlite-vec" | "js" }[] = [
  { name: "sqlite-vec", settings: { use_sqlite_vec: true }, expect: "sqlite-vec" },
  { name: "JS scan", settings: { use_sqlite_vec: false }, expect: "js" },
];

async function pair(metric: VectorMetric, dimension: number, settings: SqliteVectorSettings) {
  const store = new SqliteVectorStore({ path: tmp.file(`e${n++}.db`), dimension, metric, ...settings });
  await store.setup();
  const reference = new InMemoryVectorStore({ dimension, metric });
  return { store, reference };
}

/**
 * `plan`: how the sqlite-vec engine should answer (a filter keeping ~20-40% of rows may go either
 * way: the planner samples its selectivity at random; results never depend on the plan).
 */
const EITHER = ["knn-postfilter", "prefilter-scan"];
const queries: {
  label: string;
  topK: number;
  filter?: Filter;
  minScore?: number;
  plan: string | string[];
}[] = [
  { label: "top 10", topK: 10, plan: "knn" },
  { label: "top 1", topK: 1, plan: "knn" },
  { label: "top 200 (more than some filters match)", topK: 200, plan: "knn" },
  { label: "filter 20%", topK: 10, filter: { group: "g1" }, plan: EITHER },
  { label: "filter 1 row", topK: 10, filter: { n: 17 }, plan: "prefilter-scan" },
  { label: "filter on an indexed field", topK: 10, filter: { sessionId: "s3" }, plan: "prefilter-scan" },
  {
    label: "indexed $in and more",
    topK: 10,
    filter: { $and: [{ sessionId: { $in: ["s1", "s2"] } }, { even: true }] },
    plan: "prefilter-scan",
  },
  {
    label: "filter $or + range",
    topK: 25,
    filter: { $or: [{ tag: "t" }, { n: { $lt: 40 } }] },
    plan: EITHER,
  },
  {
    label: "filter $ne (missing fields match)",
    topK: 15,
    filter: { tag: { $ne: "t" } },
    plan: "knn-postfilter",
  },
  { label: "minScore", topK: 50, minScore: 0.2, plan: "knn" },
];

describe.each(engines)("$name engine", ({ settings, expect: engine }) => {
  for (const metric of ["cosine", "euclidean", "dot"] as VectorMetric[]) {
    it(`${metric}: same ids, order and scores as the exact reference`, async () => {
      // vec0 has no dot product: "auto" serves dot with the JS scan (true would be a ConfigError).
      const own =
        metric === "dot" && settings.use_sqlite_vec === true ? { use_sqlite_vec: "auto" as const } : settings;
      const { store, reference } = await pair(metric, 16, own);
      expect(store.engine).toBe(metric === "dot" ? "js" : engine);
      const data = dataset(600, 16);
      await store.upsert(data);
      await reference.upsert(data);
      for (const probe of [
        data[3]!.vector,
        Array.from(data[100]!.vector, (x) => -x),
        dataset(1, 16, 99)[0]!.vector,
      ]) {
        for (const { plan, ...q } of queries) {
          const got = await store.query({ vector: probe, ...q });
          const want = await reference.query({ vector: probe, ...q });
          const expected = store.engine === "js" ? ["js-scan"] : [plan].flat();
          expect(expected, q.label).toContain(store.lastPlan?.replace("+exact", ""));
          expect(
            got.map((m) => m.id),
            q.label,
          ).toEqual(want.map((m) => m.id));
          expect(
            got.map((m) => m.score),
            q.label,
          ).toEqual(want.map((m) => m.score));
          expect(got.map((m) => m.metadata)).toEqual(want.map((m) => m.metadata));
        }
      }
      await store.close();
    });
  }

  it("ties: many identical vectors are ordered by id, exactly like the reference", async () => {
    const { store, reference } = await pair("cosine", 4, settings);
    // 300 copies of one vector (ids shuffled), plus a few others: every KNN window is one big tie.
    const same = Array.from({ length: 300 }, (_, i) => ({
      id: `dup-${(i * 7919) % 300}`,
      vector: [1, 2, 3, 4],
    }));
    const others = [
      { id: "near", vector: [1, 2, 3, 4.5] },
      { id: "far", vector: [-1, 0, 0, 0] },
    ];
    for (const s of [store, reference]) await s.upsert([...same, ...others]);
    for (const topK of [1, 10, 299, 301]) {
      const got = await store.query({ vector: [1, 2, 3, 4], topK });
      const want = await reference.query({ vector: [1, 2, 3, 4], topK });
      expect(got.map((m) => m.id)).toEqual(want.map((m) => m.id));
    }
    await store.close();
  });

  it("zero vectors: cosine scores them 0 (stored or queried), and they rank like the reference", async () => {
    const { store, reference } = await pair("cosine", 3, settings);
    const data = [
      { id: "zero-b", vector: [0, 0, 0] },
      { id: "zero-a", vector: [0, 0, 0] },
      { id: "pos", vector: [1, 0, 0] },
      { id: "neg", vector: [-1, 0, 0] },
      { id: "orth", vector: [0, 1, 0] },
    ];
    for (const s of [store, reference]) await s.upsert(data);
    for (const vector of [
      [1, 0, 0],
      [0, 0, 0],
      [-1, 0.1, 0],
    ]) {
      for (const topK of [2, 3, 5]) {
        const got = await store.query({ vector, topK });
        const want = await reference.query({ vector, topK });
        expect(got.map((m) => [m.id, m.score])).toEqual(want.map((m) => [m.id, m.score]));
      }
    }
    await store.close();
  });

  it("a filter whose rows all lie beyond the largest KNN window (4096) still finds them", async () => {
    const { store, reference } = await pair("euclidean", 4, settings);
    const data = dataset(8000, 4, 3);
    const probe = Float32Array.from(data[0]!.vector);
    // Mark the 3,200 rows farthest from the probe: a common filter (40%, so the planner tries KNN
    // windows first) whose matches all lie outside the nearest 4,096.
    const score = (r: VectorRecord) =>
      vectorRules.similarity("euclidean", probe, Float32Array.from(r.vector));
    const far = new Set(
      [...data]
        .sort((a, b) => score(a) - score(b))
        .slice(0, 3200)
        .map((r) => r.id),
    );
    const marked = data.map((r) => ({ ...r, metadata: { ...r.metadata, far: far.has(r.id) } }));
    await store.upsert(marked);
    await reference.upsert(marked);
    const got = await store.query({ vector: probe, topK: 5, filter: { far: true } });
    const want = await reference.query({ vector: probe, topK: 5, filter: { far: true } });
    expect(got.map((m) => [m.id, m.score])).toEqual(want.map((m) => [m.id, m.score]));
    expect(store.lastPlan).toBe(engine === "js" ? "js-scan" : "prefilter-scan");
    await store.close();
  });

  it("returns vectors when asked, and copies that callers may keep", async () => {
    const { store } = await pair("euclidean", 3, settings);
    await store.upsert([{ id: "a", vector: [0.1, 0.2, 0.3] }]);
    const [hit] = await store.query({ vector: [0, 0, 0], topK: 1, includeVectors: true });
    expect(Array.from(hit!.vector!)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3])));
    const [without] = await store.query({ vector: [0, 0, 0], topK: 1 });
    expect(without!.vector).toBeUndefined();
    hit!.vector![0] = 99;
    const [again] = await store.get(["a"]);
    expect(again!.vector[0]).toBeCloseTo(0.1);
    await store.close();
  });
});

describe("one file, several connections", () => {
  it("a connection's cached vectors follow writes made through another connection", async () => {
    const path = tmp.file("shared.db");
    const a = new SqliteVectorStore({ path, dimension: 2, use_sqlite_vec: false });
    const b = new SqliteVectorStore({ path, dimension: 2, use_sqlite_vec: false });
    await a.setup();
    await b.setup();
    await a.upsert([{ id: "x", vector: [1, 0] }]);
    expect((await a.query({ vector: [1, 0], topK: 5 })).map((m) => m.id)).toEqual(["x"]); // a caches now
    await b.upsert([{ id: "y", vector: [1, 0.01] }]);
    await b.delete(["x"]);
    expect((await a.query({ vector: [1, 0], topK: 5 })).map((m) => m.id)).toEqual(["y"]);
    await a.upsert([{ id: "z", vector: [0.9, 0] }]); // a's own write updates its cache in place
    expect((await a.query({ vector: [1, 0], topK: 5 })).map((m) => m.id)).toEqual(["z", "y"]);
    expect((await b.query({ vector: [1, 0], topK: 5 })).map((m) => m.id)).toEqual(["z", "y"]);
    await a.close();
    await b.close();
  });

  it("writes made without sqlite-vec are seen by sqlite-vec readers, and setup() rebuilds the KNN table", async () => {
    const path = tmp.file("mixed.db");
    const vec = new SqliteVectorStore({ path, dimension: 2, use_sqlite_vec: true });
    await vec.setup();
    await vec.upsert([{ id: "old", vector: [1, 0] }]);
    const js = new SqliteVectorStore({ path, dimension: 2, use_sqlite_vec: false });
    await js.setup();
    await js.upsert([{ id: "new", vector: [1, 0.001] }]); // cannot maintain the vec0 table
    expect((await vec.query({ vector: [1, 0.001], topK: 1 })).map((m) => m.id)).toEqual(["new"]);
    await expect(js.drop()).rejects.toThrow(/sqlite-vec/);

    const meta = () =>
      Object.fromEntries(
        vec.database.prepare("SELECT key, value FROM ls_vectors_meta").raw().all() as [string, number][],
      );
    expect(meta().knn_generation).toBeLessThan(meta().generation!);
    await vec.setup();
    expect(meta().knn_generation).toBe(meta().generation);
    const knnRows = vec.database.prepare("SELECT count(*) FROM ls_vectors_knn").pluck().get();
    expect(knnRows).toBe(2);
    expect((await vec.query({ vector: [1, 0.001], topK: 2 })).map((m) => m.id)).toEqual(["new", "old"]);
    await js.close();
    await vec.drop();
    const left = vec.database
      .prepare("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ls_vectors%'")
      .pluck()
      .get();
    expect(left).toBe(0);
    await vec.close();
  });
});
