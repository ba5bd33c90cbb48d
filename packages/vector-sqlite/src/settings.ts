import {
  ConfigError,
  METADATA_KEY_PATTERN,
  type SettingsSchema,
  type VectorCreateContext,
  type VectorMetric,
  validateSettings,
} from "@langswarm/memory-core";
import type { Database } from "better-sqlite3";

export const BACKEND = "sqlite";

/** The longest table derived from the name is `<name>_embeddings`; names must stay within 48 chars. */
const TABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,36}$/;
export const MAX_TABLE_NAME = 37;

/** Settings in LangSwarm's snake_case, as they appear in `vector_store.connection_params`. */
export interface SqliteVectorSettings {
  /** Database file. `":memory:"` for a private in-memory database. Default `"langswarm_memory.db"`. */
  path?: string;
  /** Table holding the index (other tables derive their names from it). Default `"ls_vectors"`. */
  table_name?: string;
  /** Vector dimension. Default: the embedding provider's. Never guessed. */
  dimension?: number;
  /** Default `"cosine"`. */
  metric?: VectorMetric;
  /** `"auto"` (default): sqlite-vec where it loads, the JS scan otherwise. `true`: require it. `false`: never. */
  use_sqlite_vec?: "auto" | boolean;
  /**
   * Metadata fields that get an expression index, so filters on them (equality or `$in`) read only
   * the matching rows. Default: the fields the memory manager scopes recall by.
   */
  indexed_fields?: string[];
  /** How long a write waits for another connection's lock before failing. Default 5000. */
  busy_timeout_ms?: number;
  /** Write-ahead logging. Default true. */
  wal?: boolean;
  /** A better-sqlite3 Database you own; `close()` leaves it open (sqlite-vec is loaded into it). */
  database?: Database;
}

export const settingsSchema: SettingsSchema = {
  path: {
    type: "string",
    default: "langswarm_memory.db",
    description:
      'database file (created with its directory if missing); ":memory:" for a private in-memory database',
  },
  table_name: {
    type: "string",
    default: "ls_vectors",
    pattern: TABLE_NAME_PATTERN,
    description: "table of the index; <table_name>_embeddings, _meta and _knn are created beside it",
  },
  dimension: {
    type: "integer",
    min: 1,
    max: 8192,
    description: "vector dimension (default: the embedding provider's; never guessed)",
  },
  metric: {
    type: "string",
    enum: ["cosine", "euclidean", "dot"],
    description: 'similarity metric (default "cosine")',
  },
  use_sqlite_vec: {
    type: ["boolean", "string"],
    default: "auto",
    pattern: /^auto$/,
    description:
      '"auto": sqlite-vec where it loads, an exact JS scan otherwise; true: require sqlite-vec; false: JS scan only',
  },
  indexed_fields: {
    type: "string[]",
    default: ["sessionId", "userId", "agentId"],
    description: "metadata fields to index for filtering (equality and $in use the index)",
  },
  busy_timeout_ms: {
    type: "integer",
    min: 0,
    max: 600_000,
    default: 5000,
    description: "how long a write waits for another connection's lock before failing",
  },
  wal: {
    type: "boolean",
    default: true,
    description: "write-ahead logging, so readers never block the writer",
  },
  database: {
    type: "instance",
    description:
      "a better-sqlite3 Database you own (path, wal and busy_timeout_ms are then ignored; close() leaves it open)",
  },
};

export interface ResolvedSettings {
  path: string;
  tableName: string;
  dimension: number;
  metric: VectorMetric;
  useSqliteVec: "auto" | boolean;
  indexedFields: ReadonlySet<string>;
  busyTimeoutMs: number;
  wal: boolean;
  database: Database | undefined;
}

/**
 * Validate settings and merge them with what the manager knows (the embedding provider's dimension,
 * a configured metric, and a second index's name). A setting that contradicts the context is a
 * ConfigError: an index whose dimension differs from the embeddings could never be written.
 */
export function resolveSettings(
  raw: SqliteVectorSettings | Record<string, unknown> = {},
  context: VectorCreateContext = {},
): ResolvedSettings {
  const s = validateSettings(settingsSchema, raw, { backend: BACKEND });
  const key = (name: string) => ({ backend: BACKEND, key: `settings.${name}` });
  const path = s.path as string;
  if (path.length === 0) throw new ConfigError("settings.path: must not be empty", key("path"));

  const dimension = (s.dimension as number | undefined) ?? context.dimension;
  if (dimension === undefined) {
    throw new ConfigError(
      "settings.dimension: required when no embedding provider gives one (it is never guessed)",
      key("dimension"),
    );
  }
  if (s.dimension !== undefined && context.dimension !== undefined && s.dimension !== context.dimension) {
    throw new ConfigError(
      `settings.dimension is ${s.dimension} but the embedding provider produces ${context.dimension}-dimensional vectors`,
      key("dimension"),
    );
  }
  const metric = ((s.metric as VectorMetric | undefined) ?? context.metric ?? "cosine") as VectorMetric;
  if (s.metric !== undefined && context.metric !== undefined && s.metric !== context.metric) {
    throw new ConfigError(
      `settings.metric is "${String(s.metric)}" but the manager asked for "${context.metric}"`,
      key("metric"),
    );
  }

  let tableName = s.table_name as string;
  if (context.indexName !== undefined) {
    tableName = `${tableName}_${context.indexName}`;
    if (!/^[A-Za-z0-9_]+$/.test(context.indexName) || tableName.length > MAX_TABLE_NAME) {
      throw new ConfigError(
        `index name ${JSON.stringify(context.indexName)} gives table ${JSON.stringify(tableName)}, which must match ${TABLE_NAME_PATTERN}`,
        key("table_name"),
      );
    }
  }

  const indexedFields = s.indexed_fields as string[];
  const badField = indexedFields.find((f) => !METADATA_KEY_PATTERN.test(f));
  if (badField !== undefined) {
    throw new ConfigError(
      `settings.indexed_fields: ${JSON.stringify(badField.slice(0, 80))} must match ${METADATA_KEY_PATTERN} (a metadata key)`,
      key("indexed_fields"),
    );
  }

  const database = s.database as Database | undefined;
  if (database !== undefined && !looksLikeBetterSqlite3(database)) {
    throw new ConfigError("settings.database: expected an open better-sqlite3 Database", key("database"));
  }
  return {
    path,
    tableName,
    dimension,
    metric,
    useSqliteVec: s.use_sqlite_vec as "auto" | boolean,
    indexedFields: new Set(indexedFields),
    busyTimeoutMs: s.busy_timeout_ms as number,
    wal: s.wal as boolean,
    database,
  };
}

function looksLikeBetterSqlite3(value: object): value is Database {
  const db = value as Partial<Database>;
  return (
    typeof db.prepare === "function" &&
    typeof db.transaction === "function" &&
    typeof db.pragma === "function" &&
    db.open === true
  );
}
