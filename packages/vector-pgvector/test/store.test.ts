import { type Filter, InMemoryVectorStore, type VectorRecord } from "@langswarm/memory-core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PgVectorStore } from "../src/index.js";
import { adminPool, closeAdmin, disposeStore, freshStore, SKIP_REASON, TEST_URL } from "./helpers.js";
import { randomVectors } from "./vectors.js";

if (!TEST_URL) console.warn(`[vector-pgvector] store tests skipped: ${SKIP_REASON}`);
const server = TEST_URL ? describe : describe.skip;
const unit = (i: number, d = 8) => Array.from({ length: d }, (_, j) => (j === i ? 1 : 0));

server(`PgVectorStore against PostgreSQL + pgvector${TEST_URL ? "" : ` (skipped: ${SKIP_REASON})`}`, () => {
  afterAll(closeAdmin);

  it("filtered HNSW queries still return topK thanks to iterative scans; with iterative_scan off they come back short", async () => {
    // 3000 rows, 5% "rare": the planner estimates the $ne filter as unselective and walks the HNSW
    // index, whose plain scan yields ef_search (40) candidates before filtering.
    const vectors = randomVectors(3000, 16, 7);
    const records: VectorRecord[] = vectors.map((vector, i) => ({
      id: `v${i}`,
      vector,
      metadata: { tier: i % 20 === 0 ? "rare" : "common" },
    }));
    const store = await freshStore({ dimension: 16 });
    const off = new PgVectorStore({
      url: TEST_URL,
      schema: store.settings.schema,
      dimension: 16,
      iterative_scan: "off",
      pool_size: 1,
    });
    try {
      await store.upsert(records);
      await off.setup();
      const exact = new InMemoryVectorStore({ dimension: 16 });
      await exact.upsert(records);
      const filter = { tier: { $ne: "common" } };
      let relaxedCount = 0;
      let offCount = 0;
      let hits = 0;
      for (const q of randomVectors(20, 16, 99)) {
        const truth = new Set((await exact.query({ vector: q, topK: 10, filter })).map((m) => m.id));
        const got = await store.query({ vector: q, topK: 10, filter });
        expect(got.every((m) => m.metadata.tier === "rare")).toBe(true);
        for (let i = 1; i < got.length; i++) expect(got[i - 1]!.score).toBeGreaterThanOrEqual(got[i]!.score);
        relaxedCount += got.length;
        hits += got.filter((m) => truth.has(m.id)).length;
        offCount += (await off.query({ vector: q, topK: 10, filter })).length;
      }
      expect(relaxedCount).toBe(200);
      expect(hits / 200).toBeGreaterThan(0.8);
      expect(offCount).toBeLessThan(100);
    } finally {
      await off.close();
      await disposeStore(store);
    }
  });

  it("a selective equality filter (one session among thousands) returns exactly its rows", async () => {
    const vectors = randomVectors(2000, 16, 3);
    const store = await freshStore({ dimension: 16, iterative_scan: "off" });
    try {
      await store.upsert(
        vectors.map((vector, i) => ({
          id: `m${i}`,
          vector,
          metadata: { kind: "message", sessionId: i % 500 === 7 ? "needle" : `s${i % 97}` },
        })),
      );
      const got = await store.query({
        vector: vectors[1000]!,
        topK: 10,
        filter: { kind: "message", sessionId: "needle" },
      });
      expect(got.map((m) => m.id).sort()).toEqual(["m1007", "m1507", "m507", "m7"]);
    } finally {
      await disposeStore(store);
    }
  });

  it("minScore applies in SQL before the cut, also through the index", async () => {
    const vectors = randomVectors(1500, 16, 11);
    const store = await freshStore({ dimension: 16 });
    try {
      await store.upsert(vectors.map((vector, i) => ({ id: `v${i}`, vector })));
      const all = await store.query({ vector: vectors[0]!, topK: 200 });
      expect(all).toHaveLength(200);
      const threshold = all[49]!.score - 1e-6;
      const cut = await store.query({ vector: vectors[0]!, topK: 1000, minScore: threshold });
      expect(cut.length).toBeGreaterThanOrEqual(45);
      expect(cut.length).toBeLessThanOrEqual(50);
      expect(cut.every((m) => m.score >= threshold)).toBe(true);
    } finally {
      await disposeStore(store);
    }
  });

  it('metadata filters are type-exact: 7 is not "7", true is not "true", an array never equals a scalar', async () => {
    const store = await freshStore();
    try {
      await store.upsert([
        { id: "num", vector: unit(0), metadata: { v: 7, tags: ["p", "q"], b: true } },
        { id: "str", vector: unit(1), metadata: { v: "7", tags: "p", b: "true" } },
        { id: "nul", vector: unit(2), metadata: { v: null } },
        { id: "none", vector: unit(3), metadata: {} },
      ]);
      const ids = async (filter: Filter) =>
        (await store.query({ vector: unit(0), topK: 10, filter })).map((m) => m.id).sort();
      expect(await ids({ v: 7 })).toEqual(["num"]);
      expect(await ids({ v: "7" })).toEqual(["str"]);
      expect(await ids({ b: true })).toEqual(["num"]);
      expect(await ids({ tags: "p" })).toEqual(["str"]);
      expect(await ids({ tags: { $in: ["p", "q"] } })).toEqual(["str"]);
      expect(await ids({ v: { $gte: 7 } })).toEqual(["num"]);
      expect(await ids({ v: { $ne: 7 } })).toEqual(["none", "nul", "str"]);
      expect(await ids({ v: { $exists: false } })).toEqual(["none", "nul"]);
      expect(await ids({ v: { $nin: [7, "7"] } })).toEqual(["none", "nul"]);
    } finally {
      await disposeStore(store);
    }
  });

  it("get() keeps the asked order (and repeats), vectors round-trip bit for bit", async () => {
    const store = await freshStore({ dimension: 16 });
    try {
      const vectors = randomVectors(3, 16, 5);
      vectors[0]![0] = 1e-40; // a float32 subnormal
      vectors[0]![1] = -3.4028234663852886e38;
      await store.upsert(
        vectors.map((vector, i) => ({
          id: `k${i}`,
          vector,
          metadata: { i },
          document: i === 1 ? "text ✓" : undefined,
        })),
      );
      const got = await store.get(["k2", "missing", "k0", "k2"]);
      expect(got.map((r) => r.id)).toEqual(["k2", "k0", "k2"]);
      expect(got[1]!.vector).toEqual(vectors[0]);
      expect(got[0]!.vector).toEqual(vectors[2]);
      expect((await store.get(["k1"]))[0]!.document).toBe("text ✓");
      const [withVector] = await store.query({ vector: vectors[1]!, topK: 1, includeVectors: true });
      expect(withVector!.vector).toEqual(vectors[1]);
    } finally {
      await disposeStore(store);
    }
  });

  it("an upsert larger than one batch is one transaction: a failure in the last batch stores nothing", async () => {
    const store = await freshStore({ upsert_batch_size: 100 });
    try {
      const table = `${pg.escapeIdentifier(store.settings.schema)}.${pg.escapeIdentifier(store.settings.table)}`;
      await adminPool().query(`ALTER TABLE ${table} ADD CONSTRAINT no_poison CHECK (id <> 'poison')`);
      const records = Array.from({ length: 350 }, (_, i) => ({
        id: i === 340 ? "poison" : `r${i}`,
        vector: unit(i % 8),
      }));
      await expect(store.upsert(records)).rejects.toMatchObject({ code: "BACKEND", backend: "pgvector" });
      expect(await store.count()).toBe(0);
      records[340]!.id = "r340";
      await store.upsert(records);
      expect(await store.count()).toBe(350);
    } finally {
      await disposeStore(store);
    }
  });

  it("an AbortSignal cancels a running statement on the server and the pool stays usable", async () => {
    const store = await freshStore();
    const locker = await adminPool().connect();
    try {
      const table = `${pg.escapeIdentifier(store.settings.schema)}.${pg.escapeIdentifier(store.settings.table)}`;
      await locker.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 200);
      await expect(store.count({ signal: controller.signal })).rejects.toMatchObject({ code: "ABORTED" });
      expect(Date.now() - started).toBeLessThan(5000);
      const waiting = await adminPool().query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT count(*)%'",
      );
      expect(waiting.rows[0].n).toBe(0);
      await locker.query("ROLLBACK");
      expect(await store.count()).toBe(0);
      const aborted = AbortSignal.abort();
      await expect(store.query({ vector: unit(0) }, { signal: aborted })).rejects.toMatchObject({
        code: "ABORTED",
      });
    } finally {
      await locker.query("ROLLBACK").catch(() => {});
      locker.release();
      await disposeStore(store);
    }
  });

  it("close() ends the pool it created; later calls fail with a typed error", async () => {
    const store = await freshStore();
    await disposeStore(store);
    await expect(store.count()).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
  });

  it("halfvec indexes above 2000 dimensions keep full precision in the column", async () => {
    const store = await freshStore({ dimension: 2100 });
    try {
      expect(store.settings.index.halfvec).toBe(true);
      const def = await adminPool().query(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE '%embedding_idx'",
        [store.settings.schema],
      );
      expect(def.rows[0].indexdef).toMatch(
        /USING hnsw \(\(\(embedding\)::halfvec\(2100\)\) halfvec_cosine_ops\)/,
      );
      const vectors = randomVectors(60, 2100, 21);
      await store.upsert(vectors.map((vector, i) => ({ id: `h${i}`, vector })));
      const exact = new InMemoryVectorStore({ dimension: 2100 });
      await exact.upsert(vectors.map((vector, i) => ({ id: `h${i}`, vector })));
      const got = await store.query({ vector: vectors[5]!, topK: 5 });
      const want = await exact.query({ vector: vectors[5]!, topK: 5 });
      expect(got.map((m) => m.id)).toEqual(want.map((m) => m.id));
      for (const [i, m] of got.entries()) expect(Math.abs(m.score - want[i]!.score)).toBeLessThan(2e-3);
      expect((await store.get(["h3"]))[0]!.vector).toEqual(vectors[3]);
    } finally {
      await disposeStore(store);
    }
  });

  it("IVFFlat: the index waits for enough rows to train, then probing every list is exact", async () => {
    const store = await freshStore({
      dimension: 16,
      index_type: "ivfflat",
      ivfflat_lists: 10,
      ivfflat_probes: 10,
    });
    try {
      expect(store.setupResult!.embeddingIndexBuilt).toBe(false);
      const vectors = randomVectors(600, 16, 13);
      const records = vectors.map((vector, i) => ({ id: `f${i}`, vector, metadata: { even: i % 2 === 0 } }));
      await store.upsert(records);
      await store.setup();
      expect(store.setupResult!.embeddingIndexBuilt).toBe(true);
      const exact = new InMemoryVectorStore({ dimension: 16 });
      await exact.upsert(records);
      for (const q of randomVectors(5, 16, 17)) {
        const got = await store.query({ vector: q, topK: 10, filter: { even: true } });
        const want = await exact.query({ vector: q, topK: 10, filter: { even: true } });
        expect(got.map((m) => m.id)).toEqual(want.map((m) => m.id));
      }
      await store.reindex();
    } finally {
      await disposeStore(store);
    }
  });

  it("a zero vector under cosine scores 0, as in core's reference", async () => {
    const store = await freshStore({ index_type: "none" });
    try {
      await store.upsert([
        { id: "zero", vector: new Array(8).fill(0) },
        { id: "x", vector: unit(0) },
      ]);
      const got = await store.query({ vector: unit(0), topK: 2, minScore: 0.5 });
      expect(got.map((m) => [m.id, m.score])).toEqual([["x", 1]]);
      const all = await store.query({ vector: unit(0), topK: 2 });
      expect(all.find((m) => m.id === "zero")!.score).toBe(0);
    } finally {
      await disposeStore(store);
    }
  });
});
