import { BackendUnavailableError, ConfigError, registry } from "@langswarm/memory-core";
import { ChromaClient } from "chromadb";
import { describe, expect, it } from "vitest";
import { assertCollectionName, ChromaVectorStore, descriptor, resolveSettings } from "../src/index.js";

describe("settings", () => {
  it("reads url into host, port and ssl, and defaults the collection", () => {
    const s = resolveSettings({ url: "https://chroma.example:8443", dimension: 3 });
    expect(s.clientArgs).toMatchObject({ host: "chroma.example", port: 8443, ssl: true });
    expect(s.collection).toBe("langswarm_vectors");
    expect(s.metric).toBe("cosine");
    expect(resolveSettings({ host: "h", port: 9000, dimension: 3 }).clientArgs).toMatchObject({
      host: "h",
      port: 9000,
      ssl: false,
    });
  });

  it("takes the dimension and metric from the manager and refuses contradictions", () => {
    expect(resolveSettings({}, { dimension: 384, metric: "dot" })).toMatchObject({
      dimension: 384,
      metric: "dot",
    });
    expect(() => resolveSettings({})).toThrow(/dimension: is required/);
    expect(() => resolveSettings({ dimension: 3 }, { dimension: 4 })).toThrow(ConfigError);
    expect(() => resolveSettings({ dimension: 3, metric: "dot" }, { metric: "cosine" })).toThrow(/metric/);
    expect(() => resolveSettings({ dimension: 3, metric: "l2" })).toThrow(ConfigError);
  });

  it("suffixes the collection with the manager's index name", () => {
    expect(
      resolveSettings({ dimension: 3, collection_name: "mem" }, { indexName: "lessons" }).collection,
    ).toBe("mem_lessons");
  });

  it.each([
    ["ab", /3 to 512/],
    ["x".repeat(513), /3 to 512/],
    ["_abc", /start and end/],
    ["abc-", /start and end/],
    ["a..b", /"\.\."/],
    ["192.168.1.10", /IPv4/],
    ["bad name", /only letters/],
    ["naïve", /only letters/],
  ])("refuses the collection name %j", (name, why) => {
    expect(() => assertCollectionName(name)).toThrow(why);
    expect(() => resolveSettings({ dimension: 3, collection_name: name })).toThrow(ConfigError);
  });

  it.each(["abc", "my.collection-1_x", "999.1.1.1.1", "300.1.1.1"])(
    "accepts the collection name %j",
    (name) => {
      expect(() => assertCollectionName(name)).not.toThrow();
    },
  );

  it("keeps secrets out of errors and sends api_key as x-chroma-token", () => {
    const s = resolveSettings({ dimension: 3, api_key: "sekret-token", headers: { "x-org": "acme-org" } });
    expect(s.clientArgs.headers).toEqual({ "x-org": "acme-org", "x-chroma-token": "sekret-token" });
    let message = "";
    try {
      resolveSettings({ dimension: 3, api_key: 42 as unknown as string });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/api_key/);
    expect(() => resolveSettings({ url: "http://user:pw@h:1", dimension: 3 })).toThrow(/credentials/);
  });

  it("refuses connection settings beside a caller's client, and url beside host/port", () => {
    const client = new ChromaClient({ host: "localhost", port: 1 });
    expect(() => resolveSettings({ client, url: "http://h:1", dimension: 3 })).toThrow(
      /cannot be given with client/,
    );
    expect(() => resolveSettings({ client: {} as ChromaClient, dimension: 3 })).toThrow(/ChromaClient/);
    expect(() => resolveSettings({ url: "http://h:1", port: 2, dimension: 3 })).toThrow(/url or host/);
    expect(() => resolveSettings({ url: "http://h:1/api/v2", dimension: 3 })).toThrow(/path/);
    expect(() => resolveSettings({ colection_name: "x", dimension: 3 })).toThrow(/collection_name/);
  });

  it("registers as chroma and resolves LangSwarm's chromadb spelling", async () => {
    expect(registry.get("vector", "chroma")).toBe(descriptor);
    expect(await registry.resolve("vector", "chromadb")).toBe(descriptor);
  });

  it("maps a refused connection to BackendUnavailableError", async () => {
    const store = new ChromaVectorStore({ url: "http://127.0.0.1:1", dimension: 3, api_key: "sekret-token" });
    const error = await store.setup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).not.toContain("sekret-token");
  });
});
