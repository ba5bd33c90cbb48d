import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export { descriptor } from "./descriptor.js";
export { RedisSessionStore, REDIS_SESSION_CAPABILITIES, SCHEMA_VERSION } from "./store.js";
export { settingsSchema, type RedisSessionStoreOptions } from "./settings.js";
export type { RedisClient } from "./client.js";
export { encodeId, decodeId, sessionKeys, indexKey, storeKeys } from "./keys.js";

// Importing the package registers backend "redis" (see package.json "sideEffects").
registry.register(descriptor);
