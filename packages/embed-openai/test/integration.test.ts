import { createMemoryManager, registry } from "@langswarm/memory-core";
import OpenAI, { AzureOpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIEmbeddings, descriptor, OpenAIEmbeddingProvider } from "../src/index.js";
import { type FakeOpenAI, fakeVector, startFakeOpenAI } from "./support/fake-openai.js";
import { KEY } from "./support/helpers.js";

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
});
afterAll(() => server.close());

describe("registration and the manager", () => {
  it("importing the package registers openai and LangSwarm's azure_openai / ollama spellings", () => {
    expect(registry.get("embedding", "openai")).toBe(descriptor);
    expect(registry.get("embedding", "azure_openai")).toBe(descriptor);
    expect(registry.get("embedding", "ollama")).toBe(descriptor);
  });

  it("a LangSwarm config embeds appended messages and recalls them", async () => {
    const manager = await createMemoryManager({
      backend: "memory",
      settings: {
        embedding: {
          provider: "openai",
          base_url: server.baseURL,
          api_key: KEY,
          model: "text-embedding-3-small",
          dimensions: 64,
        },
        vector_store: { store_type: "memory" },
      },
    });
    try {
      expect(manager.embedder).toBeInstanceOf(OpenAIEmbeddingProvider);
      expect(manager.embedder!.dimension).toBe(64);
      const session = await manager.createSession({ userId: "u1" });
      await manager.addMessages(session.sessionId, [
        { role: "user", content: "my favourite colour is green" },
        { role: "assistant", content: "noted, green it is" },
        { role: "user", content: "I live in Lisbon" },
      ]);
      await manager.flush();
      const [top] = await manager.recall("I live in Lisbon", { sessionId: session.sessionId, topK: 1 });
      expect(top).toMatchObject({ content: "I live in Lisbon", seq: 3 });
      expect(top!.score).toBeGreaterThan(0.99);
    } finally {
      await manager.close();
    }
  });

  it("bad settings in a manager config fail at creation with the key's path", async () => {
    await expect(
      createMemoryManager({
        backend: "memory",
        settings: {
          embedding: { provider: "openai", api_key: KEY, modle: "x" },
          vector_store: { store_type: "memory" },
        },
      }),
    ).rejects.toMatchObject({
      code: "CONFIG",
      message: expect.stringMatching(/settings\.embedding\.modle.*did you mean "model"/),
    });
  });
});

describe("a caller's client", () => {
  it("is used as is (our retries, not its own), and close() leaves it usable", async () => {
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: KEY, maxRetries: 7 });
    const provider = await createOpenAIEmbeddings({ client, max_retries: 1, retry_base_delay_ms: 1 });
    server.reset();
    server.script({ status: 500 }, { status: 500 }, { status: 500 });
    await expect(provider.embed(["x"])).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    expect(server.requests).toHaveLength(2); // 1 + max_retries, not the client's 7
    await provider.close();
    server.reset();
    const answer = await client.embeddings.create({ model: "text-embedding-3-small", input: ["still open"] });
    expect(answer.data).toHaveLength(1);
  });
});

describe("Azure OpenAI", () => {
  const azure = (extra: Record<string, unknown>) =>
    createOpenAIEmbeddings({
      azure_endpoint: server.url,
      api_version: "2024-10-21",
      api_key: KEY,
      retry_base_delay_ms: 1,
      ...extra,
    });

  it("posts to /openai/deployments/{deployment}/embeddings with api-version and the api-key header", async () => {
    server.reset();
    const provider = await azure({
      deployment: "text-embedding-3-large",
      model: "text-embedding-3-large",
      dimensions: 512,
    });
    expect(server.requests).toHaveLength(0);
    const [v] = await provider.embed(["azure text"]);
    const [req] = server.requests;
    expect(req!.path).toBe("/openai/deployments/text-embedding-3-large/embeddings?api-version=2024-10-21");
    expect(req!.headers["api-key"]).toBe(KEY);
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.body).toMatchObject({ dimensions: 512, encoding_format: "base64" });
    expect(v).toHaveLength(512);
  });

  it("a deployment without a model is measured, not assumed", async () => {
    server.reset();
    const provider = await azure({ deployment: "tiny-embed" });
    expect(provider.dimension).toBe(8);
    expect(server.requests).toHaveLength(1);
    const [v] = await provider.embed(["x"]);
    expect(Array.from(v!)).toEqual(Array.from(fakeVector("x", 8, "tiny-embed")));
  });

  it("a caller's AzureOpenAI client works too", async () => {
    const client = new AzureOpenAI({
      endpoint: server.url,
      apiVersion: "2024-10-21",
      apiKey: KEY,
      deployment: "tiny-embed",
    });
    const provider = await createOpenAIEmbeddings({ client, model: "tiny-embed" });
    expect(provider.dimension).toBe(8);
  });
});
