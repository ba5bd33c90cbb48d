import { ConfigError, validateSettings } from "@langswarm/memory-core";
import { describe, expect, it } from "vitest";
import { ElasticBackend, OpenSearchBackend } from "../src/backend.js";
import { detectClientFlavor } from "../src/connect.js";
import { mapError } from "../src/errors.js";
import { ElasticsearchSessionStore, optionsFromSettings, settingsSchema } from "../src/index.js";

/**
 * Elasticsearch cannot run on this machine, so the Elastic client's request shapes are checked here
 * against a recording fake (the same calls the OpenSearch path makes against a real server).
 */
function recorder(answers: Record<string, unknown> = {}) {
  const calls: { api: string; request: Record<string, unknown> }[] = [];
  const fn = (api: string) => async (request: Record<string, unknown>) => {
    calls.push({ api, request });
    return answers[api] ?? {};
  };
  const client = {
    diagnostic: {},
    info: fn("info"),
    get: fn("get"),
    mget: fn("mget"),
    index: fn("index"),
    delete: fn("delete"),
    bulk: fn("bulk"),
    search: fn("search"),
    deleteByQuery: fn("deleteByQuery"),
    updateByQuery: fn("updateByQuery"),
    indices: { refresh: fn("indices.refresh"), create: fn("indices.create") },
    close: async () => {},
  };
  return { client, calls };
}

describe("Elastic client request shapes (8/9: no `body`)", () => {
  it("index puts the document in `document` and keeps the concurrency guards", async () => {
    const { client, calls } = recorder({ index: { _seq_no: 7, _primary_term: 2 } });
    const b = new ElasticBackend(client, false);
    const written = await b.index(
      "p-sessions",
      "k",
      { a: 1 },
      { ifSeqNo: 3, ifPrimaryTerm: 1, refresh: "wait_for" },
    );
    expect(written).toEqual({ seqNo: 7, primaryTerm: 2 });
    expect(calls[0]).toEqual({
      api: "index",
      request: {
        index: "p-sessions",
        id: "k",
        if_seq_no: 3,
        if_primary_term: 1,
        refresh: "wait_for",
        document: { a: 1 },
      },
    });
  });

  it("bulk sends `operations`, create uses op_type, search spreads the body", async () => {
    const { client, calls } = recorder({ search: { hits: { hits: [] } } });
    const b = new ElasticBackend(client, false);
    await b.bulkIndex([{ index: "p-messages", id: "g:1", doc: { seq: 1 } }]);
    await b.index("p-keys", "schema", { v: 1 }, { opType: "create" });
    await b.search("p-messages", { query: { match: { content: { query: "a OR b" } } }, size: 5 });
    await b.mget("p-messages", ["g:1"]).catch(() => {});
    expect(calls[0]!.request).toEqual({
      operations: [{ index: { _index: "p-messages", _id: "g:1" } }, { seq: 1 }],
    });
    expect(calls[1]!.request).toMatchObject({ op_type: "create", document: { v: 1 } });
    expect(calls[2]!.request).toEqual({
      index: "p-messages",
      query: { match: { content: { query: "a OR b" } } },
      size: 5,
    });
    expect(calls[3]!.request).toEqual({ index: "p-messages", ids: ["g:1"] });
    for (const c of calls) expect(c.request).not.toHaveProperty("body");
  });

  it("the OpenSearch client gets `body` and its answer is unwrapped", async () => {
    const { client, calls } = recorder({ index: { body: { _seq_no: 1, _primary_term: 1 } } });
    const b = new OpenSearchBackend(client, false);
    await b.index("p-sessions", "k", { a: 1 });
    expect(calls[0]!.request).toEqual({ index: "p-sessions", id: "k", body: { a: 1 } });
  });

  it("a 409 becomes a version conflict, a 404 on get is null", async () => {
    const fail = (status: number, type: string) => async () => {
      throw Object.assign(new Error("x"), { meta: { statusCode: status, body: { error: { type } } } });
    };
    const client = {
      diagnostic: {},
      index: fail(409, "version_conflict_engine_exception"),
      get: fail(404, ""),
    };
    const b = new ElasticBackend(client, false);
    await expect(b.index("i", "k", {})).rejects.toMatchObject({ name: "VersionConflict" });
    expect(await b.get("i", "k")).toBeNull();
  });
});

describe("settings and errors", () => {
  it("detects a caller's client flavor", () => {
    expect(detectClientFlavor({ diagnostic: {} })).toBe("elasticsearch");
    expect(detectClientFlavor({})).toBe("opensearch");
  });

  it("validates index_prefix (lowercase) and keeps secrets out of errors", () => {
    expect(() =>
      validateSettings(settingsSchema, { index_prefix: "Bad*" }, { backend: "elasticsearch" }),
    ).toThrow(ConfigError);
    expect(() => new ElasticsearchSessionStore({ indexPrefix: "UPPER-" })).toThrow(/index_prefix/);
    expect(() => optionsFromSettings({ url: "http://a:9200", hosts: "http://b:9200" })).toThrow(ConfigError);
    const err = mapError(
      Object.assign(new Error("connect ECONNREFUSED http://elastic:s3cret@10.0.0.1:9200"), {
        name: "ConnectionError",
      }),
      "getSession",
    );
    expect(err.code).toBe("BACKEND_UNAVAILABLE");
    expect(err.message).not.toContain("s3cret");
  });

  it("an unreachable node is BackendUnavailableError", async () => {
    const store = new ElasticsearchSessionStore({
      node: "http://127.0.0.1:9",
      flavor: "opensearch",
      indexPrefix: "x-",
      requestTimeoutMs: 2000,
    });
    await expect(store.getSession("s")).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    await store.close();
  });
});
