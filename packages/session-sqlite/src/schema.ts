import { assertIdentifier, ConfigError } from "@langswarm/memory-core";
import type { Database } from "better-sqlite3";

/** Quoted table names derived from the validated prefix. */
export interface Tables {
  migrations: string;
  sessions: string;
  messages: string;
  summaries: string;
  watermarks: string;
  /** Index names need the bare prefix. */
  prefix: string;
}

export function tableNames(prefix: string, backend: string): Tables {
  const name = (suffix: string) => {
    const table = `${prefix}${suffix}`;
    assertIdentifier(table, "table name", { backend });
    return `"${table}"`;
  };
  return {
    migrations: name("migrations"),
    sessions: name("sessions"),
    messages: name("messages"),
    summaries: name("summaries"),
    watermarks: name("watermarks"),
    prefix,
  };
}

interface Migration {
  version: number;
  description: string;
  sql: (t: Tables) => string;
}

/**
 * Ordered, append-only. Never edit a released migration: add the next version.
 *
 * Times are integer milliseconds since the epoch. `id_key` is the session id encoded as UTF-16BE, so
 * that byte order (how SQLite sorts BLOBs) equals JavaScript's string order, and sessions created in
 * the same millisecond list in the same order as in every other store.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "sessions, messages, summaries, watermarks",
    sql: (t) => `
      CREATE TABLE ${t.sessions} (
        session_id TEXT NOT NULL PRIMARY KEY,
        id_key     BLOB NOT NULL,
        user_id    TEXT,
        agent_id   TEXT,
        status     TEXT NOT NULL,
        metadata   TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER,
        last_seq   INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX "${t.prefix}sessions_by_created" ON ${t.sessions} (created_at, id_key);
      CREATE INDEX "${t.prefix}sessions_by_user" ON ${t.sessions} (user_id, created_at, id_key);
      CREATE INDEX "${t.prefix}sessions_by_agent" ON ${t.sessions} (agent_id, created_at, id_key);
      CREATE INDEX "${t.prefix}sessions_by_status" ON ${t.sessions} (status, created_at, id_key);
      CREATE INDEX "${t.prefix}sessions_by_expiry" ON ${t.sessions} (expires_at) WHERE expires_at IS NOT NULL;

      CREATE TABLE ${t.messages} (
        session_id TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        role       TEXT NOT NULL,
        content    TEXT NOT NULL,
        metadata   TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (session_id, seq),
        UNIQUE (session_id, message_id)
      );

      CREATE TABLE ${t.summaries} (
        session_id TEXT NOT NULL,
        version    INTEGER NOT NULL,
        content    TEXT NOT NULL,
        upto_seq   INTEGER NOT NULL,
        metadata   TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, version)
      );

      CREATE TABLE ${t.watermarks} (
        session_id TEXT NOT NULL,
        name       TEXT NOT NULL,
        value      INTEGER NOT NULL,
        PRIMARY KEY (session_id, name)
      ) WITHOUT ROWID;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Apply the missing migrations in one IMMEDIATE transaction: it takes the write lock before reading
 * the applied versions, so a second process running setup() at the same time waits (busy timeout),
 * then finds everything applied and does nothing.
 */
export function migrate(db: Database, t: Tables, backend: string, now: () => number): { applied: number[] } {
  const run = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${t.migrations} (
      version     INTEGER PRIMARY KEY,
      description TEXT NOT NULL,
      applied_at  INTEGER NOT NULL
    )`);
    const current =
      (db.prepare(`SELECT coalesce(max(version), 0) FROM ${t.migrations}`).pluck().get() as number) ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new ConfigError(
        `the database schema is at version ${current}, newer than this package supports (${SCHEMA_VERSION}); upgrade @langswarm/session-sqlite`,
        { backend, key: "settings.table_prefix" },
      );
    }
    const record = db.prepare(
      `INSERT INTO ${t.migrations} (version, description, applied_at) VALUES (?, ?, ?)`,
    );
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql(t));
      record.run(migration.version, migration.description, now());
      applied.push(migration.version);
    }
    return applied;
  });
  return { applied: run.immediate() };
}

/** The schema version recorded in the database, 0 when setup() never ran. */
export function schemaVersion(db: Database, t: Tables): number {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .pluck()
    .get(t.migrations.slice(1, -1));
  if (!exists) return 0;
  return (db.prepare(`SELECT coalesce(max(version), 0) FROM ${t.migrations}`).pluck().get() as number) ?? 0;
}
