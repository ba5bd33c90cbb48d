/** What we know about a hosted OpenAI embedding model without asking the server. */
export interface KnownModel {
  /** Native output dimension. */
  dimension: number;
  /** The model accepts the `dimensions` parameter (shortened embeddings), up to `dimension`. */
  shortenable: boolean;
  /** Tokens one input may hold. */
  maxInputTokens: number;
}

/**
 * OpenAI's published embedding models. A model not listed here has its dimension measured once at
 * create() with a probe request; we never guess (a wrong dimension corrupts a vector index).
 */
export const KNOWN_MODELS: Readonly<Record<string, KnownModel>> = {
  "text-embedding-3-small": { dimension: 1536, shortenable: true, maxInputTokens: 8191 },
  "text-embedding-3-large": { dimension: 3072, shortenable: true, maxInputTokens: 8191 },
  "text-embedding-ada-002": { dimension: 1536, shortenable: false, maxInputTokens: 8191 },
};

export const DEFAULT_MODEL = "text-embedding-3-small";

/** OpenAI's documented request limits for POST /v1/embeddings. */
export const API_LIMITS = {
  inputsPerRequest: 2048,
  tokensPerRequest: 300_000,
  tokensPerInput: 8191,
} as const;
