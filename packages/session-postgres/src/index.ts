import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export { MIGRATIONS, type Migration, type MigrationResult } from "./migrations.js";
export type { Names } from "./names.js";
export { type PostgresSessionSettings, settingsSchema } from "./settings.js";
export type { Statements } from "./statements.js";
export {
  POSTGRES_SESSION_CAPABILITIES,
  PostgresSessionStore,
  type PostgresSessionStoreOptions,
} from "./store.js";
export { descriptor, descriptor as postgresSessionDescriptor };

// Importing the package is enough for `backend: "postgres"` to resolve.
registry.register(descriptor);
