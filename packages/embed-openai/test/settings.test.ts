import { describe, expect, it } from "vitest";
import { resolveSettings, settingsSchema } from "../src/index.js";

const env = { OPENAI_API_KEY: "sk-from-env-123456" };
const configError = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect((error as { code?: string }).code).toBe("CONFIG");
    return error as Error & { key?: string };
  }
  throw new Error("expected a ConfigError");
};

describe("settings", () => {
  it("defaults: text-embedding-3-small at 1536, base64, the API's batch limits, the key from OPENAI_API_KEY", () => {
    const r = resolveSettings({}, env);
    expect(r).toMatchObject({
      model: "text-embedding-3-small",
      dimension: 1536,
      requestDimensions: undefined,
      encodingFormat: "base64",
      timeoutMs: 60_000,
      retry: { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000 },
      batchSize: 2048,
      maxConcurrency: 4,
      maxRequestTokens: 300_000,
      maxInputTokens: 8191,
      truncate: false,
      target: "api.openai.com",
    });
    expect(r.connection).toMatchObject({
      kind: "openai",
      apiKey: "sk-from-env-123456",
      baseURL: "https://api.openai.com/v1",
    });
    expect(r.secrets).toContain("sk-from-env-123456");
  });

  it("knows the dimensions of OpenAI's models, and applies dimensions to v3 models only", () => {
    expect(resolveSettings({ model: "text-embedding-3-large" }, env).dimension).toBe(3072);
    expect(resolveSettings({ model: "text-embedding-ada-002" }, env).dimension).toBe(1536);
    expect(resolveSettings({ model: "text-embedding-3-large", dimensions: 1024 }, env)).toMatchObject({
      dimension: 1024,
      requestDimensions: 1024,
    });
    expect(
      configError(() => resolveSettings({ model: "text-embedding-3-small", dimensions: 2000 }, env)).message,
    ).toMatch(/at most 1536/);
    expect(
      configError(() => resolveSettings({ model: "text-embedding-ada-002", dimensions: 512 }, env)).key,
    ).toBe("dimensions");
    // unknown model: measured at create, never assumed
    expect(
      resolveSettings({ model: "nomic-embed-text", base_url: "http://localhost:11434/v1" }, env).dimension,
    ).toBeUndefined();
  });

  it("api.openai.com without a key is a ConfigError; a local server needs none", () => {
    const error = configError(() => resolveSettings({}, {}));
    expect(error.key).toBe("api_key");
    expect(error.message).toMatch(/OPENAI_API_KEY/);
    const local = resolveSettings({ base_url: "http://localhost:11434/v1", model: "nomic-embed-text" }, {});
    expect(local.connection).toMatchObject({ kind: "openai", baseURL: "http://localhost:11434/v1" });
    expect(local.target).toBe("localhost:11434");
    expect(resolveSettings({}, { OPENAI_BASE_URL: "http://vllm:8000/v1" }).target).toBe("vllm:8000");
    const proxied = resolveSettings({ base_url: "https://me:proxy-pass-123@proxy.internal/v1" }, env);
    expect(proxied.target).toBe("proxy.internal");
    expect(proxied.secrets).toContain("proxy-pass-123");
  });

  it("misspelt and mistyped keys name the key and suggest the right one; secrets are not echoed", () => {
    expect(configError(() => resolveSettings({ dimension: 256 }, env)).message).toMatch(
      /did you mean "dimensions"/,
    );
    expect(configError(() => resolveSettings({ batch_size: 4096 }, env)).message).toMatch(
      /batch_size: must be <= 2048/,
    );
    expect(configError(() => resolveSettings({ encoding_format: "floats" }, env)).message).toMatch(
      /did you mean "float"/,
    );
    const secret = "sk-super-secret-value-999";
    const bad = configError(() =>
      resolveSettings({ api_key: secret, base_url: "ftp://x", headers: { Authorization: 42 } }, env),
    );
    expect(bad.message).not.toContain(secret);
    const header = configError(() =>
      resolveSettings({ headers: { "X-Token": 42 as unknown as string } }, env),
    );
    expect(header.message).toMatch(/headers\.X-Token/);
    expect(
      configError(() => resolveSettings({ base_url: `https://user:${secret}@proxy/v1`, timeout_ms: 0 }, env))
        .message,
    ).not.toContain(secret);
  });

  it("Azure: needs api_version and an endpoint; the key comes from AZURE_OPENAI_API_KEY, not OPENAI_API_KEY", () => {
    expect(
      configError(() => resolveSettings({ azure_endpoint: "https://r.openai.azure.com", api_key: "k" }, {}))
        .key,
    ).toBe("api_version");
    expect(configError(() => resolveSettings({ api_version: "2024-10-21", api_key: "k" }, {})).key).toBe(
      "azure_endpoint",
    );
    expect(
      configError(() =>
        resolveSettings({ azure_endpoint: "https://r.openai.azure.com", api_version: "2024-10-21" }, env),
      ).key,
    ).toBe("api_key");
    const r = resolveSettings(
      { azure_endpoint: "https://r.openai.azure.com", api_version: "2024-10-21", deployment: "emb" },
      { AZURE_OPENAI_API_KEY: "azure-key-1234" },
    );
    expect(r.connection).toMatchObject({
      kind: "azure",
      apiKey: "azure-key-1234",
      endpoint: "https://r.openai.azure.com",
      deployment: "emb",
    });
    // the deployment decides the model: without an explicit model the dimension is measured
    expect(r).toMatchObject({ model: "emb", dimension: undefined, target: "r.openai.azure.com" });
    const named = resolveSettings(
      {
        azure_endpoint: "https://r.openai.azure.com",
        api_version: "2024-10-21",
        deployment: "emb",
        model: "text-embedding-3-large",
        api_key: "k123",
      },
      {},
    );
    expect(named).toMatchObject({ model: "text-embedding-3-large", dimension: 3072 });
    expect(
      configError(() =>
        resolveSettings(
          { azure_endpoint: "https://r", base_url: "https://r/openai", api_version: "v", api_key: "k" },
          {},
        ),
      ).key,
    ).toBe("base_url");
    const token = async () => "entra-token";
    const entra = resolveSettings(
      { azure_endpoint: "https://r.openai.azure.com", api_version: "v", azure_ad_token_provider: token },
      {},
    );
    expect(entra.connection).toMatchObject({ kind: "azure", azureADTokenProvider: token });
    expect(
      configError(() =>
        resolveSettings(
          { azure_endpoint: "https://r", api_version: "v", azure_ad_token_provider: token, api_key: "k" },
          {},
        ),
      ).key,
    ).toBe("api_key");
  });

  it("a caller's client excludes connection settings and must look like an OpenAI client", () => {
    const client = { embeddings: { create: async () => ({}) } };
    expect(resolveSettings({ client }, {}).connection).toEqual({ kind: "client", client });
    expect(configError(() => resolveSettings({ client, base_url: "http://x" }, {})).key).toBe("base_url");
    expect(configError(() => resolveSettings({ client: { embeddings: {} } }, {})).key).toBe("client");
  });

  it("every setting has a description; secrets are marked", () => {
    for (const [key, spec] of Object.entries(settingsSchema))
      expect(spec.description.length, key).toBeGreaterThan(10);
    expect(settingsSchema.api_key!.secret).toBe(true);
    expect(settingsSchema.headers!.secret).toBe(true);
  });

  it("max_input_tokens never exceeds max_request_tokens", () => {
    expect(resolveSettings({ max_request_tokens: 100 }, env).maxInputTokens).toBe(100);
    expect(
      configError(() => resolveSettings({ max_request_tokens: 100, max_input_tokens: 200 }, env)).key,
    ).toBe("max_input_tokens");
  });
});
