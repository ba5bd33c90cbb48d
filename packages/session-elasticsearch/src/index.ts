import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export type { Flavor, Refresh, SearchBackend } from "./backend.js";
export { elasticRequest } from "./backend.js";
export { detectClientFlavor } from "./connect.js";
export { descriptor } from "./descriptor.js";
export { type IndexNames, indexNames, MAPPINGS, SCHEMA_VERSION } from "./schema.js";
export {
  type ElasticsearchSessionStoreOptions,
  INDEX_PREFIX_PATTERN,
  optionsFromSettings,
  settingsSchema,
} from "./settings.js";
export { ELASTICSEARCH_SESSION_CAPABILITIES, ElasticsearchSessionStore } from "./store.js";

// Importing the package registers backend "elasticsearch" (see package.json "sideEffects").
registry.register(descriptor);
