import { registry } from "@langswarm/memory-core";
import { sqliteVectorDescriptor } from "./descriptor.js";

export type { SqliteVecState } from "./connection.js";
export { sqliteVectorDescriptor, sqliteVectorDescriptor as descriptor } from "./descriptor.js";
export { filterToSql, type SqlFilter } from "./filter-sql.js";
export { SCHEMA_VERSION } from "./schema.js";
export { type SqliteVectorSettings, settingsSchema } from "./settings.js";
export {
  type QueryPlan,
  SQLITE_VECTOR_CAPABILITIES,
  SqliteVectorStore,
  type SqliteVectorStoreOptions,
  type VectorEngine,
} from "./store.js";

// Importing the package makes `vector_store.store_type: "sqlite"` (and "local") available.
registry.register(sqliteVectorDescriptor);
