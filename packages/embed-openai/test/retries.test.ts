import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI } from "./support/fake-openai.js";
import { failure, KEY, providerFor } from "./support/helpers.js";

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.options.latencyMs = 0;
});

const gap = (i: number) => server.requests[i]!.at - server.requests[i - 1]!.at;
const rateLimited = (headers: Record<string, string>) => ({
  status: 429,
  headers,
  body: {
    error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" },
  },
});

describe("retries", () => {
  it("waits retry-after-ms after a 429, then succeeds", async () => {
    const provider = await providerFor(server);
    server.script(rateLimited({ "retry-after-ms": "300" }));
    const [v] = await provider.embed(["hello"]);
    expect(v).toHaveLength(1536);
    expect(server.requests).toHaveLength(2);
    expect(gap(1)).toBeGreaterThanOrEqual(295);
    expect(provider.stats).toMatchObject({ requests: 2, retries: 1, inputs: 1 });
  });

  it("waits retry-after (seconds) when that is what the server sends", async () => {
    const provider = await providerFor(server);
    server.script(rateLimited({ "retry-after": "1" }));
    await provider.embed(["hello"]);
    expect(gap(1)).toBeGreaterThanOrEqual(995);
  });

  it("backs off exponentially without Retry-After: 500, 502, 503 then success", async () => {
    const provider = await providerFor(server, { retry_base_delay_ms: 40 });
    server.script({ status: 500 }, { status: 502 }, { status: 503 });
    await provider.embed(["hello"]);
    expect(server.requests).toHaveLength(4);
    // base 40 ms doubling, jitter in [50%, 100%]: >= 20, >= 40, >= 80
    expect(gap(1)).toBeGreaterThanOrEqual(19);
    expect(gap(2)).toBeGreaterThanOrEqual(39);
    expect(gap(3)).toBeGreaterThanOrEqual(79);
  });

  it("retries a dropped connection and a timed-out request", async () => {
    const provider = await providerFor(server, { timeout_ms: 150 });
    server.script({ reset: true }, { delayMs: 1000 });
    const [v] = await provider.embed(["hello"]);
    expect(v).toHaveLength(1536);
    expect(server.requests).toHaveLength(3);
    expect(provider.stats.retries).toBe(2);
  });

  it("gives up after max_retries with BackendUnavailableError", async () => {
    const provider = await providerFor(server, { max_retries: 2 });
    server.script(rateLimited({}), rateLimited({}), rateLimited({}), rateLimited({}));
    const error = await failure(provider.embed(["hello"]));
    expect(error.code).toBe("BACKEND_UNAVAILABLE");
    expect(error.message).toMatch(/rate limited.*gave up after 3 attempts/);
    expect(server.requests).toHaveLength(3);
  });

  it("fails at once when Retry-After is longer than retry_max_delay_ms, saying how long", async () => {
    const provider = await providerFor(server, { retry_max_delay_ms: 1000 });
    server.script(rateLimited({ "retry-after": "120" }));
    const started = Date.now();
    const error = await failure(provider.embed(["hello"]));
    expect(error.code).toBe("BACKEND_UNAVAILABLE");
    expect(error.message).toMatch(/wait 120 s/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry what waiting cannot fix: insufficient_quota, x-should-retry: false, 400", async () => {
    const provider = await providerFor(server);
    server.script({
      status: 429,
      body: {
        error: {
          message: "You exceeded your current quota",
          type: "insufficient_quota",
          code: "insufficient_quota",
        },
      },
    });
    expect((await failure(provider.embed(["a"]))).message).toMatch(/quota/);
    server.script({ status: 500, headers: { "x-should-retry": "false" } });
    expect((await failure(provider.embed(["b"]))).code).toBe("BACKEND_UNAVAILABLE");
    server.script({ status: 400, body: { error: { message: "bad", type: "invalid_request_error" } } });
    expect((await failure(provider.embed(["c"]))).code).toBe("VALIDATION");
    expect(server.requests).toHaveLength(3);
  });
});

describe("abort", () => {
  it("an already-aborted signal sends nothing", async () => {
    const provider = await providerFor(server);
    const error = await failure(provider.embed(["x"], { signal: AbortSignal.abort() }));
    expect(error.code).toBe("ABORTED");
    expect(server.requests).toHaveLength(0);
  });

  it("aborting cancels the request in flight promptly", async () => {
    server.options.latencyMs = 5000;
    const provider = await providerFor(server);
    const started = Date.now();
    const error = await failure(provider.embed(["slow"], { signal: AbortSignal.timeout(100) }));
    expect(error.code).toBe("ABORTED");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("aborting cuts a backoff wait short and sends no retry", async () => {
    const provider = await providerFor(server);
    server.script(rateLimited({ "retry-after": "20" }));
    const started = Date.now();
    const error = await failure(provider.embed(["x"], { signal: AbortSignal.timeout(150) }));
    expect(error.code).toBe("ABORTED");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
  });

  it("close() aborts requests in flight; later calls fail with BackendUnavailableError", async () => {
    server.options.latencyMs = 5000;
    const provider = await providerFor(server);
    const pending = failure(provider.embed(["slow"]));
    await new Promise((r) => setTimeout(r, 100));
    await provider.close();
    expect((await pending).code).toBe("BACKEND_UNAVAILABLE");
    expect((await failure(provider.embed(["after"]))).code).toBe("BACKEND_UNAVAILABLE");
  });
});
