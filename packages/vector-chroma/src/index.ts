import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export { BACKEND, mapError } from "./errors.js";
export { decodeMetadata, encodeMetadata, toWhere } from "./metadata.js";
export { assertCollectionName } from "./names.js";
export { type ChromaSettings, DEFAULT_COLLECTION, resolveSettings, settingsSchema } from "./settings.js";
export { CHROMA_CAPABILITIES, ChromaVectorStore, LAYOUT_VERSION } from "./store.js";
export { descriptor };

// Importing the package is enough for `store_type: "chroma"` (or LangSwarm's "chromadb") to resolve.
registry.register(descriptor);
