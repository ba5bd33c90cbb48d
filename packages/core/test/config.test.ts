import { describe, expect, it } from "vitest";
import {
  ConfigError,
  createMemoryManager,
  InMemorySessionStore,
  MEMORY_SESSION_CAPABILITIES,
  parseConfig,
  type SessionStoreDescriptor,
  validateSettings,
} from "../src/index.js";

const postgresLike: SessionStoreDescriptor = {
  kind: "session",
  name: "pglike",
  capabilities: MEMORY_SESSION_CAPABILITIES,
  settingsSchema: {
    host: { type: "string", default: "localhost", description: "server host" },
    port: { type: "integer", min: 1, max: 65535, default: 5432, description: "server port" },
    database: { type: "string", description: "database" },
    user: { type: "string", description: "user" },
    password: { type: "string", secret: true, description: "password" },
    key_prefix: { type: "string", pattern: /^[a-z:]*$/, description: "prefix" },
  },
  create: () => new InMemorySessionStore(),
};

describe("settings validation", () => {
  it("names the misspelt key, the closest valid one, and lists every problem at once", () => {
    const error = (() => {
      try {
        validateSettings(
          postgresLike.settingsSchema,
          { hots: "x", port: "5432", pasword: "hunter2" },
          { backend: "pglike" },
        );
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(/settings\.hots: unknown setting \(did you mean "host"\?\)/);
    expect(error!.message).toMatch(/settings\.port: expected integer, got string/);
    expect(error!.message).toMatch(/settings\.pasword: unknown setting \(did you mean "password"\?\)/);
    expect(error!.message).not.toMatch(/hunter2/);
    expect(error!.backend).toBe("pglike");
  });

  it("never echoes a secret, even when it has the wrong type or pattern", () => {
    const schema = {
      api_key: { type: "string" as const, secret: true, pattern: /^sk-/, description: "key" },
    };
    expect(() => validateSettings(schema, { api_key: "pk-very-secret" }, { backend: "x" })).toThrow(
      /\(secret\)/,
    );
    try {
      validateSettings(schema, { api_key: "pk-very-secret" }, { backend: "x" });
    } catch (e) {
      expect(String((e as Error).message)).not.toContain("very-secret");
    }
  });

  it("applies defaults and keeps valid values", () => {
    expect(validateSettings(postgresLike.settingsSchema, { database: "d" }, { backend: "p" })).toEqual({
      host: "localhost",
      port: 5432,
      database: "d",
    });
  });

  it("accepts the seed's Postgres example verbatim", async () => {
    const m = await createMemoryManager(
      {
        backend: "pglike",
        settings: {
          host: "localhost",
          port: 5432,
          database: "langswarm",
          user: "admin",
          password: "password",
        },
      },
      { adapters: [postgresLike] },
    );
    await m.close();
  });

  it("parses the seed's vector example: sessions in memory plus a vector store and embeddings", () => {
    const parsed = parseConfig({
      backend: "vector",
      settings: {
        enable_semantic_search: true,
        embedding: { provider: "openai", api_key: "sk-..." },
        vector_store: {
          store_type: "pinecone",
          connection_params: { api_key: "pinecone-key", environment: "us-west1", index_name: "agent-memory" },
        },
      },
    });
    expect(parsed.sessionBackend).toBe("memory");
    expect(parsed.semantic).toEqual({
      embeddingProvider: "openai",
      embeddingSettings: { api_key: "sk-..." },
      vectorStore: "pinecone",
      vectorSettings: { api_key: "pinecone-key", environment: "us-west1", index_name: "agent-memory" },
      metric: undefined,
    });
  });

  it("rejects unknown top-level keys and half-configured semantic search with clear errors", () => {
    expect(() => parseConfig({ backend: "sqlite", setings: {} } as never)).toThrow(
      /unknown config key "setings"/,
    );
    expect(() => parseConfig({ backend: "sqlite", settings: { enable_semantic_search: true } })).toThrow(
      /vector_store/,
    );
    expect(() => parseConfig({ backend: "vector", settings: { path: "x" } })).toThrow(
      /unknown setting for backend "vector"/,
    );
    expect(() =>
      parseConfig({ backend: "vector", settings: { vector_store: { store_typ: "x" } } } as never),
    ).toThrow(/store_typ.*did you mean "store_type"/s);
  });
});
