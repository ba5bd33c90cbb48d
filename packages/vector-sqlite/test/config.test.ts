import { ConfigError, createMemoryManager, HashEmbeddingProvider, registry } from "@langswarm/memory-core";
import "@langswarm/session-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteVectorStore, sqliteVectorDescriptor } from "../src/index.js";
import { tempDir } from "./support/tmp.js";

const tmp = tempDir("vector-sqlite-config");
afterAll(() => tmp.cleanup());

const configError = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
};

describe("settings", () => {
  it("takes the dimension from the embedding provider, and refuses a contradicting one", () => {
    const store = new SqliteVectorStore({ path: ":memory:" }, { context: { dimension: 384 } });
    expect(store.index).toEqual({ name: "ls_vectors", dimension: 384, metric: "cosine" });
    expect(
      configError(
        () => new SqliteVectorStore({ path: ":memory:", dimension: 256 }, { context: { dimension: 384 } }),
      ).message,
    ).toMatch(/256.*384/);
    expect(configError(() => new SqliteVectorStore({ path: ":memory:" })).message).toMatch(
      /dimension.*never guessed/,
    );
  });

  it("validates every key, naming the closest valid one", () => {
    expect(
      configError(() => new SqliteVectorStore({ path: ":memory:", dimension: 2, tabel_name: "x" } as never))
        .message,
    ).toMatch(/did you mean "table_name"/);
    expect(
      configError(() => new SqliteVectorStore({ dimension: 2, table_name: "x; DROP TABLE y" })).key,
    ).toBe("settings.table_name");
    expect(
      configError(() => new SqliteVectorStore({ dimension: 2, metric: "cosin" as never })).message,
    ).toMatch(/did you mean "cosine"/);
    expect(
      configError(() => new SqliteVectorStore({ dimension: 2, use_sqlite_vec: "yes" as never })).message,
    ).toMatch(/use_sqlite_vec/);
    expect(configError(() => new SqliteVectorStore({ dimension: 9000 })).message).toMatch(/dimension/);
    expect(
      configError(() => new SqliteVectorStore({ dimension: 2, metric: "dot", use_sqlite_vec: true })).message,
    ).toMatch(/no dot-product/);
    expect(
      configError(() => new SqliteVectorStore({ dimension: 2 }, { context: { indexName: "x".repeat(40) } }))
        .message,
    ).toMatch(/index name/);
  });
});

describe("registration and the manager", () => {
  it("registers as store_type sqlite with LangSwarm's alias local", () => {
    expect(registry.get("vector", "sqlite")).toBe(sqliteVectorDescriptor);
    expect(registry.get("vector", "local")).toBe(sqliteVectorDescriptor);
  });

  it("gives a manager durable semantic memory: sessions and vectors in one SQLite file", async () => {
    const path = tmp.file("memory.db");
    const config = {
      backend: "sqlite",
      settings: {
        path,
        embedding: { provider: "hash", dimension: 64 },
        vector_store: { store_type: "local", connection_params: { path } },
      },
    };
    const manager = await createMemoryManager(config);
    const session = await manager.createSession({ userId: "u1" });
    await manager.addMessages(session.sessionId, [
      { role: "user", content: "my favourite colour is teal" },
      { role: "assistant", content: "noted: teal" },
      { role: "user", content: "the build runs on two cores" },
    ]);
    await manager.flush();
    const recalled = await manager.recall("favourite colour teal", { userId: "u1", topK: 2 });
    expect(recalled[0]?.content).toMatch(/teal/);
    await manager.close();

    // A second manager on the same file recalls without re-indexing.
    const again = await createMemoryManager(config);
    const hits = await again.recall("two cores build", { sessionId: session.sessionId, topK: 1 });
    expect(hits[0]?.content).toBe("the build runs on two cores");
    await again.close();

    const check = new SqliteVectorStore({
      path,
      dimension: new HashEmbeddingProvider({ dimension: 64 }).dimension,
    });
    await check.setup();
    expect(await check.count()).toBe(3);
    await check.close();
  });
});
