import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

export { type QdrantApi, Requester } from "./client.js";
export {
  COLLECTION_MARK,
  checkCollection,
  createBody,
  MIN_SERVER_VERSION,
  type SetupOutcome,
} from "./collection.js";
export { BACKEND, mapError } from "./errors.js";
export { filterToQdrant, type QdrantCondition, type QdrantFilter } from "./filter.js";
export { ID_NAMESPACE, pointId } from "./ids.js";
export { decodePayload, encodePayload, fieldPath, LAYOUT_VERSION, toJsonArray } from "./payload.js";
export {
  COLLECTION_NAME_PATTERN,
  DEFAULT_COLLECTION,
  type FieldType,
  type ResolvedSettings,
  resolveSettings,
  settingsSchema,
} from "./settings.js";
export { QDRANT_CAPABILITIES, QdrantVectorStore, serverThreshold, toScore } from "./store.js";
export { descriptor };

// Importing the package is enough for `store_type: "qdrant"` to resolve.
registry.register(descriptor);
