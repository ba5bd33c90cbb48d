import type { VectorStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { settingsSchema } from "./settings.js";
import { CHROMA_CAPABILITIES, ChromaVectorStore } from "./store.js";

/** `vector_store.store_type: "chroma"`; core maps LangSwarm's "chromadb" spelling to this name. */
export const descriptor: VectorStoreDescriptor = {
  kind: "vector",
  name: BACKEND,
  packageName: "@langswarm/vector-chroma",
  description: "Chroma (chromadb server): HNSW collections, exact-semantics metadata filters.",
  capabilities: CHROMA_CAPABILITIES,
  settingsSchema,
  create: (settings, context) => new ChromaVectorStore(settings, context),
};
