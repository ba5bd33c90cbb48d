import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIEmbeddings } from "../src/index.js";
import { type FakeOpenAI, startFakeOpenAI } from "./support/fake-openai.js";
import { failure, KEY, providerFor } from "./support/helpers.js";

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const WRONG_KEY = "sk-wrong-key-that-must-not-leak-42";

describe("error mapping", () => {
  it("401: ConfigError 'invalid API key' without the key or the server's echo of it", async () => {
    const provider = await providerFor(server, { api_key: WRONG_KEY });
    const error = await failure(provider.embed(["x"]));
    expect(error.code).toBe("CONFIG");
    expect(error.key).toBe("api_key");
    expect(error.message).toMatch(/invalid API key/);
    expect(error.message).not.toContain(WRONG_KEY);
    expect(error.message).not.toContain("sk-wr"); // the server quoted the key's first characters
    expect(JSON.stringify(error)).not.toContain(WRONG_KEY);
    expect(server.requests).toHaveLength(1); // never retried
  });

  it("404: ConfigError naming the model", async () => {
    server.script({
      status: 404,
      body: {
        error: {
          message: "The model `text-embedding-3-small` does not exist or you do not have access to it.",
          type: "invalid_request_error",
          code: "model_not_found",
        },
      },
    });
    const provider = await providerFor(server);
    const error = await failure(provider.embed(["x"]));
    expect(error.code).toBe("CONFIG");
    expect(error.key).toBe("model");
    expect(error.message).toMatch(/model "text-embedding-3-small" was not found at 127\.0\.0\.1:\d+/);
  });

  it("400: ValidationError carrying the server's message", async () => {
    server.script({
      status: 400,
      body: {
        error: {
          message: "'$.input' is invalid. Please check the API reference.",
          type: "invalid_request_error",
        },
      },
    });
    const provider = await providerFor(server);
    const error = await failure(provider.embed(["x"]));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toContain("'$.input' is invalid");
  });

  it("403: ConfigError; other 4xx: BackendError; messages are redacted of the key", async () => {
    const provider = await providerFor(server);
    server.script({
      status: 403,
      body: { error: { message: "Country, region, or territory not supported", type: "request_forbidden" } },
    });
    expect((await failure(provider.embed(["x"]))).code).toBe("CONFIG");
    server.script({
      status: 418,
      body: { error: { message: `teapot saw key ${KEY} and Bearer ${KEY}`, type: "x" } },
    });
    const error = await failure(provider.embed(["x"]));
    expect(error.code).toBe("BACKEND");
    expect(error.message).not.toContain(KEY);
  });

  it("a server that is not there: BackendUnavailableError after retries", async () => {
    const gone = await (await import("./support/fake-openai.js")).startFakeOpenAI();
    const url = gone.baseURL;
    await gone.close();
    const provider = await createOpenAIEmbeddings({
      base_url: url,
      api_key: KEY,
      max_retries: 2,
      retry_base_delay_ms: 1,
    });
    const error = await failure(provider.embed(["x"]));
    expect(error.code).toBe("BACKEND_UNAVAILABLE");
    expect(error.message).toMatch(/could not be reached.*gave up after 3 attempts/);
    expect(error.message).not.toContain(KEY);
  });

  it("a malformed answer (wrong count, bad index, wrong dimension) is a typed error, never a bad vector", async () => {
    const provider = await providerFor(server, { encoding_format: "float" });
    server.script({ status: 200, body: { data: [] } });
    expect((await failure(provider.embed(["x"]))).code).toBe("BACKEND");
    server.script({ status: 200, body: { data: [{ index: 3, embedding: [1] }] } });
    expect((await failure(provider.embed(["x"]))).code).toBe("BACKEND");
    server.script({ status: 200, body: { data: [{ index: 0, embedding: [1, 2, 3] }] } });
    const error = await failure(provider.embed(["x"]));
    expect(error.code).toBe("DIMENSION_MISMATCH");
    expect(error).toMatchObject({ expected: 1536, actual: 3 });
  });
});

describe("dimension probe for unknown models", () => {
  it("measures once at create with the probe text, then never again", async () => {
    const provider = await providerFor(server, { model: "nomic-embed-text" });
    expect(provider.dimension).toBe(768);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body.input).toEqual(["dimension probe"]);
    await provider.embed(["a", "b"]);
    expect(server.requests).toHaveLength(2);
  });

  it("an unknown model the server does not have: create() throws ConfigError, no guessed dimension", async () => {
    const error = await failure(providerFor(server, { model: "no-such-model" }));
    expect(error.code).toBe("CONFIG");
    expect(error.message).toMatch(/no-such-model.*not found.*measuring the dimension/);
  });

  it("probe against a bad key: ConfigError; against no server: BackendUnavailableError", async () => {
    expect((await failure(providerFor(server, { model: "nomic-embed-text", api_key: WRONG_KEY }))).code).toBe(
      "CONFIG",
    );
    const error = await failure(
      createOpenAIEmbeddings({
        base_url: "http://127.0.0.1:9/v1",
        model: "nomic-embed-text",
        max_retries: 1,
        retry_base_delay_ms: 1,
      }),
    );
    expect(error.code).toBe("BACKEND_UNAVAILABLE");
    expect(error.message).toMatch(/measuring the dimension/);
  });

  it("probe retries a loading server (503) before answering", async () => {
    server.script({ status: 503, body: { error: { message: "model is loading", type: "server_error" } } });
    const provider = await providerFor(server, { model: "tiny-embed" });
    expect(provider.dimension).toBe(8);
    expect(server.requests).toHaveLength(2);
  });

  it("dimensions on an unknown model the server ignores: ConfigError at create", async () => {
    server.options.ignoreDimensions = true;
    try {
      const error = await failure(providerFor(server, { model: "nomic-embed-text", dimensions: 64 }));
      expect(error.code).toBe("CONFIG");
      expect(error.key).toBe("dimensions");
    } finally {
      server.options.ignoreDimensions = false;
    }
  });

  it("a known model whose server ignores dimensions: DimensionMismatchError on embed, not a wrong-size vector", async () => {
    server.options.ignoreDimensions = true;
    try {
      const provider = await providerFor(server, { dimensions: 256 });
      const error = await failure(provider.embed(["x"]));
      expect(error.code).toBe("DIMENSION_MISMATCH");
    } finally {
      server.options.ignoreDimensions = false;
    }
  });
});
