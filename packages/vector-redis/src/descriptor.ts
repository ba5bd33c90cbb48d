import type { VectorStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { settingsSchema } from "./settings.js";
import { REDIS_VECTOR_CAPABILITIES, RedisVectorStore } from "./store.js";

/** `vector_store.store_type: "redis"`: Redis 8 Vector Sets or RediSearch, chosen by `engine`. */
export const descriptor: VectorStoreDescriptor = {
  kind: "vector",
  name: BACKEND,
  packageName: "@langswarm/vector-redis",
  description:
    "Redis vectors: Redis 8 Vector Sets (VADD/VSIM, exact filter translation) or RediSearch (FT.CREATE ... VECTOR, KNN with TAG/NUMERIC filters).",
  capabilities: REDIS_VECTOR_CAPABILITIES,
  settingsSchema,
  create: (settings, context) => new RedisVectorStore(settings, context),
};
