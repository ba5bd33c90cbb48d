import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export type { RedisClient } from "./client.js";
export { descriptor } from "./descriptor.js";
export { decodeId, encodeId, indexKey, sessionKeys, storeKeys } from "./keys.js";
export { type RedisSessionStoreOptions, settingsSchema } from "./settings.js";
export { REDIS_SESSION_CAPABILITIES, RedisSessionStore, SCHEMA_VERSION } from "./store.js";

// Importing the package registers backend "redis" (see package.json "sideEffects").
registry.register(descriptor);
