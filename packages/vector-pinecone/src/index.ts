import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export { BACKEND, isTransient, mapError } from "./errors.js";
export { decodeMetadata, encodeMetadata, filterToPinecone, type PineconeFilter } from "./metadata.js";
export {
  DEFAULT_INDEX,
  INDEX_NAME_PATTERN,
  type ResolvedSettings,
  resolveSettings,
  settingsSchema,
} from "./settings.js";
export { PINECONE_CAPABILITIES, PineconeVectorStore, toScore } from "./store.js";
export { descriptor };

// Importing the package is enough for `store_type: "pinecone"` to resolve.
registry.register(descriptor);
