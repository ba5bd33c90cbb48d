import { rejectsWith } from "@langswarm/memory-conformance";
import { type Filter, matchesFilter, parseFilter, type VectorMetadata } from "@langswarm/memory-core";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FieldKind, filterToRediSearchQuery, RedisVectorStore, valueToken } from "../src/index.js";
import { filterFields } from "../src/redisearch/query.js";
import { parseSearchReply } from "../src/redisearch/reply.js";
import { type Doc, evaluate } from "./redisearch-eval.js";
import { type RecordedCommand, type Reply, RespServer } from "./resp-server.js";

const hex = (s: string) => Buffer.from(s).toString("hex");
const query = (filter: Filter, fields: Record<string, FieldKind>) =>
  filterToRediSearchQuery(parseFilter(filter)!, fields);

describe("redisearch: filter translation", () => {
  const fields: Record<string, FieldKind> = { color: "tag", n: "numeric", "my-field": "tag", flag: "tag" };

  it("writes the documented syntax: tags in braces, ranges in brackets, - for negation, | for union", () => {
    expect(query({ color: "red" }, fields)).toBe(`@t_color:{s${hex("red")}}`);
    expect(query({ color: { $ne: "red" } }, fields)).toBe(`-@t_color:{s${hex("red")}}`);
    expect(query({ color: { $in: ["a", "b"] } }, fields)).toBe(`@t_color:{s${hex("a")} | s${hex("b")}}`);
    expect(query({ color: { $nin: [] } }, fields)).toBe("-@t_color:{x}");
    expect(query({ n: { $gt: 30 } }, fields)).toBe("@n_n:[(30 +inf]");
    expect(query({ n: { $gte: 1e21, $lt: 1.5e-7 } }, fields)).toBe("(@n_n:[1e21 +inf] @n_n:[-inf (1.5e-7])");
    expect(query({ n: { $lte: -2 } }, fields)).toBe("@n_n:[-inf -2]");
    expect(query({ n: 7 }, fields)).toBe(`@t_n:{n${hex("7")}}`);
    expect(query({ flag: true }, fields)).toBe("@t_flag:{b1}");
    expect(query({ color: { $exists: false } }, fields)).toBe("-@t_color:{p}");
    expect(query({ $or: [{ color: "x" }, { "my-field": "y" }] }, fields)).toBe(
      `(@t_color:{s${hex("x")}} | @t_my\\-field:{s${hex("y")}})`,
    );
  });

  it("hostile values become [a-z0-9] tokens: nothing to escape, nothing to inject", () => {
    const hostile = [
      '"',
      "\\",
      ")",
      "} | @x:{*",
      "a b",
      "-x",
      "@color:{red}",
      "$BLOB",
      "=>[KNN 1 @vec $B]",
      "Ab,Cd",
      " pad ",
    ];
    for (const v of hostile) {
      const q = query({ color: v }, fields);
      expect(q).toMatch(/^@t_color:\{[a-z0-9]+\}$/);
      expect(q).toBe(`@t_color:{${valueToken(v)}}`);
    }
    // Values longer than 32 bytes are hashed: the token length stays bounded.
    expect(valueToken("x".repeat(10_000))).toMatch(/^h[0-9a-f]{64}$/);
  });

  it("refuses fields that are not declared, and ranges on tag-only fields", () => {
    expect(() => query({ other: 1 }, fields)).toThrow(/filterable_fields/);
    expect(() => query({ color: { $gt: 1 } }, fields)).toThrow(/numeric/);
  });

  it("means what core means (property test over a RediSearch-semantics evaluator)", () => {
    const declared: Record<string, FieldKind> = { a: "numeric", b: "tag", "c-d": "numeric" };
    const scalar = fc.oneof(
      fc.constantFrom("1", "0", "", "10", "red", "Red", " red", "a,b", '"'),
      fc.constantFrom(1, 0, -0, 10, -2.5, 1e-7, 1e21),
      fc.boolean(),
    );
    const value = fc.oneof(scalar, fc.constant(null), fc.constant(["1", "red"]));
    const field = fc.constantFrom("a", "b", "c-d");
    const numField = fc.constantFrom("a", "c-d");
    const leaf: fc.Arbitrary<Filter> = fc.oneof(
      fc.record({ f: field, v: scalar }).map(({ f, v }) => ({ [f]: v })),
      fc.record({ f: field, v: scalar }).map(({ f, v }) => ({ [f]: { $ne: v } })),
      fc.record({ f: field, v: fc.array(scalar, { maxLength: 3 }) }).map(({ f, v }) => ({ [f]: { $in: v } })),
      fc
        .record({ f: field, v: fc.array(scalar, { maxLength: 3 }) })
        .map(({ f, v }) => ({ [f]: { $nin: v } })),
      fc.record({ f: field, v: fc.boolean() }).map(({ f, v }) => ({ [f]: { $exists: v } })),
      fc
        .record({
          f: numField,
          op: fc.constantFrom("$gt", "$gte", "$lt", "$lte"),
          v: fc.constantFrom(0, 1, -0, 2.5, -3, 1e-7),
        })
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
    const records = fc.sample(
      fc.dictionary(fc.constantFrom("a", "b", "c-d"), value, { maxKeys: 3 }) as fc.Arbitrary<VectorMetadata>,
      { numRuns: 80, seed: 11 },
    );
    const docs: Doc[] = records.map((m) => {
      const pairs = filterFields(m, declared);
      const doc: Doc = {};
      for (let i = 0; i < pairs.length; i += 2) doc[pairs[i]!] = pairs[i + 1]!;
      return doc;
    });
    fc.assert(
      fc.property(filter, (f) => {
        const node = parseFilter(f)!;
        const expected = records.flatMap((m, i) => (matchesFilter(m, node) ? [i] : []));
        const got = [...evaluate(filterToRediSearchQuery(node, declared), docs)].sort((x, y) => x - y);
        expect(got).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe("redisearch: replies", () => {
  it("parses RESP2 and both RESP3 shapes of FT.SEARCH alike", () => {
    const resp2 = [2, "p:d:a", ["__vscore", "0.25", "md", "{}"], "p:d:b", ["__vscore", "0.5"]];
    const legacy = [
      "attributes",
      [],
      "results",
      [
        ["id", "p:d:a", "extra_attributes", ["__vscore", "0.25", "md", "{}"], "values", []],
        ["id", "p:d:b", "extra_attributes", ["__vscore", "0.5"], "values", []],
      ],
      "total_results",
      2,
    ];
    const objects = {
      attributes: [],
      results: [
        { id: "p:d:a", extra_attributes: { __vscore: 0.25, md: "{}" } },
        { id: "p:d:b", extra_attributes: { __vscore: 0.5 } },
      ],
      total_results: 2,
    };
    for (const reply of [resp2, legacy, objects]) {
      const parsed = parseSearchReply(reply);
      expect(parsed.total).toBe(2);
      expect(parsed.hits.map((h) => h.key)).toEqual(["p:d:a", "p:d:b"]);
      expect(Number(parsed.hits[0]!.fields.__vscore)).toBe(0.25);
    }
    expect(parseSearchReply([3, "k1", "k2", "k3"], true).hits.map((h) => h.key)).toEqual(["k1", "k2", "k3"]);
  });
});

/** Commands recorded from a real ioredis client talking to a scripted RESP server. */
describe("redisearch: commands on the wire", () => {
  let server: RespServer;
  let url: string;
  let meta: string[] = [];
  let searchReply: (cmd: RecordedCommand) => Reply = () => [0];
  let createReply: Reply = { status: "OK" };
  let infoReply: Reply = [];

  const handler = (cmd: RecordedCommand): Reply | undefined => {
    switch (cmd.name) {
      case "COMMAND":
        return [null, ["FT.CREATE", -2, [], 0, 0, 0]];
      case "HGETALL":
        return meta;
      case "EVALSHA":
        return new Error("NOSCRIPT No matching script. Please use EVAL.");
      case "EVAL": {
        if (cmd.text[0]!.includes("HGETALL")) {
          if (meta.length === 0) meta = cmd.text.slice(3);
          return meta;
        }
        return 3;
      }
      case "FT.CREATE":
        return createReply;
      case "FT.INFO":
        return infoReply;
      case "FT.SEARCH":
        return searchReply(cmd);
      case "HMGET":
        return [null, null, null];
      case "UNLINK":
      case "FT.DROPINDEX":
        return 1;
      default:
        return undefined;
    }
  };

  beforeAll(async () => {
    server = new RespServer(handler);
    url = await server.start();
  });
  afterAll(async () => server.stop());
  beforeEach(() => {
    server.commands.length = 0;
    meta = [];
    searchReply = () => [0];
    createReply = { status: "OK" };
    infoReply = [];
  });

  const store = (settings: Record<string, unknown> = {}) =>
    new RedisVectorStore({ url, key_prefix: "app:", index_name: "mem", dimension: 4, ...settings });

  it("auto picks RediSearch on a server without Vector Sets; setup writes meta then FT.CREATE", async () => {
    const s = store({ metric: "euclidean", filterable_fields: { tier: "tag", n: "numeric" } });
    await s.setup();
    expect(s.engine).toBe("redisearch");
    expect(server.named("COMMAND")[0]!.text).toEqual(["INFO", "VADD", "FT.CREATE"]);
    expect(server.named("FT.CREATE")[0]!.text).toEqual([
      "app:{mem}:idx",
      "ON",
      "HASH",
      "PREFIX",
      "1",
      "app:{mem}:d:",
      "SCHEMA",
      "vec",
      "VECTOR",
      "HNSW",
      "12",
      "TYPE",
      "FLOAT32",
      "DIM",
      "4",
      "DISTANCE_METRIC",
      "L2",
      "M",
      "16",
      "EF_CONSTRUCTION",
      "200",
      "EF_RUNTIME",
      "200",
      "t_n",
      "TAG",
      "n_n",
      "NUMERIC",
      "t_tier",
      "TAG",
    ]);
    expect(Object.fromEntries(chunk(meta))).toEqual({
      layout: "1",
      engine: "redisearch",
      dimension: "4",
      metric: "euclidean",
      algorithm: "hnsw",
      m: "16",
      ef_construction: "200",
      fields: JSON.stringify({ n: "numeric", tier: "tag" }),
    });
    await s.close();
  });

  it("FLAT with inner product and a query-time EF", async () => {
    const s = store({ engine: "redisearch", metric: "dot", algorithm: "flat", ef_runtime: 50 });
    await s.setup();
    const args = server.named("FT.CREATE")[0]!.text;
    expect(args.slice(7, 15)).toEqual(["vec", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "4"]);
    expect(args.slice(15, 17)).toEqual(["DISTANCE_METRIC", "IP"]);
    expect(s.capabilities.exact).toBe(true);
    await s.close();
  });

  it("an existing index is checked with FT.INFO; another DIM is a ConfigError", async () => {
    createReply = new Error("Index already exists");
    infoReply = [
      "index_name",
      "app:{mem}:idx",
      "attributes",
      [
        [
          "identifier",
          "vec",
          "attribute",
          "vec",
          "type",
          "VECTOR",
          "algorithm",
          "HNSW",
          "dim",
          4,
          "distance_metric",
          "COSINE",
        ],
      ],
    ];
    const ok = store({ engine: "redisearch" });
    await ok.setup();
    expect(server.named("FT.INFO")).toHaveLength(1);
    await ok.close();
    meta = [];
    infoReply = [
      "attributes",
      [["identifier", "vec", "type", "VECTOR", "dim", 8, "distance_metric", "COSINE"]],
    ];
    const wrong = store({ engine: "redisearch" });
    await rejectsWith(wrong.setup(), "CONFIG", "other DIM");
    await wrong.close();
  });

  it("upsert replaces each record atomically (DEL + HSET script) with the vector as FLOAT32 bytes", async () => {
    const s = store({ engine: "redisearch", filterable_fields: { color: "tag", n: "numeric" } });
    await s.setup();
    server.commands.length = 0;
    await s.upsert([
      {
        id: 'we"ird id}',
        vector: [1, -2, 0.5, 3],
        metadata: { color: "re d", n: 5, other: true },
        document: "hello",
      },
      { id: "plain", vector: [0, 0, 0, 1] },
    ]);
    const evals = server.named("EVAL");
    expect(evals).toHaveLength(2);
    const first = evals.find((c) => c.text[2] === 'app:{mem}:d:we"ird id}')!;
    expect(first.text[0]).toContain("redis.call('DEL', KEYS[1])");
    expect(first.text[1]).toBe("1");
    const fields = first.args.slice(3);
    expect(fields[0]!.toString()).toBe("vec");
    expect(Array.from(new Float32Array(new Uint8Array(fields[1]!).buffer))).toEqual([1, -2, 0.5, 3]);
    expect(fields.slice(2).map(String)).toEqual([
      "md",
      JSON.stringify({ color: "re d", n: 5, other: true }),
      "doc",
      "hello",
      "t_color",
      `p,s${hex("re d")}`,
      "t_n",
      `p,n${hex("5")}`,
      "n_n",
      "5",
    ]);
    const plain = evals.find((c) => c.text[2] === "app:{mem}:d:plain")!;
    expect(plain.text.slice(3).filter((_, i) => i % 2 === 0)).toEqual(["vec", "md"]);
    await s.close();
  });

  it("a query is one FT.SEARCH: KNN with PARAMS, DIALECT 2, scores converted per metric", async () => {
    for (const [metric, distance, score] of [
      ["cosine", 0.25, 0.75],
      ["dot", -1, 2],
      ["euclidean", 4, 1 / 3],
    ] as const) {
      meta = [];
      server.commands.length = 0;
      searchReply = () => [
        1,
        "app:{mem}:d:a b",
        ["__vscore", String(distance), "md", JSON.stringify({ color: "red" }), "doc", "text"],
      ];
      const s = store({ engine: "redisearch", metric, filterable_fields: { color: "tag" } });
      await s.setup();
      const hits = await s.query({ vector: [1, 0, 0, 0], topK: 3, filter: { color: { $ne: 'x") | *' } } });
      expect(hits).toEqual([
        { id: "a b", score: expect.closeTo(score, 9), metadata: { color: "red" }, document: "text" },
      ]);
      const search = server.named("FT.SEARCH")[0]!;
      expect(search.text[0]).toBe("app:{mem}:idx");
      expect(search.text[1]).toBe(`(-@t_color:{s${hex('x") | *')}})=>[KNN $K @vec $BLOB AS __vscore]`);
      expect(search.text.slice(2, 4)).toEqual(["PARAMS", "4"]);
      expect(search.text.slice(4, 6)).toEqual(["K", "3"]);
      expect(search.text[6]).toBe("BLOB");
      expect(Array.from(new Float32Array(new Uint8Array(search.args[7]!).buffer))).toEqual([1, 0, 0, 0]);
      expect(search.text.slice(8)).toEqual([
        "SORTBY",
        "__vscore",
        "ASC",
        "RETURN",
        "3",
        "__vscore",
        "md",
        "doc",
        "LIMIT",
        "0",
        "3",
        "DIALECT",
        "2",
      ]);
      await s.close();
    }
  });

  it("deleteByFilter pages FT.SEARCH NOCONTENT and unlinks only keys under its own prefix", async () => {
    const pages: Reply[] = [[3, "app:{mem}:d:1", "app:{mem}:d:2", "other:{x}:d:3"], [0]];
    searchReply = () => pages.shift() ?? [0];
    const s = store({ engine: "redisearch", filterable_fields: { kind: "tag" } });
    await s.setup();
    server.commands.length = 0;
    await s.deleteByFilter({ kind: "message" });
    const searches = server.named("FT.SEARCH");
    expect(searches[0]!.text).toEqual([
      "app:{mem}:idx",
      `@t_kind:{s${hex("message")}}`,
      "NOCONTENT",
      "LIMIT",
      "0",
      "1000",
      "DIALECT",
      "2",
    ]);
    expect(server.named("UNLINK").map((c) => c.text)).toEqual([["app:{mem}:d:1", "app:{mem}:d:2"]]);
    await rejectsWith(s.deleteByFilter({ nope: 1 }), "VALIDATION", "undeclared field");
    await s.close();
  });

  it("an index dropped behind the store's back is a NotFoundError", async () => {
    searchReply = () => new Error("Unknown index name");
    const s = store({ engine: "redisearch" });
    await s.setup();
    await rejectsWith(s.count(), "NOT_FOUND", "index gone");
    await s.close();
  });

  it("count, get, delete and drop", async () => {
    searchReply = () => [42];
    const s = store({ engine: "redisearch" });
    await s.setup();
    server.commands.length = 0;
    expect(await s.count()).toBe(42);
    expect(server.named("FT.SEARCH")[0]!.text).toEqual([
      "app:{mem}:idx",
      "*",
      "LIMIT",
      "0",
      "0",
      "DIALECT",
      "2",
    ]);
    expect(await s.get(["x"])).toEqual([]);
    expect(server.named("HMGET")[0]!.text).toEqual(["app:{mem}:d:x", "vec", "md", "doc"]);
    await s.delete(["x", "y", "x"]);
    expect(server.named("UNLINK")[0]!.text).toEqual(["app:{mem}:d:x", "app:{mem}:d:y"]);
    await s.drop();
    expect(server.named("FT.DROPINDEX")[0]!.text).toEqual(["app:{mem}:idx", "DD"]);
    expect(server.named("UNLINK").at(-1)!.text).toEqual(["app:{mem}:meta"]);
    await s.close();
  });
});

function chunk(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
