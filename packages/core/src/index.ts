export * from "./errors.js";
export type * from "./types/common.js";
export type * from "./types/session.js";
export type * from "./types/vector.js";
export type * from "./types/embedding.js";
export type * from "./types/adapter.js";
export type * from "./filter/types.js";
export { ALL_FILTER_OPERATORS } from "./filter/types.js";
export { parseFilter, filterOperators, METADATA_KEY_PATTERN } from "./filter/parse.js";
export { matchesFilter } from "./filter/match.js";
export { validateSettings, type SettingSpec, type SettingsSchema, type SettingType } from "./config/schema.js";
export { closestMatch, editDistance } from "./util/levenshtein.js";
export * from "./util/validate.js";
export { encodeCursor, decodeCursor } from "./util/cursor.js";
export { AdapterRegistry, registry, conventionalPackage } from "./registry.js";
export * as sessionRules from "./reference/session-rules.js";
export * as vectorRules from "./reference/vector-rules.js";
export { InMemorySessionStore, MEMORY_SESSION_CAPABILITIES } from "./reference/memory-session-store.js";
export { InMemoryVectorStore, MEMORY_VECTOR_CAPABILITIES } from "./reference/memory-vector-store.js";
export { HashEmbeddingProvider } from "./reference/hash-embedding.js";
export { memorySessionDescriptor, memoryVectorDescriptor, hashEmbeddingDescriptor } from "./builtins.js";
export { parseConfig, SEMANTIC_SETTINGS, type MemoryConfig, type ParsedConfig } from "./manager/config.js";
export { createMemoryManager, type CreateManagerOptions } from "./manager/create.js";
export {
  MemoryManager,
  type ManagerOptions,
  type RecallOptions,
  type RecalledMemory,
  type ContextOptions,
  type BuiltContext,
  type ChatMessage,
} from "./manager/manager.js";
export { SemanticIndexer, messageVectorId, WATERMARK } from "./manager/indexer.js";
export { extractiveSummarizer, type Summarizer } from "./manager/summarizer.js";
export { approximateTokens, type TokenCounter } from "./manager/tokens.js";
