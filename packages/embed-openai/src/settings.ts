import { ConfigError, type SettingsSchema, validateSettings } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { API_LIMITS, DEFAULT_MODEL, KNOWN_MODELS, type KnownModel } from "./models.js";

/** The `embedding` settings of a LangSwarm config, minus `provider` (core strips it). */
export interface OpenAIEmbeddingSettings {
  api_key?: string;
  model?: string;
  dimensions?: number;
  base_url?: string;
  organization?: string;
  project?: string;
  headers?: Record<string, string>;
  azure_endpoint?: string;
  api_version?: string;
  deployment?: string;
  azure_ad_token_provider?: () => Promise<string>;
  encoding_format?: "base64" | "float";
  timeout_ms?: number;
  max_retries?: number;
  retry_base_delay_ms?: number;
  retry_max_delay_ms?: number;
  batch_size?: number;
  max_concurrency?: number;
  max_request_tokens?: number;
  max_input_tokens?: number;
  truncate?: boolean;
  /** A caller-owned `OpenAI` / `AzureOpenAI` instance; used as is, never closed. */
  client?: EmbeddingsClient;
}

/** The one method of the SDK client we call; any OpenAI / AzureOpenAI instance (v5, v6, v7) has it. */
export interface EmbeddingsClient {
  embeddings: {
    create(body: Record<string, unknown>, options?: Record<string, unknown>): PromiseLike<unknown>;
  };
}

export const settingsSchema: SettingsSchema = {
  api_key: {
    type: "string",
    secret: true,
    description:
      "API key (default: OPENAI_API_KEY, or AZURE_OPENAI_API_KEY for Azure, read at create time; optional for a local base_url)",
  },
  model: {
    type: "string",
    description: `embedding model (default "${DEFAULT_MODEL}"; for Azure, the deployment's model)`,
  },
  dimensions: {
    type: "integer",
    min: 1,
    description:
      "shortened output dimension for text-embedding-3 models (at most the model's native dimension)",
  },
  base_url: {
    type: "string",
    description:
      "any OpenAI-compatible server, e.g. http://localhost:11434/v1 for Ollama (default: OPENAI_BASE_URL or OpenAI)",
  },
  organization: { type: "string", description: "OpenAI organization id (default: OPENAI_ORG_ID)" },
  project: { type: "string", description: "OpenAI project id (default: OPENAI_PROJECT_ID)" },
  headers: {
    type: "object",
    secret: true,
    description: "extra HTTP headers sent with every request (string values)",
  },
  azure_endpoint: {
    type: "string",
    description:
      "Azure OpenAI resource endpoint, e.g. https://my-resource.openai.azure.com (default: AZURE_OPENAI_ENDPOINT)",
  },
  api_version: {
    type: "string",
    description: "Azure OpenAI API version, e.g. 2024-10-21 (default: OPENAI_API_VERSION)",
  },
  deployment: { type: "string", description: "Azure OpenAI deployment name (default: the model name)" },
  azure_ad_token_provider: {
    type: "instance",
    description: "Azure: async function returning a Microsoft Entra ID token (instead of api_key)",
  },
  encoding_format: {
    type: "string",
    enum: ["base64", "float"],
    default: "base64",
    description: "wire format of the vectors (base64 is ~4x smaller; both are decoded)",
  },
  timeout_ms: {
    type: "integer",
    min: 1,
    default: 60_000,
    description: "per-request timeout; a timeout is retried",
  },
  max_retries: {
    type: "integer",
    min: 0,
    max: 20,
    default: 5,
    description: "retries of a request after 429, 408, 409, 5xx or a connection error",
  },
  retry_base_delay_ms: {
    type: "integer",
    min: 0,
    default: 500,
    description: "first backoff delay; doubles per retry, with jitter, unless the server sends Retry-After",
  },
  retry_max_delay_ms: {
    type: "integer",
    min: 0,
    default: 30_000,
    description: "cap on one backoff delay; a Retry-After longer than this fails at once instead of waiting",
  },
  batch_size: {
    type: "integer",
    min: 1,
    max: API_LIMITS.inputsPerRequest,
    default: API_LIMITS.inputsPerRequest,
    description: "texts per request (the API allows 2048)",
  },
  max_concurrency: {
    type: "integer",
    min: 1,
    max: 64,
    default: 4,
    description: "requests in flight at once, across all embed() calls of this provider",
  },
  max_request_tokens: {
    type: "integer",
    min: 1,
    default: API_LIMITS.tokensPerRequest,
    description: "estimated tokens per request (the API allows 300,000)",
  },
  max_input_tokens: {
    type: "integer",
    min: 1,
    description: "estimated tokens one text may have (default 8191, the OpenAI models' limit)",
  },
  truncate: {
    type: "boolean",
    default: false,
    description: "cut a text over max_input_tokens to fit instead of failing with ValidationError",
  },
  client: {
    type: "instance",
    description: "an OpenAI or AzureOpenAI client you own; used as is and never closed",
  },
};

const AZURE_KEYS = ["azure_endpoint", "api_version", "deployment", "azure_ad_token_provider"] as const;
const CONNECTION_KEYS = ["api_key", "base_url", "organization", "project", "headers", ...AZURE_KEYS] as const;

/** Everything the provider needs, resolved from settings and the environment. Holds the secret key. */
export interface ResolvedSettings {
  model: string;
  /** Known up front (known model, or `dimensions`) or undefined: measure with a probe request. */
  dimension: number | undefined;
  /** Send `dimensions` in every request. */
  requestDimensions: number | undefined;
  encodingFormat: "base64" | "float";
  timeoutMs: number;
  retry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number };
  batchSize: number;
  maxConcurrency: number;
  maxRequestTokens: number;
  maxInputTokens: number;
  truncate: boolean;
  /** How to reach the server; `client` when the caller supplied one. */
  connection: Connection;
  /** Host (no credentials, no path) for error messages. */
  target: string;
  /** Strings that must never appear in an error message. */
  secrets: string[];
}

export type Connection =
  | { kind: "client"; client: EmbeddingsClient }
  | {
      kind: "openai";
      apiKey: string;
      baseURL: string;
      organization?: string;
      project?: string;
      headers: Record<string, string>;
    }
  | {
      kind: "azure";
      apiKey?: string;
      azureADTokenProvider?: () => Promise<string>;
      endpoint?: string;
      baseURL?: string;
      apiVersion: string;
      deployment?: string;
      organization?: string;
      project?: string;
      headers: Record<string, string>;
    };

const OPENAI_BASE_URL = "https://api.openai.com/v1";
/** Sent as the bearer token to a local server that needs none (the SDK refuses to run without a key). */
export const NO_KEY_PLACEHOLDER = "no-key";

/**
 * Validate settings (types, ranges, misspelt keys) and resolve defaults from the environment.
 * Throws ConfigError naming the key; secrets never appear in messages.
 */
export function resolveSettings(
  input: OpenAIEmbeddingSettings | Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSettings {
  const s = validateSettings(settingsSchema, input, {
    backend: BACKEND,
  }) as unknown as OpenAIEmbeddingSettings &
    Required<
      Pick<
        OpenAIEmbeddingSettings,
        | "encoding_format"
        | "timeout_ms"
        | "max_retries"
        | "retry_base_delay_ms"
        | "retry_max_delay_ms"
        | "batch_size"
        | "max_concurrency"
        | "max_request_tokens"
        | "truncate"
      >
    >;
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${key}: ${message}`, { backend: BACKEND, key });
  };

  const azure = AZURE_KEYS.some((k) => s[k] !== undefined);
  // On Azure the deployment decides the model: without an explicit model we measure, never assume.
  const model = s.model ?? (azure && s.deployment ? s.deployment : DEFAULT_MODEL);
  if (model.trim() === "") fail("model", "must not be empty");
  const known: KnownModel | undefined = azure && s.model === undefined ? undefined : KNOWN_MODELS[model];

  let dimension = known?.dimension;
  if (s.dimensions !== undefined) {
    if (known && !known.shortenable) {
      fail("dimensions", `model "${model}" has a fixed dimension of ${known.dimension}; remove dimensions`);
    }
    if (known && s.dimensions > known.dimension) {
      fail(
        "dimensions",
        `model "${model}" returns at most ${known.dimension} dimensions, got ${s.dimensions}`,
      );
    }
    dimension = known ? s.dimensions : undefined; // unknown model: the probe checks the server honours it
  }

  const headers = checkHeaders(s.headers, fail);
  // A password inside a URL (a proxy's basic auth) is a secret too.
  const urlPasswords = [s.base_url, s.azure_endpoint].map((u) =>
    u && URL.canParse(u) ? decodeURIComponent(new URL(u).password) : "",
  );
  const secrets = [s.api_key, ...Object.values(headers), ...urlPasswords].filter(
    (v): v is string => typeof v === "string" && v.length >= 4,
  );

  let connection: Connection;
  let target: string;
  if (s.client !== undefined) {
    const clash = CONNECTION_KEYS.find((k) => s[k] !== undefined);
    if (clash) fail(clash, "cannot be combined with client (configure the client you pass instead)");
    if (typeof (s.client as EmbeddingsClient).embeddings?.create !== "function") {
      fail("client", "must be an OpenAI or AzureOpenAI client (it has no embeddings.create)");
    }
    connection = { kind: "client", client: s.client };
    target = hostOf((s.client as { baseURL?: unknown }).baseURL) ?? "the caller's client";
  } else if (azure) {
    const apiVersion = s.api_version ?? env.OPENAI_API_VERSION;
    if (!apiVersion)
      fail("api_version", "required for Azure OpenAI (or set OPENAI_API_VERSION), e.g. 2024-10-21");
    if (s.azure_endpoint !== undefined && s.base_url !== undefined) {
      fail("base_url", "give either azure_endpoint or base_url for Azure OpenAI, not both");
    }
    const endpoint = s.base_url === undefined ? (s.azure_endpoint ?? env.AZURE_OPENAI_ENDPOINT) : undefined;
    if (s.base_url === undefined && !endpoint) {
      fail(
        "azure_endpoint",
        "required for Azure OpenAI (or set AZURE_OPENAI_ENDPOINT), e.g. https://my-resource.openai.azure.com",
      );
    }
    const url = endpoint ?? s.base_url!;
    checkUrl(url, endpoint ? "azure_endpoint" : "base_url", fail);
    if (s.azure_ad_token_provider !== undefined && typeof s.azure_ad_token_provider !== "function") {
      fail("azure_ad_token_provider", "must be a function returning a token");
    }
    if (s.azure_ad_token_provider && s.api_key !== undefined) {
      fail("api_key", "give either api_key or azure_ad_token_provider, not both");
    }
    const apiKey = s.azure_ad_token_provider ? undefined : (s.api_key ?? env.AZURE_OPENAI_API_KEY);
    if (!s.azure_ad_token_provider && !apiKey) {
      fail(
        "api_key",
        "required for Azure OpenAI (or set AZURE_OPENAI_API_KEY, or give azure_ad_token_provider)",
      );
    }
    if (apiKey && !secrets.includes(apiKey)) secrets.push(apiKey);
    connection = {
      kind: "azure",
      apiVersion: apiVersion!,
      headers,
      ...(apiKey ? { apiKey } : {}),
      ...(s.azure_ad_token_provider ? { azureADTokenProvider: s.azure_ad_token_provider } : {}),
      ...(endpoint ? { endpoint } : { baseURL: s.base_url! }),
      ...(s.deployment ? { deployment: s.deployment } : {}),
      ...(s.organization ? { organization: s.organization } : {}),
      ...(s.project ? { project: s.project } : {}),
    };
    target = hostOf(url) ?? "Azure OpenAI";
  } else {
    const baseURL = s.base_url ?? env.OPENAI_BASE_URL ?? OPENAI_BASE_URL;
    checkUrl(baseURL, "base_url", fail);
    const official = new URL(baseURL).hostname === "api.openai.com";
    let apiKey = s.api_key ?? env.OPENAI_API_KEY;
    if (!apiKey) {
      if (official) {
        fail(
          "api_key",
          "required for api.openai.com: set it or OPENAI_API_KEY (for a local server such as Ollama, set base_url)",
        );
      }
      apiKey = NO_KEY_PLACEHOLDER;
    }
    if (!secrets.includes(apiKey) && apiKey !== NO_KEY_PLACEHOLDER) secrets.push(apiKey);
    connection = {
      kind: "openai",
      apiKey,
      baseURL,
      headers,
      ...(s.organization ? { organization: s.organization } : {}),
      ...(s.project ? { project: s.project } : {}),
    };
    target = hostOf(baseURL)!;
  }

  if (s.max_input_tokens !== undefined && s.max_input_tokens > s.max_request_tokens) {
    fail("max_input_tokens", `must not exceed max_request_tokens (${s.max_request_tokens})`);
  }
  const maxInputTokens = Math.min(
    s.max_input_tokens ?? known?.maxInputTokens ?? API_LIMITS.tokensPerInput,
    s.max_request_tokens,
  );
  return {
    model,
    dimension,
    requestDimensions: s.dimensions,
    encodingFormat: s.encoding_format,
    timeoutMs: s.timeout_ms,
    retry: {
      maxRetries: s.max_retries,
      baseDelayMs: s.retry_base_delay_ms,
      maxDelayMs: s.retry_max_delay_ms,
    },
    batchSize: s.batch_size,
    maxConcurrency: s.max_concurrency,
    maxRequestTokens: s.max_request_tokens,
    maxInputTokens,
    truncate: s.truncate,
    connection,
    target,
    secrets,
  };
}

function checkHeaders(value: unknown, fail: (key: string, message: string) => never): Record<string, string> {
  if (value === undefined) return {};
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    // Header values may hold credentials: name the header, never the value.
    if (typeof v !== "string") fail(`headers.${name}`, `must be a string, got ${typeof v}`);
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      fail("headers", `${JSON.stringify(name.slice(0, 40))} is not a valid header name`);
    out[name] = v as string;
  }
  return out;
}

function checkUrl(url: string, key: string, fail: (key: string, message: string) => never): void {
  const parsed = URL.canParse(url) ? new URL(url) : fail(key, "must be an absolute http(s) URL");
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") fail(key, "must be an http(s) URL");
}

/** `host[:port]` of a URL, for messages: no credentials, no path, no query. */
export function hostOf(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
