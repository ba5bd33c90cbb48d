export { hashEmbeddingDescriptor, memorySessionDescriptor, memoryVectorDescriptor } from "./builtins.js";
export {
  type SettingSpec,
  type SettingsSchema,
  type SettingType,
  validateSettings,
} from "./config/schema.js";
export * from "./errors.js";
export { matchesFilter } from "./filter/match.js";
export { filterOperators, METADATA_KEY_PATTERN, parseFilter } from "./filter/parse.js";
export type * from "./filter/types.js";
export { ALL_FILTER_OPERATORS } from "./filter/types.js";
export { type MemoryConfig, type ParsedConfig, parseConfig, SEMANTIC_SETTINGS } from "./manager/config.js";
export { type CreateManagerOptions, createMemoryManager } from "./manager/create.js";
export { messageVectorId, SemanticIndexer, WATERMARK } from "./manager/indexer.js";
export {
  type BuiltContext,
  type ChatMessage,
  type ContextOptions,
  type ManagerOptions,
  MemoryManager,
  type RecalledMemory,
  type RecallOptions,
} from "./manager/manager.js";
export { extractiveSummarizer, type Summarizer } from "./manager/summarizer.js";
export { approximateTokens, type TokenCounter } from "./manager/tokens.js";
export { HashEmbeddingProvider } from "./reference/hash-embedding.js";
export { InMemorySessionStore, MEMORY_SESSION_CAPABILITIES } from "./reference/memory-session-store.js";
export { InMemoryVectorStore, MEMORY_VECTOR_CAPABILITIES } from "./reference/memory-vector-store.js";
export * as sessionRules from "./reference/session-rules.js";
export * as vectorRules from "./reference/vector-rules.js";
export { AdapterRegistry, conventionalPackage, registry } from "./registry.js";
export type * from "./types/adapter.js";
export type * from "./types/common.js";
export type * from "./types/embedding.js";
export type * from "./types/session.js";
export type * from "./types/vector.js";
export { decodeCursor, encodeCursor } from "./util/cursor.js";
export { closestMatch, editDistance } from "./util/levenshtein.js";
export * from "./util/validate.js";
