import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export { filterToSql, Params } from "./filter.js";
export { type IndexType, type IterativeScan, type PgVectorSettings, settingsSchema } from "./settings.js";
export { LAYOUT_VERSION, MIGRATIONS, type Migration, type SetupResult } from "./setup.js";
export { PGVECTOR_CAPABILITIES, PgVectorStore } from "./store.js";
export { descriptor };

// Importing the package is enough for `store_type: "pgvector"` (or "postgres"/"postgresql") to resolve.
registry.register(descriptor);
