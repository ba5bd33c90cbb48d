import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export { descriptor };
export { PgVectorStore, PGVECTOR_CAPABILITIES } from "./store.js";
export { settingsSchema, type PgVectorSettings, type IndexType, type IterativeScan } from "./settings.js";
export { LAYOUT_VERSION, MIGRATIONS, type Migration, type SetupResult } from "./setup.js";
export { filterToSql, Params } from "./filter.js";

// Importing the package is enough for `store_type: "pgvector"` (or "postgres"/"postgresql") to resolve.
registry.register(descriptor);
