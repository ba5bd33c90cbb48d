import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export { descriptor } from "./descriptor.js";
export { collectionNames, SCHEMA_VERSION } from "./schema.js";
export { type MongoSessionStoreOptions, settingsSchema } from "./settings.js";
export { MONGODB_SESSION_CAPABILITIES, MongoSessionStore } from "./store.js";

// Importing the package registers backend "mongodb" (alias "mongo"); see package.json "sideEffects".
registry.register(descriptor);
