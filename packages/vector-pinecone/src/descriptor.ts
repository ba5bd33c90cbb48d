import type { VectorStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { settingsSchema } from "./settings.js";
import { PINECONE_CAPABILITIES, PineconeVectorStore } from "./store.js";

/** `vector_store.store_type: "pinecone"`. */
export const descriptor: VectorStoreDescriptor = {
  kind: "vector",
  name: BACKEND,
  packageName: "@langswarm/vector-pinecone",
  description: "Pinecone serverless indexes, one namespace per store, exact filter translation.",
  capabilities: PINECONE_CAPABILITIES,
  settingsSchema,
  create: (settings, context) => new PineconeVectorStore(settings, context),
};
