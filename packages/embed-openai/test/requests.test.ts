import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, fakeVector, serverTokens, startFakeOpenAI } from "./support/fake-openai.js";
import { failure, KEY, providerFor, texts } from "./support/helpers.js";

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  Object.assign(server.options, {
    latencyMs: 0,
    reverse: false,
    alwaysFloat: false,
    ignoreDimensions: false,
    maxRequestTokens: undefined,
  });
});

describe("request shape", () => {
  it("sends model, an input array, base64 encoding and the key; no dimensions unless set; no request at create", async () => {
    const provider = await providerFor(server, {
      organization: "org-1",
      project: "proj-1",
      headers: { "X-Trace": "abc" },
    });
    expect(server.requests).toHaveLength(0); // known model: nothing to measure
    expect(provider.dimension).toBe(1536);
    await provider.embed(["hello"]);
    const [req] = server.requests;
    expect(req!.path).toBe("/v1/embeddings");
    expect(req!.body).toEqual({
      model: "text-embedding-3-small",
      input: ["hello"],
      encoding_format: "base64",
    });
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req!.headers["openai-organization"]).toBe("org-1");
    expect(req!.headers["openai-project"]).toBe("proj-1");
    expect(req!.headers["x-trace"]).toBe("abc");
    // SDK retries are off: our loop owns them (the SDK would send x-stainless-retry-count > 0 otherwise)
    expect(req!.headers["x-stainless-retry-count"]).toBe("0");
  });

  it("sends dimensions for text-embedding-3 models and gets vectors of that size", async () => {
    const provider = await providerFor(server, { model: "text-embedding-3-large", dimensions: 256 });
    expect(provider.dimension).toBe(256);
    const [v] = await provider.embed(["shortened"]);
    expect(server.requests[0]!.body).toMatchObject({ model: "text-embedding-3-large", dimensions: 256 });
    expect(v).toHaveLength(256);
  });

  it("decodes base64 and float answers to the same vectors the server computed", async () => {
    const base64 = await providerFor(server, { encoding_format: "base64" });
    const float = await providerFor(server, { encoding_format: "float" });
    const [a] = await base64.embed(["same text"]);
    const [b] = await float.embed(["same text"]);
    expect(server.requests.map((r) => r.body.encoding_format)).toEqual(["base64", "float"]);
    const expected = fakeVector("same text", 1536, "text-embedding-3-small");
    expect(Array.from(a!)).toEqual(Array.from(expected));
    expect(Array.from(b!)).toEqual(Array.from(expected));
  });

  it("decodes floats from a server that ignores encoding_format: base64", async () => {
    server.options.alwaysFloat = true;
    const provider = await providerFor(server);
    const [v] = await provider.embed(["x"]);
    expect(Array.from(v!)).toEqual(Array.from(fakeVector("x", 1536, "text-embedding-3-small")));
  });

  it("puts vectors back in input order by index when the server answers out of order", async () => {
    server.options.reverse = true;
    const provider = await providerFor(server, { batch_size: 10 });
    const input = texts(25);
    const vectors = await provider.embed(input);
    for (const [i, v] of vectors.entries()) {
      expect(Array.from(v)).toEqual(Array.from(fakeVector(input[i]!, 1536, "text-embedding-3-small")));
    }
  });
});

describe("batching", () => {
  it("by input count: 5000 texts go as 2048 + 2048 + 904, in order", async () => {
    const provider = await providerFor(server, { model: "tiny-embed" }); // probed: 1 request
    server.reset();
    const input = texts(5000);
    const vectors = await provider.embed(input);
    expect(server.requests.map((r) => (r.body.input as string[]).length)).toEqual([2048, 2048, 904]);
    expect(server.requests.flatMap((r) => r.body.input as string[])).toEqual(input);
    expect(Array.from(vectors[4321]!)).toEqual(Array.from(fakeVector(input[4321]!, 8, "tiny-embed")));
  });

  it("by tokens: 400 texts of ~2,700 estimated tokens stay under 300k tokens per request", async () => {
    server.options.maxRequestTokens = 300_000;
    const provider = await providerFor(server, { model: "tiny-embed" });
    server.reset();
    const input = Array.from(
      { length: 400 },
      (_, i) => `document ${i} ${"lorem ipsum dolor sit amet ".repeat(300)}`,
    );
    await provider.embed(input);
    const sizes = server.requests.map((r) => (r.body.input as string[]).length);
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(400);
    for (const r of server.requests) {
      const tokens = (r.body.input as string[]).reduce((sum, t) => sum + serverTokens(t), 0);
      expect(tokens).toBeLessThanOrEqual(300_000);
    }
    expect(provider.stats.retries).toBe(0); // nothing was refused
  });

  it("respects a smaller max_request_tokens", async () => {
    const provider = await providerFor(server, { model: "tiny-embed", max_request_tokens: 100 });
    server.reset();
    await provider.embed(texts(30, "word word word word word word word word word word word")); // ~10 tokens each
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(server.requests.every((r) => (r.body.input as string[]).length <= 10)).toBe(true);
  });

  it("splits and resends a batch the server refuses as too many tokens per request", async () => {
    // The server counts 1 token per character of letter soup; our estimate counts fewer.
    server.options.maxRequestTokens = 1000;
    const provider = await providerFor(server, { model: "tiny-embed" });
    server.reset();
    const soup = Array.from({ length: 8 }, (_, i) => `${i}${"qzx".repeat(100)}`);
    Object.assign(server.options, { maxRequestTokens: 300 }); // ~76 server tokens each, 8 > 300
    const vectors = await provider.embed(soup);
    expect(vectors).toHaveLength(8);
    expect(Array.from(vectors[7]!)).toEqual(Array.from(fakeVector(soup[7]!, 8, "tiny-embed")));
    expect(server.requests.length).toBeGreaterThan(1);
  });

  it("refuses one over-long text with ValidationError before sending anything", async () => {
    const provider = await providerFor(server);
    const long = "word ".repeat(30_000); // ~30k estimated tokens
    const error = await failure(provider.embed(["fine", long]));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toMatch(/texts\[1\].*8191.*truncate/);
    expect(server.requests).toHaveLength(0);
  });

  it("with truncate: true, cuts an over-long text to fit and embeds it", async () => {
    const provider = await providerFor(server, { truncate: true, max_input_tokens: 50 });
    const [v] = await provider.embed(["word ".repeat(1000)]);
    expect(v).toHaveLength(1536);
    const sent = (server.requests[0]!.body.input as string[])[0]!;
    expect(sent.length).toBeLessThan(200);
    expect("word ".repeat(1000).startsWith(sent)).toBe(true);
  });

  it("refuses empty and NUL texts with ValidationError, and returns [] for no texts without a request", async () => {
    const provider = await providerFor(server);
    expect((await failure(provider.embed(["ok", ""]))).code).toBe("VALIDATION");
    expect((await failure(provider.embed(["nul\u0000"]))).code).toBe("VALIDATION");
    expect(await provider.embed([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe("concurrency", () => {
  it("keeps at most max_concurrency requests in flight, and uses all of them", async () => {
    server.options.latencyMs = 40;
    const provider = await providerFor(server, { batch_size: 5, max_concurrency: 3 });
    await provider.embed(texts(60));
    expect(server.requests).toHaveLength(12);
    expect(server.maxInFlight).toBe(3);
  });

  it("shares the bound across concurrent embed() calls", async () => {
    server.options.latencyMs = 40;
    const provider = await providerFor(server, { batch_size: 5, max_concurrency: 2 });
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, provider.inFlight)), 2);
    await Promise.all([
      provider.embed(texts(30, "a")),
      provider.embed(texts(30, "b")),
      provider.embed(texts(30, "c")),
    ]);
    clearInterval(timer);
    expect(server.requests).toHaveLength(18);
    expect(server.maxInFlight).toBe(2);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it("stops sending the remaining batches once one fails", async () => {
    const provider = await providerFor(server, { batch_size: 2, max_concurrency: 1 });
    server.script({
      status: 400,
      body: { error: { message: "bad input in batch one", type: "invalid_request_error" } },
    });
    const error = await failure(provider.embed(texts(10)));
    expect(error.code).toBe("VALIDATION");
    expect(server.requests).toHaveLength(1);
  });
});
