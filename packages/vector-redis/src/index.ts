import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export type { RedisClient } from "./client.js";
export { descriptor } from "./descriptor.js";
export { type Keys, keysFor } from "./keys.js";
export { LAYOUT_VERSION } from "./meta.js";
export { REDISEARCH_CAPABILITIES } from "./redisearch/engine.js";
export { escapeName, filterToQuery as filterToRediSearchQuery } from "./redisearch/query.js";
export {
  type Algorithm,
  DEFAULT_FILTERABLE_FIELDS,
  type Engine,
  type EngineChoice,
  type FieldKind,
  type Quantization,
  type ResolvedSettings,
  settingsSchema,
} from "./settings.js";
export { detectFeatures, REDIS_VECTOR_CAPABILITIES, RedisVectorStore, type ServerFeatures } from "./store.js";
export { valueToken } from "./tokens.js";
export { VECTORSET_CAPABILITIES } from "./vectorset/engine.js";
export { filterToExpressions as filterToVectorSetExpressions, numberLiteral } from "./vectorset/filter.js";

// Importing the package registers `store_type: "redis"` (see package.json "sideEffects").
registry.register(descriptor);
