import { createServer } from "node:net";
import { createMemoryManager } from "@langswarm/memory-core";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pointId, QdrantVectorStore } from "../src/index.js";
import { FakeQdrant } from "./fake-qdrant.js";
import { uniqueCollection } from "./helpers.js";

const fake = new FakeQdrant();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

function storeAt(url: string, settings: Record<string, unknown> = {}): QdrantVectorStore {
  return new QdrantVectorStore({ url, collection_name: uniqueCollection("s"), dimension: 3, ...settings });
}

async function ready(settings: Record<string, unknown> = {}): Promise<QdrantVectorStore> {
  const store = storeAt(fake.url, settings);
  await store.setup();
  return store;
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("errors", () => {
  it("connection refused is BackendUnavailableError naming the target", async () => {
    const store = storeAt(`http://127.0.0.1:${await deadPort()}`);
    const err = await store.setup().catch((e) => e);
    expect(err.code).toBe("BACKEND_UNAVAILABLE");
    expect(err.message).toMatch(/127\.0\.0\.1/);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it("5xx and 429 are BackendUnavailableError; 400 a ValidationError with Qdrant's reason", async () => {
    const store = await ready();
    for (const status of [500, 502, 503, 429]) {
      fake.failNext(1, status);
      const err = await store.count().catch((e) => e);
      expect(err.code, String(status)).toBe("BACKEND_UNAVAILABLE");
      expect(err.message).toContain(String(status));
    }
    fake.failNext(1, 400, { status: { error: "Wrong input: payload too large" }, time: 0 });
    const bad = await store.upsert([{ id: "a", vector: [1, 0, 0] }]).catch((e) => e);
    expect(bad.code).toBe("VALIDATION");
    expect(bad.message).toMatch(/payload too large/);
    fake.failNext(1, 400, {
      status: { error: 'Bad request: Index required but not found for "metadata.role"' },
      time: 0,
    });
    const strict = await store.query({ vector: [1, 0, 0], filter: { role: "x" } }).catch((e) => e);
    expect(strict.code).toBe("CONFIG");
    expect(strict.key).toBe("filterable_fields");
  });

  it("401/403 are ConfigErrors about api_key that never contain the key", async () => {
    fake.apiKey = "right-key";
    try {
      const without = await storeAt(fake.url)
        .setup()
        .catch((e) => e);
      expect(without.code).toBe("CONFIG");
      expect(without.key).toBe("api_key");
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const wrong = await storeAt(fake.url, { api_key: "wrong-key-hunter2" })
        .setup()
        .catch((e) => e);
      warn.mockRestore();
      expect(wrong.code).toBe("CONFIG");
      expect(wrong.message).toMatch(/403/);
      expect(JSON.stringify({ m: wrong.message, s: wrong.stack })).not.toContain("hunter2");
    } finally {
      fake.apiKey = undefined;
    }
  });

  it("a call before setup() (or after drop()) is NotFoundError telling to run setup()", async () => {
    const store = storeAt(fake.url);
    const err = await store.count().catch((e) => e);
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toMatch(/setup\(\)/);
  });

  it("timeout_ms turns a silent server into BackendUnavailableError and cancels the request", async () => {
    const store = await ready({ timeout_ms: 150 });
    const cancelled = fake.cancelled;
    fake.delayNext(1, 3000);
    const started = performance.now();
    const err = await store.count().catch((e) => e);
    expect(err.code).toBe("BACKEND_UNAVAILABLE");
    expect(err.message).toMatch(/timeout_ms/);
    expect(performance.now() - started).toBeLessThan(2500);
    // When the delayed answer is due, the server finds the connection closed by the client.
    await vi.waitFor(() => expect(fake.cancelled, "the server saw the client hang up").toBe(cancelled + 1), {
      timeout: 8000,
      interval: 100,
    });
  });

  it("an AbortSignal aborts a call in flight with AbortError (and one already aborted sends nothing)", async () => {
    const store = await ready();
    const ac = new AbortController();
    const cancelled = fake.cancelled;
    fake.delayNext(1, 1500);
    const pending = store.count({ signal: ac.signal }).catch((e) => e);
    setTimeout(() => ac.abort(), 50);
    const err = await pending;
    expect(err.code).toBe("ABORTED");
    await vi.waitFor(() => expect(fake.cancelled, "the HTTP request was cancelled").toBe(cancelled + 1), {
      timeout: 8000,
      interval: 100,
    });
    fake.clearRequests();
    const again = await store.query({ vector: [1, 0, 0] }, { signal: AbortSignal.abort() }).catch((e) => e);
    expect(again.code).toBe("ABORTED");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("data", () => {
  it("keeps vectors as written (cosine: rescaled from Qdrant's unit vectors by the stored norm)", async () => {
    const store = await ready({ metric: "cosine" });
    const v = [0.3, -4.25, 1e-3];
    await store.upsert([{ id: "a", vector: v }]);
    const [got] = await store.get(["a"]);
    for (let i = 0; i < 3; i++) expect(got!.vector[i]).toBeCloseTo(Math.fround(v[i]!), 6);
    const stored = fake.collections.get(store.index.name)!.points.get(pointId("a"))!;
    expect(Math.hypot(...stored.vector)).toBeCloseTo(1, 6); // Qdrant holds the unit vector
    const [hit] = await store.query({ vector: v, includeVectors: true });
    expect(hit!.score).toBeCloseTo(1, 5);
    for (let i = 0; i < 3; i++) expect(hit!.vector![i]).toBeCloseTo(Math.fround(v[i]!), 6);
  });

  it("returns integers beyond 2^53 as numbers (the client parses them as BigInt)", async () => {
    const store = await ready();
    await store.upsert([{ id: "big", vector: [1, 0, 0], metadata: { n: 2 ** 60, f: 1e21 } }]);
    const [got] = await store.get(["big"]);
    expect(got!.metadata).toEqual({ n: 2 ** 60, f: 1e21 });
    expect((await store.query({ vector: [1, 0, 0], filter: { n: 2 ** 60 } })).map((m) => m.id)).toEqual([
      "big",
    ]);
  });

  it("get returns the order asked, repeats, skips missing ids and foreign points", async () => {
    const store = await ready();
    await store.upsert([
      { id: "x", vector: [1, 0, 0] },
      { id: "y", vector: [0, 1, 0] },
    ]);
    // A point written by another tool under the UUID of "z": not ours, so not returned as "z".
    fake.collections.get(store.index.name)!.points.set(pointId("z"), {
      id: pointId("z"),
      vector: [0, 0, 1],
      payload: { text: "foreign" },
    });
    expect((await store.get(["y", "missing", "x", "y", "z"])).map((r) => r.id)).toEqual(["y", "x", "y"]);
  });

  it("upsert replaces metadata and document; deleteByFilter removes exactly the matches", async () => {
    const store = await ready();
    await store.upsert([
      { id: "a", vector: [1, 0, 0], metadata: { s: "1", tags: ["t"] }, document: "one" },
      { id: "b", vector: [0, 1, 0], metadata: { s: "2" } },
      { id: "c", vector: [0, 0, 1] },
    ]);
    await store.upsert([{ id: "a", vector: [1, 0, 0], metadata: { s: "2" } }]);
    const [a] = await store.get(["a"]);
    expect(a).toMatchObject({ metadata: { s: "2" }, document: null });
    await store.deleteByFilter({ s: { $ne: "2" } });
    expect((await store.get(["a", "b", "c"])).map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("minScore for euclidean is applied as a distance and cut exactly", async () => {
    const store = await ready({ metric: "euclidean" });
    await store.upsert([
      { id: "d0", vector: [1, 0, 0] },
      { id: "d1", vector: [2, 0, 0] },
      { id: "d3", vector: [4, 0, 0] },
    ]);
    const all = await store.query({ vector: [1, 0, 0], topK: 3 });
    expect(all.map((m) => [m.id, m.score])).toEqual([
      ["d0", 1],
      ["d1", 0.5],
      ["d3", 0.25],
    ]);
    const cut = await store.query({ vector: [1, 0, 0], minScore: 0.25 });
    expect(cut.map((m) => m.id)).toEqual(["d0", "d1", "d3"]); // inclusive, although Qdrant's is strict
    expect((await store.query({ vector: [1, 0, 0], minScore: 0.26 })).map((m) => m.id)).toEqual(["d0", "d1"]);
  });
});

describe("clients", () => {
  it("close() leaves a caller's client usable and refuses further calls on the store", async () => {
    const client = new QdrantClient({ url: fake.url, checkCompatibility: false });
    const store = new QdrantVectorStore({ client, collection_name: uniqueCollection("own"), dimension: 3 });
    await store.setup();
    await store.close();
    const err = await store.count().catch((e) => e);
    expect(err.code).toBe("BACKEND_UNAVAILABLE");
    expect(err.message).toMatch(/closed/);
    expect((await client.getCollection(store.index.name)).points_count).toBe(0);
  });
});

describe("manager", () => {
  it("a LangSwarm config with store_type qdrant indexes messages and recalls them", async () => {
    const collection = uniqueCollection("mgr");
    await using m = await createMemoryManager({
      backend: "vector",
      settings: {
        enable_semantic_search: true,
        embedding: { provider: "hash", dimension: 64 },
        vector_store: {
          store_type: "qdrant",
          connection_params: {
            url: fake.url,
            collection_name: collection,
            filterable_fields: { sessionId: "keyword", userId: "keyword" },
          },
        },
      },
    });
    await m.createSession({ sessionId: "trip", userId: "ana" });
    await m.createSession({ sessionId: "work", userId: "ana" });
    await m.addMessages("trip", [
      { role: "user", content: "I am planning a hiking trip to the Dolomites in July" },
      { role: "assistant", content: "Great, the Alta Via 1 is a classic hiking route" },
    ]);
    await m.addMessage("work", { role: "user", content: "Our quarterly revenue report is due Friday" });
    await m.flush();
    const inTrip = await m.recall("hiking in the Dolomites", { sessionId: "trip", topK: 5 });
    expect(inTrip.map((r) => r.sessionId)).toEqual(["trip", "trip"]);
    expect(inTrip[0]!.content).toContain("Dolomites");
    const forAna = await m.recall("revenue report", { userId: "ana", topK: 1 });
    expect(forAna[0]!.sessionId).toBe("work");
    const info = fake.collections.get(collection)!;
    expect(info.size).toBe(64);
    expect([...info.payloadSchema.keys()]).toEqual(["metadata.sessionId", "metadata.userId"]);
  });
});
