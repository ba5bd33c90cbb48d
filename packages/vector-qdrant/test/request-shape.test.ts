import type { Filter } from "@langswarm/memory-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pointId, QdrantVectorStore } from "../src/index.js";
import { FakeQdrant, type RecordedRequest } from "./fake-qdrant.js";
import { uniqueCollection } from "./helpers.js";

/**
 * The exact REST calls the store makes: paths, query parameters and JSON bodies, as Qdrant's API
 * reference documents them (https://api.qdrant.tech/api-reference).
 */
const fake = new FakeQdrant();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.clearRequests());

const calls = (): RecordedRequest[] => fake.requests.filter((r) => r.path !== "/");
const last = (): RecordedRequest => fake.requests.at(-1)!;

async function ready(settings: Record<string, unknown> = {}): Promise<QdrantVectorStore> {
  const store = new QdrantVectorStore({
    url: fake.url,
    collection_name: uniqueCollection("shape"),
    dimension: 3,
    ...settings,
  });
  await store.setup();
  fake.clearRequests();
  return store;
}

describe("setup()", () => {
  it("reads the server version, then creates the collection with size, distance, HNSW options and its layout mark", async () => {
    const name = uniqueCollection("create");
    const store = new QdrantVectorStore({
      url: fake.url,
      collection_name: name,
      dimension: 4,
      metric: "euclidean",
      on_disk: true,
      hnsw_m: 32,
      hnsw_ef_construct: 200,
      filterable_fields: { sessionId: "keyword", seq: "integer", ok: "bool", weight: "float" },
    });
    await store.setup();
    const seen = fake.requests.map((r) => `${r.method} ${r.path}`);
    expect(seen).toEqual([
      "GET /",
      `GET /collections/${name}`,
      `PUT /collections/${name}`,
      `GET /collections/${name}`,
      `PUT /collections/${name}/index`,
      `PUT /collections/${name}/index`,
      `PUT /collections/${name}/index`,
      `PUT /collections/${name}/index`,
    ]);
    expect(fake.requests[2]!.body).toEqual({
      vectors: { size: 4, distance: "Euclid", on_disk: true },
      hnsw_config: { m: 32, ef_construct: 200 },
      metadata: { langswarm: { store: "@langswarm/vector-qdrant", layout: 1 } },
    });
    expect(fake.requests.slice(4).map((r) => [r.query, r.body])).toEqual([
      [{ wait: "true" }, { field_name: "metadata.sessionId", field_schema: "keyword" }],
      [{ wait: "true" }, { field_name: "metadata.seq", field_schema: "integer" }],
      [{ wait: "true" }, { field_name: "metadata.ok", field_schema: "bool" }],
      [{ wait: "true" }, { field_name: "metadata.weight", field_schema: "float" }],
    ]);
    expect(store.setupOutcome).toMatchObject({ created: true, serverVersion: "1.15.0" });

    // Again: nothing to create, only reads.
    fake.clearRequests();
    await store.setup();
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /", `GET /collections/${name}`]);
    expect(store.setupOutcome).toMatchObject({ created: false, indexesCreated: [] });
  });

  it("leaves out what is not configured (defaults are Qdrant's)", async () => {
    const name = uniqueCollection("plain");
    await new QdrantVectorStore({ url: fake.url, collection_name: name, dimension: 2 }).setup();
    const create = fake.requests.find((r) => r.method === "PUT" && r.path === `/collections/${name}`)!;
    expect(create.body).toEqual({
      vectors: { size: 2, distance: "Cosine" },
      metadata: { langswarm: { store: "@langswarm/vector-qdrant", layout: 1 } },
    });
  });
});

describe("writes", () => {
  it("upserts in batches of batch_size, waiting for each, with UUIDv5 ids and the payload layout", async () => {
    const store = await ready({ batch_size: 2, metric: "cosine" });
    await store.upsert([
      {
        id: "a",
        vector: [3, 0, 4],
        metadata: { role: "user", n: 1, ok: true, none: null },
        document: "doc a",
      },
      { id: "b", vector: [0, 1, 0], metadata: { tags: ["x", "y"], empty: [] } },
      { id: "c", vector: [1, 1, 1] },
    ]);
    const upserts = calls();
    expect(upserts.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)}`)).toEqual([
      `PUT /collections/${store.index.name}/points {"wait":"true"}`,
      `PUT /collections/${store.index.name}/points {"wait":"true"}`,
    ]);
    expect(upserts[0]!.body).toEqual({
      points: [
        {
          id: pointId("a"),
          vector: [3, 0, 4],
          payload: {
            _id: "a",
            document: "doc a",
            metadata: { role: "user", n: 1, ok: true, none: null },
            _norm: 5,
          },
        },
        {
          id: pointId("b"),
          vector: [0, 1, 0],
          payload: {
            _id: "b",
            document: null,
            metadata: {},
            metadata_arrays: { tags: ["x", "y"], empty: [] },
            _array_fields: ["tags", "empty"],
            _norm: 1,
          },
        },
      ],
    });
    expect((upserts[1]!.body as { points: unknown[] }).points).toHaveLength(1);
  });

  it("keeps no norm for dot and euclidean (Qdrant stores those vectors as they are)", async () => {
    const store = await ready({ metric: "dot" });
    await store.upsert([{ id: "a", vector: [3, 0, 4] }]);
    const point = (last().body as { points: { payload: Record<string, unknown> }[] }).points[0]!;
    expect(point.payload).toEqual({ _id: "a", document: null, metadata: {} });
  });

  it("deletes by ids (deduplicated) and by filter, waiting for both", async () => {
    const store = await ready();
    await store.delete(["a", "b", "a"]);
    expect(last()).toMatchObject({
      method: "POST",
      path: `/collections/${store.index.name}/points/delete`,
      query: { wait: "true" },
      body: { points: [pointId("a"), pointId("b")] },
    });
    await store.deleteByFilter({ sessionId: "s1" });
    expect(last()).toMatchObject({
      path: `/collections/${store.index.name}/points/delete`,
      query: { wait: "true" },
      body: { filter: { must: [{ key: "metadata.sessionId", match: { value: "s1" } }] } },
    });
    fake.clearRequests();
    await store.delete([]);
    expect(calls()).toEqual([]);
  });

  it("counts exactly and drops the collection", async () => {
    const store = await ready();
    await store.count();
    expect(last()).toMatchObject({
      method: "POST",
      path: `/collections/${store.index.name}/points/count`,
      body: { exact: true },
    });
    await store.drop();
    expect(last()).toMatchObject({ method: "DELETE", path: `/collections/${store.index.name}` });
    await store.drop(); // a second drop of a missing collection is fine
  });
});

describe("reads", () => {
  it("queries with the vector, limit, payload, and no threshold or params unless asked", async () => {
    const store = await ready();
    await store.query({ vector: [1, 0, 0], topK: 7 });
    expect(last()).toMatchObject({ method: "POST", path: `/collections/${store.index.name}/points/query` });
    expect(last().body).toEqual({ query: [1, 0, 0], limit: 7, with_payload: true, with_vector: false });
  });

  it("sends hnsw_ef and exact from the settings", async () => {
    const store = await ready({ ef: 128, exact: true });
    expect(store.capabilities.exact).toBe(true);
    await store.query({ vector: [1, 0, 0], includeVectors: true });
    expect(last().body).toEqual({
      query: [1, 0, 0],
      limit: 10,
      with_payload: true,
      with_vector: true,
      params: { hnsw_ef: 128, exact: true },
    });
  });

  it("turns minScore into Qdrant's score_threshold: a little below for cosine/dot, a distance for euclidean", async () => {
    const cosine = await ready({ metric: "cosine" });
    await cosine.query({ vector: [1, 0, 0], minScore: 0.5 });
    const t1 = (last().body as { score_threshold: number }).score_threshold;
    expect(t1).toBeLessThan(0.5);
    expect(t1).toBeGreaterThan(0.5 - 1e-5);

    const euclid = await ready({ metric: "euclidean" });
    await euclid.query({ vector: [1, 0, 0], minScore: 0.25 }); // distance <= 3
    const t2 = (last().body as { score_threshold: number }).score_threshold;
    expect(t2).toBeGreaterThan(3);
    expect(t2).toBeLessThan(3 + 1e-4);

    fake.clearRequests();
    expect(await euclid.query({ vector: [1, 0, 0], minScore: 1.5 })).toEqual([]);
    expect(calls()).toEqual([]); // no euclidean score exceeds 1: nothing to ask
    await euclid.query({ vector: [1, 0, 0], minScore: -1 });
    expect(last().body).not.toHaveProperty("score_threshold");
  });

  it("retrieves by UUIDv5 ids with payload and vectors, asking once per distinct id", async () => {
    const store = await ready();
    await store.get(["x", "y", "x"]);
    expect(last()).toMatchObject({
      method: "POST",
      path: `/collections/${store.index.name}/points`,
      body: { ids: [pointId("x"), pointId("y")], with_payload: true, with_vector: true },
    });
  });
});

describe("filters as Qdrant JSON", () => {
  const cases: [string, Filter, object][] = [
    ["$eq string", { role: "user" }, { must: [{ key: "metadata.role", match: { value: "user" } }] }],
    ["$eq boolean", { ok: true }, { must: [{ key: "metadata.ok", match: { value: true } }] }],
    ["$eq number", { n: 2.5 }, { must: [{ key: "metadata.n", range: { gte: 2.5, lte: 2.5 } }] }],
    ["$ne", { role: { $ne: "user" } }, { must_not: [{ key: "metadata.role", match: { value: "user" } }] }],
    [
      "$in mixed",
      { v: { $in: ["a", "b", 3, true] } },
      {
        should: [
          { key: "metadata.v", match: { any: ["a", "b"] } },
          { key: "metadata.v", range: { gte: 3, lte: 3 } },
          { key: "metadata.v", match: { value: true } },
        ],
      },
    ],
    ["$in empty", { v: { $in: [] } }, { must: [{ has_id: [] }] }],
    ["$nin", { v: { $nin: ["a"] } }, { must_not: [{ key: "metadata.v", match: { value: "a" } }] }],
    [
      "$gt/$lte on one field",
      { n: { $gt: 1, $lte: 5 } },
      {
        must: [
          { key: "metadata.n", range: { gt: 1 } },
          { key: "metadata.n", range: { lte: 5 } },
        ],
      },
    ],
    [
      "$exists",
      { tier: { $exists: true } },
      {
        should: [
          { must_not: [{ is_empty: { key: "metadata.tier" } }] },
          { key: "_array_fields", match: { value: "tier" } },
        ],
      },
    ],
    [
      "$or",
      { $or: [{ a: "x" }, { b: { $lt: 0 } }] },
      {
        should: [
          { key: "metadata.a", match: { value: "x" } },
          { key: "metadata.b", range: { lt: 0 } },
        ],
      },
    ],
  ];
  for (const [label, filter, expected] of cases) {
    it(label, async () => {
      const store = await ready();
      await store.query({ vector: [1, 0, 0], filter });
      expect((last().body as { filter: unknown }).filter).toEqual(expected);
    });
  }
});

describe("addresses", () => {
  it("keeps a URL's path as the prefix (the client alone would drop it)", async () => {
    const name = uniqueCollection("prefix");
    const store = new QdrantVectorStore({ url: `${fake.url}/qdrant/`, collection_name: name, dimension: 2 });
    await store.setup().catch(() => {}); // the fake serves no prefix: only the path matters here
    expect(fake.requests.map((r) => r.path)).toContain(`/qdrant/collections/${name}`);
  });
});

describe("headers", () => {
  it("sends the API key in the api-key header", async () => {
    fake.apiKey = "k-123";
    try {
      const store = new QdrantVectorStore({
        url: fake.url,
        api_key: "k-123",
        collection_name: uniqueCollection("hdr"),
        dimension: 2,
      });
      await store.setup();
      expect(fake.requests.every((r) => r.headers["api-key"] === "k-123")).toBe(true);
    } finally {
      fake.apiKey = undefined;
    }
  });
});
