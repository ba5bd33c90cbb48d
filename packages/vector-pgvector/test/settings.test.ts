import { ConfigError, registry } from "@langswarm/memory-core";
import { describe, expect, it } from "vitest";
import { descriptor, PgVectorStore } from "../src/index.js";

const SECRET = "s3cr3t-Pa55word";
const settingsError = (settings: Record<string, unknown>, context = {}): ConfigError => {
  try {
    new PgVectorStore(settings, context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
};

describe("settings (LangSwarm's connection_params)", () => {
  it("names a misspelt key and suggests the right one", () => {
    const error = settingsError({ url: "postgres://localhost/db", dimension: 8, tabel_name: "x" });
    expect(error.message).toContain("tabel_name");
    expect(error.message).toContain('did you mean "table_name"');
  });

  it("never echoes the password, in a bad URL or next to another bad setting", () => {
    const badUrl = settingsError({ url: `postgres://u:${SECRET}@[bad`, dimension: 8 });
    expect(badUrl.message).not.toContain(SECRET);
    expect(badUrl.key).toBe("url");
    const other = settingsError({ host: "h", password: SECRET, port: "5432", dimension: 8 });
    expect(other.message).not.toContain(SECRET);
    expect(other.message).toContain("port");
    const wrongType = settingsError({ password: 12345678, dimension: 8 });
    expect(wrongType.message).not.toContain("12345678");
  });

  it("takes the dimension from the embedding provider, never guesses it, and refuses a contradiction", () => {
    expect(new PgVectorStore({ url: "postgres://localhost/db" }, { dimension: 384 }).index.dimension).toBe(
      384,
    );
    expect(settingsError({ url: "postgres://localhost/db" }).message).toMatch(/dimension.*never guessed/);
    const clash = settingsError({ url: "postgres://localhost/db", dimension: 768 }, { dimension: 384 });
    expect(clash.key).toBe("dimension");
    expect(clash.message).toContain("384");
    const metric = settingsError(
      { url: "postgres://localhost/db", dimension: 8, metric: "dot" },
      { metric: "cosine" },
    );
    expect(metric.key).toBe("metric");
  });

  it("metric defaults to the manager's, then cosine", () => {
    expect(new PgVectorStore({ url: "postgres://x/db", dimension: 8 }).index.metric).toBe("cosine");
    expect(new PgVectorStore({ url: "postgres://x/db", dimension: 8 }, { metric: "dot" }).index.metric).toBe(
      "dot",
    );
  });

  it("halfvec: auto above 2000 dimensions, limits of pgvector's indexes enforced with the fix named", () => {
    expect(new PgVectorStore({ url: "postgres://x/db", dimension: 3072 }).settings.index.halfvec).toBe(true);
    expect(new PgVectorStore({ url: "postgres://x/db", dimension: 1536 }).settings.index.halfvec).toBe(false);
    expect(
      new PgVectorStore({ url: "postgres://x/db", dimension: 1536, halfvec: true }).settings.index.halfvec,
    ).toBe(true);
    expect(settingsError({ url: "postgres://x/db", dimension: 3072, halfvec: false }).message).toContain(
      "halfvec: true",
    );
    expect(settingsError({ url: "postgres://x/db", dimension: 5000 }).message).toContain('index_type "none"');
    const exact = new PgVectorStore({ url: "postgres://x/db", dimension: 5000, index_type: "none" });
    expect(exact.settings.index.halfvec).toBe(false);
    expect(exact.capabilities.exact).toBe(true);
    expect(settingsError({ url: "postgres://x/db", dimension: 8, halfvec: "yes" }).key).toContain("halfvec");
  });

  it("index-specific settings must match the index type", () => {
    expect(
      settingsError({ url: "postgres://x/db", dimension: 8, index_type: "ivfflat", ef_search: 100 }).key,
    ).toBe("ef_search");
    expect(settingsError({ url: "postgres://x/db", dimension: 8, ivfflat_probes: 3 }).key).toBe(
      "ivfflat_probes",
    );
    expect(
      settingsError({
        url: "postgres://x/db",
        dimension: 8,
        index_type: "ivfflat",
        iterative_scan: "strict_order",
      }).key,
    ).toBe("iterative_scan");
    const ivf = new PgVectorStore({
      url: "postgres://x/db",
      dimension: 8,
      index_type: "ivfflat",
      ivfflat_lists: 400,
    });
    expect(ivf.settings.search.probes).toBe(20);
  });

  it("a caller's pool excludes connection settings; identifiers are allow-listed", () => {
    const fakePool = {
      connect: async () => {},
      query: async () => {},
      options: { host: "db", port: 5432, database: "app" },
    };
    expect(settingsError({ pool: fakePool, url: "postgres://x/db", dimension: 8 }).key).toBe("url");
    expect(settingsError({ pool: { nope: true }, dimension: 8 }).key).toBe("pool");
    expect(new PgVectorStore({ pool: fakePool, dimension: 8 }).settings.target).toBe("db:5432/app");
    expect(
      settingsError({ url: "postgres://x/db", dimension: 8, table_name: 'x"; DROP TABLE y; --' }).key,
    ).toContain("table_name");
    expect(settingsError({ url: "postgres://x/db", dimension: 8, schema: "a.b" }).key).toContain("schema");
  });

  it("a second index of the same store gets a suffixed table", () => {
    const store = new PgVectorStore(
      { url: "postgres://x/db", dimension: 8, table_name: "mem" },
      { indexName: "lessons" },
    );
    expect(store.index.name).toBe("public.mem_lessons");
  });
});

describe("registration", () => {
  it("resolves as pgvector and under LangSwarm's postgres / postgresql spellings", async () => {
    expect(await registry.resolve("vector", "pgvector")).toBe(descriptor);
    expect(await registry.resolve("vector", "postgres")).toBe(descriptor);
    expect(await registry.resolve("vector", "postgresql")).toBe(descriptor);
  });
});
