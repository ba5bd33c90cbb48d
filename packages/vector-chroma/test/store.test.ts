import {
  type Filter,
  matchesFilter,
  parseFilter,
  type VectorMetadata,
  type VectorRecord,
} from "@langswarm/memory-core";
import { afterAll, describe, expect, it } from "vitest";
import type { ChromaVectorStore } from "../src/index.js";
import { adminClient, dropCollection, newStore, SKIP_REASON, TEST_URL, uniqueCollection } from "./helpers.js";

if (!TEST_URL) console.warn(`[vector-chroma] store tests skipped: ${SKIP_REASON}`);

const created: string[] = [];
async function opened(settings: Parameters<typeof newStore>[0] = {}): Promise<ChromaVectorStore> {
  const store = newStore(settings);
  created.push(store.settings.collection);
  await store.setup();
  return store;
}

describe.skipIf(!TEST_URL)("ChromaVectorStore against a real Chroma server", () => {
  afterAll(async () => {
    for (const name of created) await dropCollection(name);
  });

  it("filters exactly like core on mixed-type sets, arrays, nulls and empty sets", async () => {
    const store = await opened();
    const values: VectorMetadata["v"][] = [
      1,
      2,
      1.5,
      2.5,
      "1",
      "a",
      true,
      false,
      null,
      ["a", "b"],
      2 ** 60,
      0.1,
    ];
    const records: VectorRecord[] = values.map((v, i) => ({
      id: `m${i}`,
      vector: [1, i, 0, 0],
      metadata: { v, i },
    }));
    records.push({ id: "none", vector: [0, 0, 1, 0], metadata: { i: 99 } });
    await store.upsert(records);
    const filters: Filter[] = [
      { v: { $in: [1, 1.5, "a", true] } },
      { v: { $nin: [2, 2.5, "1", false] } },
      { v: { $in: [] } },
      { v: { $nin: [] } },
      { v: { $ne: "a" } },
      { v: { $ne: 1 } },
      { v: 1 },
      { v: true },
      { v: { $gt: 1 } },
      { v: { $lte: 0.1 } },
      { v: { $exists: true } },
      { v: { $exists: false } },
      { $and: [{ v: { $exists: true } }] },
      { $or: [{ v: "a" }, { $and: [{ i: { $gte: 3 } }, { i: { $lt: 5 } }] }] },
      { v: { $in: [2 ** 60, 0.1] } },
    ];
    for (const filter of filters) {
      const node = parseFilter(filter);
      const expected = records
        .filter((r) => matchesFilter(r.metadata!, node))
        .map((r) => r.id)
        .sort();
      const got = (await store.query({ vector: [1, 0, 0, 0], topK: 100, filter })).map((m) => m.id).sort();
      expect(got, JSON.stringify(filter)).toEqual(expected);
    }
  });

  it("round-trips null documents, empty metadata, arrays and nulls", async () => {
    const store = await opened();
    await store.upsert([
      { id: "a", vector: [1, 0, 0, 0], document: "" },
      { id: "b", vector: [0, 1, 0, 0], metadata: { tags: [], x: null, s: "" } },
      { id: "c", vector: [0, 0, 1, 0], document: "text" },
    ]);
    const got = await store.get(["c", "b", "a", "c"]);
    expect(got.map((r) => [r.id, r.document, r.metadata])).toEqual([
      ["c", "text", {}],
      ["b", null, { tags: [], x: null, s: "" }],
      ["a", "", {}],
      ["c", "text", {}],
    ]);
    // Replacing a record with a document by one without drops the document.
    await store.upsert([{ id: "c", vector: [0, 0, 1, 0] }]);
    expect((await store.get(["c"]))[0]!.document).toBeNull();
    expect(await store.get([])).toEqual([]);
    await store.delete([]);
    expect(await store.count()).toBe(3);
  });

  it("splits upserts into batches of upsert_batch_size", async () => {
    const store = await opened({ upsert_batch_size: 50 });
    await store.upsert(Array.from({ length: 130 }, (_, i) => ({ id: `b${i}`, vector: [1, i, 0, 1] })));
    expect(await store.count()).toBe(130);
  });

  it("two stores setting up the same collection at once both succeed and share it", async () => {
    const name = uniqueCollection("race");
    created.push(name);
    const stores = Array.from({ length: 4 }, () => newStore({ collection_name: name }));
    await Promise.all(stores.map((s) => s.setup()));
    await stores[0]!.upsert([{ id: "x", vector: [1, 2, 3, 4] }]);
    expect(await stores[3]!.count()).toBe(1);
    const meta = (await adminClient().getCollection({ name })).metadata;
    expect(meta).toMatchObject({
      "langswarm.layout": 1,
      "langswarm.dimension": 4,
      "langswarm.metric": "cosine",
    });
  });

  it("checks a collection made by another client by its data, and adopts an empty one", async () => {
    const name = uniqueCollection("foreign");
    created.push(name);
    const foreign = await adminClient().createCollection({
      name,
      metadata: { "hnsw:space": "l2" },
      embeddingFunction: null,
    });
    await foreign.add({ ids: ["f"], embeddings: [[1, 2, 3]] });
    const wrongDim = newStore({ collection_name: name, metric: "euclidean" });
    await expect(wrongDim.setup()).rejects.toMatchObject({
      code: "DIMENSION_MISMATCH",
      expected: 3,
      actual: 4,
    });
    await expect(newStore({ collection_name: name, dimension: 3 }).setup()).rejects.toMatchObject({
      code: "CONFIG",
      key: "metric",
    });
    const ok = newStore({ collection_name: name, dimension: 3, metric: "euclidean" });
    await ok.setup();
    const [f] = await ok.get(["f"]);
    expect(Array.from(f!.vector)).toEqual([1, 2, 3]);

    const empty = uniqueCollection("adopt");
    created.push(empty);
    await adminClient().createCollection({ name: empty, embeddingFunction: null });
    await newStore({ collection_name: empty, metric: "euclidean" }).setup();
    expect((await adminClient().getCollection({ name: empty })).metadata).toMatchObject({
      "langswarm.dimension": 4,
    });
    await expect(
      newStore({ collection_name: empty, dimension: 5, metric: "euclidean" }).setup(),
    ).rejects.toMatchObject({
      code: "DIMENSION_MISMATCH",
    });
  });

  it("honours an aborted signal, refuses use before setup and after close, and drop removes the collection", async () => {
    const fresh = newStore();
    await expect(fresh.count()).rejects.toMatchObject({ code: "VALIDATION" });
    const store = await opened();
    await expect(store.count({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ABORTED" });
    await store.drop();
    const names = (await adminClient().listCollections({ limit: 1000 })).map((c) => c.name);
    expect(names).not.toContain(store.settings.collection);
    await store.drop(); // idempotent
    await store.close();
    await expect(store.count()).rejects.toMatchObject({ code: "VALIDATION" });
  });
});
