import { registry } from "@langswarm/memory-core";
import { descriptor, OLLAMA_BASE_URL } from "./descriptor.js";

export { type Batch, planBatches } from "./batches.js";
export { decodeEmbedding } from "./decode.js";
export { retryAfter } from "./errors.js";
export { API_LIMITS, DEFAULT_MODEL, KNOWN_MODELS, type KnownModel } from "./models.js";
export {
  createOpenAIEmbeddings,
  decodeResponse,
  type EmbeddingStats,
  OpenAIEmbeddingProvider,
  PROBE_TEXT,
} from "./provider.js";
export { backoffDelay, type RetryPolicy } from "./retry.js";
export {
  type EmbeddingsClient,
  type OpenAIEmbeddingSettings,
  type ResolvedSettings,
  resolveSettings,
  settingsSchema,
} from "./settings.js";
export { estimateTokens, truncateToTokens } from "./tokens.js";
export { descriptor, descriptor as openaiEmbeddingDescriptor, OLLAMA_BASE_URL };

// Importing the package is enough for `embedding: { provider: "openai" }` to resolve.
registry.register(descriptor);
