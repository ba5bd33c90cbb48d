import type { VectorStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { settingsSchema } from "./settings.js";
import { PGVECTOR_CAPABILITIES, PgVectorStore } from "./store.js";

/**
 * `vector_store.store_type: "pgvector"`. Core maps LangSwarm's "postgres" / "postgresql" spellings
 * for vector stores to this name.
 */
export const descriptor: VectorStoreDescriptor = {
  kind: "vector",
  name: BACKEND,
  packageName: "@langswarm/vector-pgvector",
  description:
    "PostgreSQL + pgvector: HNSW/IVFFlat indexes, halfvec, JSONB metadata filters with iterative index scans.",
  capabilities: PGVECTOR_CAPABILITIES,
  settingsSchema,
  create: (settings, context) => new PgVectorStore(settings, context),
};
