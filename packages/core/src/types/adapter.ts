import type { SettingsSchema } from "../config/schema.js";
import type { EmbeddingProvider } from "./embedding.js";
import type { SessionCapabilities, SessionStore } from "./session.js";
import type { VectorCapabilities, VectorMetric, VectorStore } from "./vector.js";

export type AdapterKind = "session" | "vector" | "embedding";

/** What the manager knows when it creates a vector store (settings may override). */
export interface VectorCreateContext {
  /** Dimension of the embedding provider in use. */
  dimension?: number;
  metric?: VectorMetric;
  /** Suffix or name for a second index of the same store (e.g. "lessons"). */
  indexName?: string;
}

interface DescriptorBase<K extends AdapterKind> {
  kind: K;
  /** Canonical name used in configs: `backend` or `vector_store.store_type` or `embedding.provider`. */
  name: string;
  /** Other names accepted in configs (LangSwarm's spellings). */
  aliases?: readonly string[];
  /** npm package that provides it (shown in errors and `doctor`). */
  packageName?: string;
  description?: string;
  settingsSchema: SettingsSchema;
}

export interface SessionStoreDescriptor extends DescriptorBase<"session"> {
  capabilities: SessionCapabilities;
  create(settings: Record<string, unknown>): Promise<SessionStore> | SessionStore;
}

export interface VectorStoreDescriptor extends DescriptorBase<"vector"> {
  capabilities: VectorCapabilities;
  create(settings: Record<string, unknown>, context: VectorCreateContext): Promise<VectorStore> | VectorStore;
}

/** What the manager knows when it creates an embedding provider. */
export interface EmbeddingCreateContext {
  /** The name the config used (`embedding.provider`), which may be an alias such as "ollama". */
  requestedName: string;
}

export interface EmbeddingProviderDescriptor extends DescriptorBase<"embedding"> {
  create(
    settings: Record<string, unknown>,
    context?: EmbeddingCreateContext,
  ): Promise<EmbeddingProvider> | EmbeddingProvider;
}

export type AdapterDescriptor = SessionStoreDescriptor | VectorStoreDescriptor | EmbeddingProviderDescriptor;
