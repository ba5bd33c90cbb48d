import { loadEmbeddingFixture, rejectsWith } from "@langswarm/memory-conformance";
import { type Filter, matchesFilter, parseFilter, type VectorMetadata } from "@langswarm/memory-core";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisVectorStore } from "../src/index.js";
import { dropPrefix, REDIS8_ENV, redis8Url, SKIP_REASON, uniquePrefix, vectorSetStore } from "./helpers.js";

const D = 8;
const unit = (i: number) => Array.from({ length: D }, (_, j) => (j === i % D ? 1 : 0));

if (!redis8Url) {
  describe("vector-redis vectorset (real Redis 8)", () => {
    it.skip(`skipped: ${SKIP_REASON}`, () => {});
  });
  console.log(`[vector-redis] vectorset tests skipped: ${SKIP_REASON}`);
} else {
  const url = redis8Url;
  const stores: RedisVectorStore[] = [];
  const fresh = async (settings: Record<string, unknown> = {}) => {
    const store = vectorSetStore(settings);
    stores.push(store);
    await store.setup();
    return store;
  };
  afterAll(async () => {
    for (const store of stores) {
      await dropPrefix(store.settings.keyPrefix, url);
      await store.close();
    }
  });

  describe("vectorset: filters keep core's semantics exactly (property test against matchesFilter)", () => {
    // Values chosen to collide across types: "1" / 1 / true, 0 / -0 / false / "", numeric strings.
    const scalar = fc.oneof(
      fc.constantFrom("1", "0", "", "10", "red", 'a"b', "a\\b", ") or (1 == 1", "x\ny", "é"),
      fc.constantFrom(1, 0, -0, 10, -2.5, 1e-7, 1e21, 3),
      fc.boolean(),
    );
    const value = fc.oneof(scalar, fc.constant(null), fc.constant(["1", "red"]));
    const fields = ["a", "b", "c-d"] as const;
    const metadata = fc.dictionary(fc.constantFrom(...fields), value, {
      maxKeys: 3,
    }) as fc.Arbitrary<VectorMetadata>;
    const field = fc.constantFrom(...fields);
    const num = fc.constantFrom(0, 1, -0, 2.5, 10, -3, 1e-7);
    const leaf: fc.Arbitrary<Filter> = fc.oneof(
      fc.record({ f: field, v: scalar }).map(({ f, v }) => ({ [f]: v })),
      fc.record({ f: field, v: scalar }).map(({ f, v }) => ({ [f]: { $ne: v } })),
      fc.record({ f: field, v: fc.array(scalar, { maxLength: 3 }) }).map(({ f, v }) => ({ [f]: { $in: v } })),
      fc
        .record({ f: field, v: fc.array(scalar, { maxLength: 3 }) })
        .map(({ f, v }) => ({ [f]: { $nin: v } })),
      fc.record({ f: field, v: fc.boolean() }).map(({ f, v }) => ({ [f]: { $exists: v } })),
      fc
        .record({ f: field, op: fc.constantFrom("$gt", "$gte", "$lt", "$lte"), v: num })
        .map(({ f, op, v }) => ({ [f]: { [op]: v } })),
    );
    const filter: fc.Arbitrary<Filter> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc
          .array(tie("node") as fc.Arbitrary<Filter>, { minLength: 1, maxLength: 3 })
          .map((c) => ({ $and: c })),
        fc
          .array(tie("node") as fc.Arbitrary<Filter>, { minLength: 1, maxLength: 3 })
          .map((c) => ({ $or: c })),
      ),
    })).node as fc.Arbitrary<Filter>;

    let store: RedisVectorStore;
    let records: { id: string; metadata: VectorMetadata }[] = [];
    beforeAll(async () => {
      store = await fresh();
      // Every combination the generator can filter on, fixed for all runs.
      records = fc.sample(metadata, { numRuns: 60, seed: 7 }).map((m, i) => ({ id: `r${i}`, metadata: m }));
      await store.upsert(records.map((r, i) => ({ ...r, vector: unit(i) })));
    });

    it("every generated filter returns exactly the records the reference matches", async () => {
      await fc.assert(
        fc.asyncProperty(filter, async (f) => {
          const node = parseFilter(f);
          const expected = records
            .filter((r) => matchesFilter(r.metadata, node))
            .map((r) => r.id)
            .sort();
          const got = (await store.query({ vector: unit(0), topK: 100, filter: f })).map((m) => m.id).sort();
          expect(got).toEqual(expected);
        }),
        { numRuns: 150 },
      );
    });
  });

  describe("vectorset: hostile filter values are data", () => {
    const hostile = [
      '"',
      "\\",
      '\\"',
      ")",
      '") or ("1" == "1',
      "x or 1",
      '" or .n > 0 or "',
      'it\'s "quoted"',
      "a|b {c} @d:*",
      "not",
      "[1, 2]",
      "\u0001\u001f",
    ];
    it("each value matches only its own record with $eq, $in and $ne", async () => {
      const store = await fresh();
      await store.upsert(hostile.map((v, i) => ({ id: `h${i}`, vector: unit(i), metadata: { v, n: i } })));
      for (const [i, v] of hostile.entries()) {
        expect((await store.query({ vector: unit(0), topK: 50, filter: { v } })).map((m) => m.id)).toEqual([
          `h${i}`,
        ]);
        expect(
          (await store.query({ vector: unit(0), topK: 50, filter: { v: { $in: [v, "zzz"] } } })).map(
            (m) => m.id,
          ),
        ).toEqual([`h${i}`]);
        const others = await store.query({ vector: unit(0), topK: 50, filter: { v: { $ne: v } } });
        expect(others.map((m) => m.id).sort()).toEqual(
          hostile
            .map((_, j) => `h${j}`)
            .filter((id) => id !== `h${i}`)
            .sort(),
        );
      }
    });
  });

  describe("vectorset: types and numbers", () => {
    it('keeps "1", 1 and true apart, and -0 equal to 0', async () => {
      const store = await fresh();
      await store.upsert([
        { id: "s", vector: unit(0), metadata: { x: "1" } },
        { id: "n", vector: unit(1), metadata: { x: 1 } },
        { id: "b", vector: unit(2), metadata: { x: true } },
        { id: "z", vector: unit(3), metadata: { x: -0 } },
        { id: "ten", vector: unit(4), metadata: { x: "10" } },
      ]);
      const ids = async (filter: Filter) =>
        (await store.query({ vector: unit(0), topK: 10, filter })).map((m) => m.id).sort();
      expect(await ids({ x: "1" })).toEqual(["s"]);
      expect(await ids({ x: 1 })).toEqual(["n"]);
      expect(await ids({ x: true })).toEqual(["b"]);
      expect(await ids({ x: 0 })).toEqual(["z"]);
      // Ranges match numbers only: not "10", not true.
      expect(await ids({ x: { $gte: 0 } })).toEqual(["n", "z"]);
    });

    it("range bounds in any notation: 1e21, 1e-7, negative; an unparseable tiny bound is a ValidationError", async () => {
      const store = await fresh();
      await store.upsert([
        { id: "big", vector: unit(0), metadata: { v: 2e21 } },
        { id: "tiny", vector: unit(1), metadata: { v: 2e-7 } },
        { id: "neg", vector: unit(2), metadata: { v: -1.5e-9 } },
      ]);
      const ids = async (filter: Filter) =>
        (await store.query({ vector: unit(0), topK: 10, filter })).map((m) => m.id).sort();
      expect(await ids({ v: { $gt: 1e21 } })).toEqual(["big"]);
      expect(await ids({ v: { $gt: 1e-7, $lt: 1e21 } })).toEqual(["tiny"]);
      expect(await ids({ v: { $lt: -1e-9 } })).toEqual(["neg"]);
      await rejectsWith(
        store.query({ vector: unit(0), filter: { v: { $gt: 5e-324 } } }),
        "VALIDATION",
        "5e-324",
      );
    });

    it("a range under $or does not hide records that lack the field", async () => {
      const store = await fresh();
      await store.upsert([
        { id: "red-no-n", vector: unit(0), metadata: { color: "red" } },
        { id: "blue-big", vector: unit(1), metadata: { color: "blue", n: 50 } },
        { id: "blue-small", vector: unit(2), metadata: { color: "blue", n: 1 } },
      ]);
      const filter = { $or: [{ n: { $gt: 10 } }, { color: "red" }] };
      expect((await store.query({ vector: unit(0), topK: 10, filter })).map((m) => m.id).sort()).toEqual([
        "blue-big",
        "red-no-n",
      ]);
      await store.deleteByFilter(filter);
      expect((await store.get(["red-no-n", "blue-big", "blue-small"])).map((r) => r.id)).toEqual([
        "blue-small",
      ]);
    });
  });

  describe("vectorset: records", () => {
    it("ids round-trip verbatim (no prefixing), documents and metadata via attributes", async () => {
      const store = await fresh();
      const ids = ["a:b", `${store.keys.vset}`, "{x}", "*", "ü 🧠", "x".repeat(512)];
      await store.upsert(
        ids.map((id, i) => ({ id, vector: unit(i), metadata: { k: id }, document: `doc ${id}` })),
      );
      const got = await store.get(ids);
      expect(got.map((r) => r.id)).toEqual(ids);
      expect(got.map((r) => r.document)).toEqual(ids.map((id) => `doc ${id}`));
      expect(got.map((r) => r.metadata.k)).toEqual(ids);
      const redis = new Redis(url);
      try {
        // The ids are the Vector Set's elements as given.
        const members = (await redis.call("VRANDMEMBER", store.keys.vset, 100)) as string[];
        expect(members.sort()).toEqual([...ids].sort());
      } finally {
        redis.disconnect();
      }
    });

    it("NOQUANT vectors come back within float32 rounding, Q8 within quantisation error", async () => {
      const fixture = loadEmbeddingFixture();
      const sample = fixture.corpus
        .slice(0, 50)
        .map((d, i) => ({ id: d.id, vector: d.vector.map((x) => x * (1 + i)) }));
      for (const [quantization, tolerance] of [
        ["none", 1e-6],
        ["q8", 2e-2],
      ] as const) {
        const store = await fresh({ dimension: 384, quantization });
        await store.upsert(sample);
        const got = await store.get(sample.map((s) => s.id));
        let worst = 0;
        got.forEach((r, i) => {
          const original = sample[i]!.vector;
          const norm = Math.hypot(...original);
          for (let j = 0; j < 384; j++) worst = Math.max(worst, Math.abs(r.vector[j]! - original[j]!) / norm);
        });
        expect(worst, `${quantization}: worst error relative to |v|`).toBeLessThan(tolerance);
      }
    });

    it("a zero vector is stored, scores 0 against anything, and comes back as zeros", async () => {
      const store = await fresh();
      await store.upsert([{ id: "zero", vector: new Array(D).fill(0) }]);
      const [hit] = await store.query({ vector: unit(0), topK: 1 });
      expect(hit?.id).toBe("zero");
      expect(hit?.score).toBeCloseTo(0, 6);
      expect(Array.from((await store.get(["zero"]))[0]!.vector)).toEqual(new Array(D).fill(0));
    });

    it("a filtered query with fewer matches than topK returns all of them (exact fallback)", async () => {
      const store = await fresh({ dimension: 384, filter_ef: 20 });
      const fixture = loadEmbeddingFixture();
      const corpus = fixture.corpus.slice(0, 1500);
      await store.upsert(
        corpus.map((d, i) => ({ id: d.id, vector: d.vector, metadata: { rare: i % 300 === 0 } })),
      );
      const hits = await store.query({
        vector: fixture.queries[0]!.vector,
        topK: 10,
        filter: { rare: true },
      });
      expect(hits).toHaveLength(5);
      const without = vectorSetStore({
        dimension: 384,
        key_prefix: store.settings.keyPrefix,
        filter_ef: 20,
        exhaustive_fallback: false,
      });
      stores.push(without);
      await without.setup();
      const bounded = await without.query({
        vector: fixture.queries[0]!.vector,
        topK: 10,
        filter: { rare: true },
      });
      expect(bounded.length).toBeLessThanOrEqual(5);
    });

    it("count, delete, drop (no key left under the prefix), and setup() again", async () => {
      const store = await fresh();
      await store.upsert([0, 1, 2].map((i) => ({ id: `v${i}`, vector: unit(i), metadata: { i } })));
      expect(await store.count()).toBe(3);
      await store.delete(["v0", "missing"]);
      expect(await store.count()).toBe(2);
      await store.drop();
      expect(await dropPrefix(store.settings.keyPrefix, url)).toBe(0);
      await rejectsWith(store.count(), "NOT_FOUND", "after drop");
      await store.setup();
      expect(await store.count()).toBe(0);
    });
  });

  describe("vectorset: setup and settings", () => {
    it("is versioned: the meta record holds layout, engine, dimension, metric and build options", async () => {
      const store = await fresh({ m: 24 });
      const redis = new Redis(url);
      try {
        expect(await redis.hgetall(store.keys.meta)).toEqual({
          layout: "1",
          engine: "vectorset",
          dimension: String(D),
          metric: "cosine",
          quantization: "none",
          m: "24",
        });
      } finally {
        redis.disconnect();
      }
    });

    it("ten processes setting up one index at once agree, and a mismatching one is refused", async () => {
      const prefix = uniquePrefix("race");
      const many = Array.from({ length: 10 }, () => vectorSetStore({ key_prefix: prefix }));
      stores.push(...many);
      await Promise.all(many.map((s) => s.setup()));
      await many[0]!.upsert([{ id: "a", vector: unit(0) }]);
      expect(await many[9]!.count()).toBe(1);
      const other = vectorSetStore({ key_prefix: prefix, dimension: D * 2 });
      stores.push(other);
      await rejectsWith(other.setup(), "DIMENSION_MISMATCH", "other dimension");
      const q8 = vectorSetStore({ key_prefix: prefix, quantization: "q8" });
      stores.push(q8);
      await rejectsWith(q8.setup(), "CONFIG", "other quantization");
    });

    it("operations before any setup() fail with NotFoundError; a second process opens an existing index", async () => {
      const a = vectorSetStore();
      stores.push(a);
      await rejectsWith(a.upsert([{ id: "x", vector: unit(0) }]), "NOT_FOUND", "no setup");
      await a.setup();
      const b = new RedisVectorStore({ url, key_prefix: a.settings.keyPrefix, dimension: D });
      stores.push(b);
      expect(b.engine).toBeUndefined();
      await a.upsert([{ id: "x", vector: unit(0) }]);
      expect(await b.count()).toBe(1);
      expect(b.engine).toBe("vectorset");
      expect(b.capabilities.metrics).toEqual(["cosine"]);
    });

    it("Vector Sets are cosine only: ConfigError for euclidean / dot, explicitly or on a server without RediSearch", async () => {
      expect(() => vectorSetStore({ metric: "euclidean" })).toThrow(/cosine/);
      const auto = new RedisVectorStore({ url, key_prefix: uniquePrefix(), dimension: D, metric: "dot" });
      stores.push(auto);
      await rejectsWith(auto.setup(), "CONFIG", "dot on a Vector Sets-only server");
    });

    it("validates settings with the key named", () => {
      const make = (s: Record<string, unknown>) => () => new RedisVectorStore({ url, dimension: D, ...s });
      expect(make({ key_prefix: "a{b}" })).toThrow(/key_prefix/);
      expect(make({ index_name: "has space" })).toThrow(/index_name/);
      expect(make({ engine: "vectorsets" })).toThrow(/did you mean "vectorset"/);
      expect(make({ engine: "vectorset", filterable_fields: { a: "tag" } })).toThrow(
        /filterable_fields.*redisearch/,
      );
      expect(make({ engine: "redisearch", quantization: "q8" })).toThrow(/quantization.*vectorset/);
      expect(make({ quantisation: "q8" })).toThrow(/did you mean "quantization"/);
      expect(() => new RedisVectorStore({ url })).toThrow(/dimension.*never guessed/);
      expect(make({ url: "http://x" })).toThrow(/url/);
    });
  });

  describe("vectorset: connections", () => {
    it("close() leaves a caller's client open and ends its own", async () => {
      const client = new Redis(url);
      try {
        const store = new RedisVectorStore({
          client,
          key_prefix: uniquePrefix(),
          engine: "vectorset",
          dimension: D,
        });
        await store.setup();
        await store.close();
        expect(await client.ping()).toBe("PONG");
        await rejectsWith(store.count(), "BACKEND_UNAVAILABLE", "closed store");
        await dropPrefix(store.settings.keyPrefix, url);
      } finally {
        client.disconnect();
      }
    });

    it("an unreachable server fails fast with BackendUnavailableError and no password in the message", async () => {
      const store = new RedisVectorStore({
        url: "redis://user:s3cret-pass@127.0.0.1:1",
        engine: "vectorset",
        dimension: D,
        connect_timeout_ms: 500,
      });
      const started = Date.now();
      const error = await rejectsWith(store.setup(), "BACKEND_UNAVAILABLE", "port 1");
      expect(Date.now() - started).toBeLessThan(5000);
      expect(String((error as Error).message)).not.toContain("s3cret");
      await store.close();
    });

    it("an aborted signal stops a call with AbortError", async () => {
      const store = await fresh();
      const controller = new AbortController();
      controller.abort();
      await rejectsWith(
        store.query({ vector: unit(0) }, { signal: controller.signal }),
        "ABORTED",
        "aborted",
      );
    });
  });

  describe("vectorset: RESP3 replies (a caller's client on ioredis 6 defaults)", () => {
    it("reads scores, attributes and raw vectors the same way", async () => {
      const client = new Redis(url, { protocol: 3 } as never);
      try {
        const store = new RedisVectorStore({
          client,
          key_prefix: uniquePrefix(),
          engine: "vectorset",
          dimension: D,
        });
        await store.setup();
        await store.upsert([
          { id: "a", vector: [3, 0, 0, 0, 0, 0, 0, 0], metadata: { n: 1 }, document: "x" },
        ]);
        const [hit] = await store.query({ vector: unit(0), topK: 1, includeVectors: true });
        expect(hit?.score).toBeCloseTo(1, 6);
        expect(hit?.document).toBe("x");
        expect(Array.from(hit!.vector!)).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
        await dropPrefix(store.settings.keyPrefix, url);
      } finally {
        client.disconnect();
      }
    });
  });

  console.log(`[vector-redis] vectorset tests run against ${REDIS8_ENV}`);
}
