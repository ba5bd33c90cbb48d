import { ConfigError, registry } from "@langswarm/memory-core";
import { QdrantClient } from "@qdrant/js-client-rest";
import { describe, expect, it } from "vitest";
import { descriptor, QdrantVectorStore, resolveSettings } from "../src/index.js";

const base = { dimension: 8 };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("settings", () => {
  it("applies defaults: collection langswarm_memory, cosine, batch 256, 30 s timeout, local server", () => {
    const s = resolveSettings(base);
    expect(s).toMatchObject({
      collection: "langswarm_memory",
      metric: "cosine",
      distance: "Cosine",
      batchSize: 256,
      timeoutMs: 30_000,
      exact: false,
      onDisk: false,
      filterableFields: {},
      target: "http://127.0.0.1:6333",
    });
  });

  it("maps metrics to Qdrant distances", () => {
    expect(resolveSettings({ ...base, metric: "euclidean" }).distance).toBe("Euclid");
    expect(resolveSettings({ ...base, metric: "dot" }).distance).toBe("Dot");
  });

  it("takes the dimension and metric from the manager, refusing contradictions", () => {
    expect(resolveSettings({}, { dimension: 384, metric: "dot" })).toMatchObject({
      dimension: 384,
      metric: "dot",
    });
    expect(configError(() => resolveSettings({ dimension: 8 }, { dimension: 384 })).key).toBe("dimension");
    expect(configError(() => resolveSettings({ ...base, metric: "cosine" }, { metric: "dot" })).key).toBe(
      "metric",
    );
    expect(configError(() => resolveSettings({})).message).toMatch(/never guessed/);
  });

  it("appends the manager's index name to the collection", () => {
    expect(
      resolveSettings({ ...base, collection_name: "agent-memory" }, { indexName: "lessons" }).collection,
    ).toBe("agent-memory_lessons");
  });

  it("validates collection names against an allow-list", () => {
    for (const bad of ["", "../x", ".", "..", "a/b", "a b", "x?y", 'q"', "a:b", "x".repeat(256)]) {
      expect(configError(() => resolveSettings({ ...base, collection_name: bad })).key, bad).toBe(
        "settings.collection_name",
      );
    }
    for (const ok of ["a", "agent-memory", "v1.2", "_x", "x".repeat(255)])
      expect(resolveSettings({ ...base, collection_name: ok }).collection).toBe(ok);
  });

  it("suggests the closest key for a misspelt one", () => {
    expect(configError(() => resolveSettings({ ...base, colection_name: "x" })).message).toMatch(
      /did you mean "collection_name"/,
    );
  });

  it("checks filterable_fields names and types", () => {
    expect(
      resolveSettings({ ...base, filterable_fields: { role: "keyword", seq: "integer" } }).filterableFields,
    ).toEqual({
      role: "keyword",
      seq: "integer",
    });
    expect(configError(() => resolveSettings({ ...base, filterable_fields: { role: "text" } })).key).toBe(
      "filterable_fields.role",
    );
    expect(configError(() => resolveSettings({ ...base, filterable_fields: { "a.b": "keyword" } })).key).toBe(
      "filterable_fields",
    );
  });

  it("accepts url or host/port/https, not both, and describes the target without credentials", () => {
    expect(resolveSettings({ ...base, host: "qdrant.internal", port: 6334, https: true }).target).toBe(
      "https://qdrant.internal:6334",
    );
    expect(resolveSettings({ ...base, host: "qdrant.internal", api_key: "k" }).target).toBe(
      "https://qdrant.internal:6333",
    );
    expect(resolveSettings({ ...base, url: "https://user:pw@cloud.example:6333/?x=1" }).target).toBe(
      "https://cloud.example:6333",
    );
    // Like the client: no port in the URL means 6333.
    expect(resolveSettings({ ...base, url: "https://cloud.example" }).target).toBe(
      "https://cloud.example:6333",
    );
    expect(configError(() => resolveSettings({ ...base, url: "http://a:6333", host: "b" })).key).toBe("url");
    expect(configError(() => resolveSettings({ ...base, url: "redis://a" })).key).toBe("url");
    expect(configError(() => resolveSettings({ ...base, host: "http://a" })).key).toBe("host");
    expect(configError(() => resolveSettings({ ...base, host: "a:6333" })).key).toBe("host");
  });

  it("never shows the API key or the URL in errors", () => {
    const err = configError(() => resolveSettings({ ...base, api_key: 12345, url: "http://u:hunter2@h:1" }));
    expect(err.message).not.toMatch(/12345|hunter2/);
    const err2 = configError(() => resolveSettings({ ...base, url: "notaurl-hunter2" }));
    expect(err2.message).not.toMatch(/hunter2/);
  });

  it("takes a caller's QdrantClient, but not together with connection settings", () => {
    const client = new QdrantClient({ url: "http://127.0.0.1:1", checkCompatibility: false });
    const store = new QdrantVectorStore({ ...base, client });
    expect(store.client).toBe(client);
    expect(store.ownsClient).toBe(false);
    expect(store.settings.target).toBe("a caller-supplied QdrantClient");
    expect(configError(() => resolveSettings({ ...base, client, url: "http://x:1" })).key).toBe("client");
    expect(configError(() => resolveSettings({ ...base, client: { query: () => 1 } })).key).toBe("client");
  });

  it("rejects out-of-range numbers", () => {
    for (const bad of [
      { batch_size: 0 },
      { batch_size: 10_001 },
      { timeout_ms: 0 },
      { dimension: 65_536 },
      { hnsw_m: -1 },
      { ef: 0 },
      { port: 70_000 },
    ]) {
      configError(() => resolveSettings({ ...base, ...bad }));
    }
  });

  it("registers store_type qdrant on import", () => {
    expect(registry.get("vector", "qdrant")).toBe(descriptor);
    expect(descriptor.capabilities.filterOperators).toHaveLength(11);
  });
});
