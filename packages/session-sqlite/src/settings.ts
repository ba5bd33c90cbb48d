import { ConfigError, type SettingsSchema, validateSettings } from "@langswarm/memory-core";
import type { Database } from "better-sqlite3";

export const BACKEND = "sqlite";

/** Longest table suffix is "migrations" (10 chars); table names must stay within 48 chars. */
const TABLE_PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,37}$/;

/** Settings in LangSwarm's snake_case, exactly as they appear in a config's `settings`. */
export interface SqliteSessionSettings {
  /** Database file. `":memory:"` for a private in-memory database. Default `"langswarm_memory.db"`. */
  path?: string;
  /** Prefix of every table this store creates. Default `"ls_"`. */
  table_prefix?: string;
  /** How long a write waits for another connection's lock before failing. Default 5000. */
  busy_timeout_ms?: number;
  /** Use write-ahead logging (readers never block the writer). Default true. */
  wal?: boolean;
  /**
   * A better-sqlite3 Database you opened and own. The store uses it as is (your journal mode,
   * busy timeout and pragmas) and `close()` leaves it open. `path`, `wal` and `busy_timeout_ms` are ignored.
   */
  database?: Database;
}

export const settingsSchema: SettingsSchema = {
  path: {
    type: "string",
    default: "langswarm_memory.db",
    description:
      'database file (created with its directory if missing); ":memory:" for a private in-memory database',
  },
  table_prefix: {
    type: "string",
    default: "ls_",
    pattern: TABLE_PREFIX_PATTERN,
    description: "prefix of the tables this store creates (letters, digits, underscore)",
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
      "a better-sqlite3 Database you own (then path, wal and busy_timeout_ms are ignored, and close() leaves it open)",
  },
};

export interface ResolvedSettings {
  path: string;
  tablePrefix: string;
  busyTimeoutMs: number;
  wal: boolean;
  database: Database | undefined;
}

/** Validate raw settings (applying defaults) into the shape the store uses. */
export function resolveSettings(raw: SqliteSessionSettings | Record<string, unknown> = {}): ResolvedSettings {
  const s = validateSettings(settingsSchema, raw, { backend: BACKEND });
  const path = s.path as string;
  if (path.length === 0)
    throw new ConfigError("settings.path: must not be empty", { backend: BACKEND, key: "settings.path" });
  const database = s.database as Database | undefined;
  if (database !== undefined && !looksLikeBetterSqlite3(database)) {
    throw new ConfigError("settings.database: expected an open better-sqlite3 Database", {
      backend: BACKEND,
      key: "settings.database",
    });
  }
  return {
    path,
    tablePrefix: s.table_prefix as string,
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
