import { registry } from "@langswarm/memory-core";
import { sqliteSessionDescriptor } from "./descriptor.js";

export { sqliteSessionDescriptor, sqliteSessionDescriptor as descriptor } from "./descriptor.js";
export { MIGRATIONS, SCHEMA_VERSION } from "./schema.js";
export { type SqliteSessionSettings, settingsSchema } from "./settings.js";
export { SQLITE_SESSION_CAPABILITIES, SqliteSessionStore, type SqliteSessionStoreOptions } from "./store.js";

// Importing the package makes `backend: "sqlite"` (and "local") available to createMemoryManager.
registry.register(sqliteSessionDescriptor);
