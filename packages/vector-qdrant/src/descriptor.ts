import type { VectorStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { settingsSchema } from "./settings.js";
import { QDRANT_CAPABILITIES, QdrantVectorStore } from "./store.js";

/** `vector_store.store_type: "qdrant"`. */
export const descriptor: VectorStoreDescriptor = {
  kind: "vector",
  name: BACKEND,
  packageName: "@langswarm/vector-qdrant",
  description:
    "Qdrant collections (HNSW or exact), payload indexes for filterable fields, exact filter translation, deterministic UUIDs for string ids.",
  capabilities: QDRANT_CAPABILITIES,
  settingsSchema,
  create: (settings, context) => new QdrantVectorStore(settings, context),
};
