import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QdrantVectorStore } from "../src/index.js";
import { FakeQdrant } from "./fake-qdrant.js";
import { uniqueCollection } from "./helpers.js";

const fake = new FakeQdrant();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

const open = (collection: string, settings: Record<string, unknown> = {}) =>
  new QdrantVectorStore({ url: fake.url, collection_name: collection, dimension: 4, ...settings });

describe("setup()", () => {
  it("is safe when many processes start at once: one creates, the others adopt, all pass", async () => {
    const name = uniqueCollection("race");
    const stores = Array.from({ length: 8 }, () => open(name, { filterable_fields: { role: "keyword" } }));
    await Promise.all(stores.map((s) => s.setup()));
    expect(stores.filter((s) => s.setupOutcome?.created)).toHaveLength(1);
    const creates = fake.requests.filter((r) => r.method === "PUT" && r.path === `/collections/${name}`);
    expect(creates.length).toBeGreaterThanOrEqual(2); // the race really happened
    expect([...fake.collections.get(name)!.payloadSchema]).toEqual([["metadata.role", "keyword"]]);
  });

  it("tolerates Qdrant < 1.8's 400 'already exists' for a lost create race", async () => {
    const name = uniqueCollection("old409");
    await open(name).setup();
    fake.failNext(
      1,
      404,
      { status: { error: `Not found: Collection \`${name}\` doesn't exist!` } },
      (r) => r.method === "GET" && r.path === `/collections/${name}`,
    );
    fake.failNext(
      1,
      400,
      { status: { error: `Wrong input: Collection \`${name}\` already exists!` } },
      (r) => r.method === "PUT" && r.path === `/collections/${name}`,
    );
    const late = open(name);
    await late.setup();
    expect(late.setupOutcome?.created).toBe(false);
  });

  it("refuses another dimension (DimensionMismatchError naming both) and another metric (ConfigError)", async () => {
    const name = uniqueCollection("mismatch");
    await open(name, { metric: "dot" }).setup();
    const dim = await open(name, { dimension: 8, metric: "dot" })
      .setup()
      .catch((e) => e);
    expect(dim.code).toBe("DIMENSION_MISMATCH");
    expect([dim.expected, dim.actual]).toEqual([4, 8]);
    expect(dim.message).toMatch(new RegExp(name));
    const metric = await open(name, { metric: "cosine" })
      .setup()
      .catch((e) => e);
    expect(metric.code).toBe("CONFIG");
    expect(metric.key).toBe("metric");
    expect(metric.message).toMatch(/Dot/);
  });

  it("refuses collections with named vectors and collections from a newer layout", async () => {
    const named = uniqueCollection("named");
    // Qdrant's answer for a collection made with named vectors (the fake makes unnamed ones only).
    fake.failNext(
      1,
      200,
      {
        result: { config: { params: { vectors: { dense: { size: 4, distance: "Cosine" } } } } },
        status: "ok",
      },
      (r) => r.method === "GET" && r.path === `/collections/${named}`,
    );
    const err = await open(named)
      .setup()
      .catch((e) => e);
    expect(err.code).toBe("CONFIG");
    expect(err.message).toMatch(/named vectors \(dense\)/);

    const newer = uniqueCollection("newer");
    await open(newer).setup();
    fake.collections.get(newer)!.metadata = { langswarm: { layout: 99 } };
    const err2 = await open(newer)
      .setup()
      .catch((e) => e);
    expect(err2.code).toBe("CONFIG");
    expect(err2.message).toMatch(/layout 99/);
  });

  it("refuses a payload index of another type than filterable_fields says", async () => {
    const name = uniqueCollection("idx");
    await open(name, { filterable_fields: { seq: "integer" } }).setup();
    const err = await open(name, { filterable_fields: { seq: "keyword" } })
      .setup()
      .catch((e) => e);
    expect(err.code).toBe("CONFIG");
    expect(err.key).toBe("filterable_fields.seq");
    // Adding a field later creates just that index.
    const more = open(name, { filterable_fields: { seq: "integer", role: "keyword" } });
    await more.setup();
    expect(more.setupOutcome?.indexesCreated).toEqual(["metadata.role"]);
  });

  it("refuses a server without the Query API (Qdrant < 1.10)", async () => {
    fake.version = "1.9.4";
    try {
      const err = await open(uniqueCollection("old"))
        .setup()
        .catch((e) => e);
      expect(err.code).toBe("CONFIG");
      expect(err.message).toMatch(/1\.9\.4 is too old/);
    } finally {
      fake.version = "1.15.0";
    }
  });

  it("drop() removes the collection; calls then fail until setup() runs again", async () => {
    const store = open(uniqueCollection("drop"));
    await store.setup();
    await store.upsert([{ id: "a", vector: [1, 0, 0, 0] }]);
    await store.drop();
    expect(fake.collections.has(store.index.name)).toBe(false);
    expect((await store.count().catch((e) => e)).code).toBe("NOT_FOUND");
    await store.setup();
    expect(await store.count()).toBe(0);
  });
});
