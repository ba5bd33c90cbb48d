import { type SettingsSchema, validateSettings } from "../config/schema.js";
import { ConfigError } from "../errors.js";

/** LangSwarm's config: `{ backend, settings }`, with the seed's snake_case keys. */
export interface MemoryConfig {
  backend: string;
  settings?: Record<string, unknown>;
}

/** Settings keys the manager owns; everything else in `settings` belongs to the session backend. */
export const SEMANTIC_SETTINGS: SettingsSchema = {
  enable_semantic_search: {
    type: "boolean",
    description: "index messages for semantic recall (default: on when embedding and vector_store are given)",
  },
  embedding: {
    type: "object",
    passthrough: true,
    description: "embedding provider: { provider, ...its settings }",
    properties: {
      provider: {
        type: "string",
        required: true,
        description: 'embedding provider name, e.g. "openai" or "hash"',
      },
    },
  },
  vector_store: {
    type: "object",
    description: "vector store: { store_type, connection_params }",
    properties: {
      store_type: {
        type: "string",
        required: true,
        description: 'vector store name, e.g. "sqlite", "pgvector", "qdrant"',
      },
      connection_params: { type: "object", passthrough: true, description: "settings of that vector store" },
      metric: {
        type: "string",
        enum: ["cosine", "euclidean", "dot"],
        description: "similarity metric (default cosine)",
      },
    },
  },
  session_backend: {
    type: "object",
    passthrough: true,
    description:
      'with backend "vector": a durable session store { backend, settings } instead of in-memory sessions',
    properties: {
      backend: { type: "string", required: true, description: "session backend name" },
      settings: { type: "object", passthrough: true, description: "its settings" },
    },
  },
};

export interface ParsedConfig {
  sessionBackend: string;
  sessionSettings: Record<string, unknown>;
  semantic: null | {
    embeddingProvider: string;
    embeddingSettings: Record<string, unknown>;
    vectorStore: string;
    vectorSettings: Record<string, unknown>;
    metric: string | undefined;
  };
}

/**
 * Split a LangSwarm config into the session backend's settings and the semantic-memory part.
 * `backend: "vector"` keeps the seed's meaning: sessions in memory (or `session_backend`) plus a
 * persistent vector store.
 */
export function parseConfig(config: MemoryConfig): ParsedConfig {
  if (typeof config !== "object" || config === null)
    throw new ConfigError("config must be an object { backend, settings }");
  const unknownTop = Object.keys(config).filter((k) => k !== "backend" && k !== "settings");
  if (unknownTop.length > 0) {
    throw new ConfigError(
      `unknown config key ${JSON.stringify(unknownTop[0])}: a config has "backend" and "settings"`,
      { key: unknownTop[0]! },
    );
  }
  if (typeof config.backend !== "string" || config.backend.length === 0) {
    throw new ConfigError(
      'config.backend must be a backend name, e.g. "sqlite", "postgres", "redis", "vector"',
      { key: "backend" },
    );
  }
  const settings = config.settings ?? {};
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    throw new ConfigError("config.settings must be an object", { key: "settings" });
  }
  const own: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) (key in SEMANTIC_SETTINGS ? own : rest)[key] = value;
  const semanticSettings = validateSettings(SEMANTIC_SETTINGS, own, { backend: "manager", path: "settings" });

  let sessionBackend = config.backend;
  let sessionSettings = rest;
  if (config.backend === "vector") {
    const leftover = Object.keys(rest);
    if (leftover.length > 0) {
      throw new ConfigError(
        `settings.${leftover[0]}: unknown setting for backend "vector" (it takes enable_semantic_search, embedding, vector_store, session_backend)`,
        { key: `settings.${leftover[0]}` },
      );
    }
    const durable = semanticSettings.session_backend as
      | { backend: string; settings?: Record<string, unknown> }
      | undefined;
    sessionBackend = durable?.backend ?? "memory";
    sessionSettings = durable?.settings ?? {};
    if (!semanticSettings.vector_store) {
      throw new ConfigError(
        'backend "vector" needs settings.vector_store { store_type, connection_params }',
        { key: "settings.vector_store" },
      );
    }
  } else if (semanticSettings.session_backend) {
    throw new ConfigError('settings.session_backend is only meaningful with backend "vector"', {
      key: "settings.session_backend",
    });
  }

  const embedding = semanticSettings.embedding as Record<string, unknown> | undefined;
  const vectorStore = semanticSettings.vector_store as
    | { store_type: string; connection_params?: Record<string, unknown>; metric?: string }
    | undefined;
  const enabled = semanticSettings.enable_semantic_search as boolean | undefined;
  let semantic: ParsedConfig["semantic"] = null;
  if (enabled !== false && (embedding || vectorStore || enabled === true)) {
    if (!vectorStore)
      throw new ConfigError("semantic search needs settings.vector_store { store_type, connection_params }", {
        key: "settings.vector_store",
      });
    if (!embedding)
      throw new ConfigError(
        'semantic search needs settings.embedding { provider, ... } (use provider "hash" offline)',
        { key: "settings.embedding" },
      );
    const { provider, ...embeddingSettings } = embedding;
    semantic = {
      embeddingProvider: provider as string,
      embeddingSettings,
      vectorStore: vectorStore.store_type,
      vectorSettings: vectorStore.connection_params ?? {},
      metric: vectorStore.metric,
    };
  }
  return { sessionBackend, sessionSettings, semantic };
}
