import { BackendUnavailableError, ConfigError, DimensionMismatchError } from "@langswarm/memory-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PineconeVectorStore } from "../src/index.js";
import { FakePinecone } from "./fake-pinecone.js";

const fake = new FakePinecone();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

let n = 0;
const make = (extra: Record<string, unknown> = {}) =>
  new PineconeVectorStore({
    api_key: "secret-key-123",
    controller_host_url: fake.url,
    index_name: `shape-${n++}`,
    namespace: "tenant-a",
    dimension: 3,
    metric: "euclidean",
    ...extra,
  });
const since = (mark: number) => fake.log.slice(mark);

describe("request shapes (JSON bodies the SDK sends)", () => {
  it("setup() creates a serverless index with the configured cloud, region, dimension and metric", async () => {
    const mark = fake.log.length;
    const store = make({ environment: "europe-west4-gcp", metric: "dot" });
    await store.setup();
    const create = since(mark).find((r) => r.method === "POST" && r.path === "/indexes");
    expect(create?.body).toMatchObject({
      name: store.settings.indexName,
      deployment: { deployment_type: "managed", cloud: "gcp", region: "europe-west4" },
    });
    const fields = Object.values((create!.body as { schema: { fields: object } }).schema.fields);
    expect(fields).toContainEqual(
      expect.objectContaining({ type: "dense_vector", dimension: 3, metric: "dotproduct" }),
    );
    await store.setup(); // idempotent: describes, does not create again
    expect(since(mark).filter((r) => r.method === "POST" && r.path === "/indexes")).toHaveLength(1);
  });

  it("every data call goes to the namespace; filters are translated with absent-field guards", async () => {
    const store = make();
    await store.setup();
    const mark = fake.log.length;
    await store.upsert([
      { id: "a", vector: [1, 0, 0], metadata: { tag: "x", none: null, list: ["p"] }, document: "doc" },
    ]);
    await store.query({ vector: [1, 0, 0], topK: 2, filter: { tag: { $ne: "y" } } });
    await store.get(["a"]);
    await store.deleteByFilter({ tag: "x" });
    const log = since(mark);
    const upsert = log.find((r) => r.path.endsWith("/vectors/upsert"))!.body as Record<string, unknown>;
    expect(upsert).toEqual({
      namespace: "tenant-a",
      vectors: [
        {
          id: "a",
          values: [1, 0, 0],
          metadata: { "s:tag": "x", "l:list": ["p"], __ls_nulls: ["none"], __ls_document: "doc" },
        },
      ],
    });
    const query = log.find((r) => r.path.endsWith("/query"))!.body as Record<string, unknown>;
    expect(query).toMatchObject({
      namespace: "tenant-a",
      topK: 2,
      filter: { $or: [{ "s:tag": { $exists: false } }, { "s:tag": { $ne: "y" } }] },
    });
    expect(log.find((r) => r.path.includes("/vectors/fetch"))!.path).toContain("namespace=tenant-a");
    expect(log.find((r) => r.path.endsWith("/vectors/delete"))!.body).toEqual({
      namespace: "tenant-a",
      filter: { "s:tag": { $eq: "x" } },
    });
  });

  it("drop() deletes the namespace's records only; other namespaces and the index stay", async () => {
    const a = make();
    await a.setup();
    const b = make({ index_name: a.settings.indexName, namespace: "tenant-b" });
    await a.upsert([{ id: "1", vector: [1, 0, 0] }]);
    await b.upsert([{ id: "1", vector: [0, 1, 0] }]);
    await a.drop();
    expect(await a.count()).toBe(0);
    expect(await b.count()).toBe(1);
    expect(fake.indexes.has(a.settings.indexName)).toBe(true);
    const c = make({ index_name: a.settings.indexName, drop_index: true });
    await c.drop();
    expect(fake.indexes.has(a.settings.indexName)).toBe(false);
  });

  it("euclidean: Pinecone's squared distance becomes 1/(1+distance)", async () => {
    const store = make();
    await store.setup();
    await store.upsert([{ id: "far", vector: [3, 4, 0] }]);
    const [match] = await store.query({ vector: [0, 0, 0], topK: 1 });
    expect(match!.score).toBeCloseTo(1 / (1 + 5), 6);
  });

  it("retries 429 and 503, then succeeds", async () => {
    const store = make({ max_retries: 3 });
    await store.setup();
    fake.failNext = [429, 503];
    await store.upsert([{ id: "r", vector: [1, 1, 1] }]);
    expect(fake.failNext).toEqual([]);
    expect(await store.count()).toBe(1);
  });

  it("an existing index with another dimension or metric is refused", async () => {
    const store = make();
    await store.setup();
    await expect(make({ index_name: store.settings.indexName, dimension: 4 }).setup()).rejects.toBeInstanceOf(
      DimensionMismatchError,
    );
    await expect(
      make({ index_name: store.settings.indexName, metric: "cosine" }).setup(),
    ).rejects.toBeInstanceOf(ConfigError);
    await expect(make({ create_index: false }).setup()).rejects.toBeInstanceOf(ConfigError);
  });

  it("401 -> ConfigError without the key; unreachable server -> BackendUnavailableError", async () => {
    const bad = make({ api_key: "wrong" });
    const error = await bad.setup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).not.toContain("wrong");
    const down = make({ controller_host_url: "http://127.0.0.1:9", max_retries: 1 });
    await expect(down.setup()).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("settings: api_key from PINECONE_API_KEY, else a ConfigError; ids over 512 bytes refused", async () => {
    const saved = process.env.PINECONE_API_KEY;
    delete process.env.PINECONE_API_KEY;
    try {
      expect(() => new PineconeVectorStore({ dimension: 3 })).toThrow(ConfigError);
      process.env.PINECONE_API_KEY = "from-env";
      expect(new PineconeVectorStore({ dimension: 3 }).settings.apiKey).toBe("from-env");
    } finally {
      if (saved === undefined) delete process.env.PINECONE_API_KEY;
      else process.env.PINECONE_API_KEY = saved;
    }
    const store = make();
    await store.setup();
    await expect(store.upsert([{ id: "x".repeat(513), vector: [1, 0, 0] }])).rejects.toThrow(/512 bytes/);
  });
});
