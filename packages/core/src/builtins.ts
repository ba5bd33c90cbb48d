import { ConfigError } from "./errors.js";
import { HashEmbeddingProvider } from "./reference/hash-embedding.js";
import { InMemorySessionStore, MEMORY_SESSION_CAPABILITIES } from "./reference/memory-session-store.js";
import { InMemoryVectorStore, MEMORY_VECTOR_CAPABILITIES } from "./reference/memory-vector-store.js";
import type {
  EmbeddingProviderDescriptor,
  SessionStoreDescriptor,
  VectorStoreDescriptor,
} from "./types/adapter.js";
import type { VectorMetric } from "./types/vector.js";

/** The adapters core ships with: in-memory sessions, exact in-memory vectors, offline hash embeddings. */
export const memorySessionDescriptor: SessionStoreDescriptor = {
  kind: "session",
  name: "memory",
  aliases: ["in_memory", "inmemory"],
  packageName: "@langswarm/memory-core",
  description: "In-process session store (tests, prototypes). Not persistent.",
  capabilities: MEMORY_SESSION_CAPABILITIES,
  settingsSchema: {},
  create: () => new InMemorySessionStore(),
};

export const memoryVectorDescriptor: VectorStoreDescriptor = {
  kind: "vector",
  name: "memory",
  aliases: ["in_memory", "inmemory"],
  packageName: "@langswarm/memory-core",
  description: "Exact brute-force in-process vector store (tests; the recall ground truth).",
  capabilities: MEMORY_VECTOR_CAPABILITIES,
  settingsSchema: {
    dimension: {
      type: "integer",
      min: 1,
      description: "vector dimension (default: the embedding provider's)",
    },
    metric: {
      type: "string",
      enum: ["cosine", "euclidean", "dot"],
      default: "cosine",
      description: "similarity metric",
    },
  },
  create: (settings, context) => {
    const dimension = (settings.dimension as number | undefined) ?? context.dimension;
    if (dimension === undefined)
      throw new ConfigError("dimension is required when no embedding provider is configured", {
        backend: "memory",
        key: "dimension",
      });
    const name = context.indexName ? `memory_${context.indexName}` : "memory";
    return new InMemoryVectorStore({
      dimension,
      metric: (context.metric ?? settings.metric) as VectorMetric,
      name,
    });
  },
};

export const hashEmbeddingDescriptor: EmbeddingProviderDescriptor = {
  kind: "embedding",
  name: "hash",
  packageName: "@langswarm/memory-core",
  description:
    "Offline deterministic feature-hashing embeddings (lexical, not semantic). For tests and demos.",
  settingsSchema: {
    dimension: { type: "integer", min: 8, max: 8192, default: 256, description: "output dimension" },
    model: {
      type: "string",
      description: "ignored; accepted so configs written for other providers validate",
    },
  },
  create: (settings) => new HashEmbeddingProvider({ dimension: settings.dimension as number }),
};
