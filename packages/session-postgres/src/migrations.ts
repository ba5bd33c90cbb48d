import { createHash } from "node:crypto";
import { ConfigError } from "@langswarm/memory-core";
import type { PoolClient } from "pg";
import { BACKEND } from "./errors.js";
import type { Names } from "./names.js";

/**
 * Versioned, ordered migrations. A migration is never edited once released: a change of schema is
 * a new entry at the end. `setup()` applies the missing ones inside one transaction that holds a
 * transaction-scoped advisory lock, so two processes starting at once both succeed (the second
 * waits, then finds nothing left to do).
 */
export interface Migration {
  version: number;
  name: string;
  statements: (n: Names) => string[];
}

/** Full-text search indexes this many leading characters of each message (tsvector is capped at 1 MB). */
export const SEARCH_PREFIX_CHARS = 100_000;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "sessions, messages, summaries, watermarks, append function",
    statements: (n) => [
      // fillfactor < 100 leaves room on each page so the per-append update of last_seq stays a HOT update.
      `CREATE TABLE ${n.sessions} (
        session_id text COLLATE "C" PRIMARY KEY,
        user_id text COLLATE "C",
        agent_id text COLLATE "C",
        status text COLLATE "C" NOT NULL,
        metadata jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        expires_at timestamptz,
        last_seq bigint NOT NULL DEFAULT 0,
        summary_version integer NOT NULL DEFAULT 0
      ) WITH (fillfactor = 80)`,
      // Listing: newest first with a keyset cursor on (created_at, session_id), per filter.
      `CREATE INDEX ${n.index("sessions_recent_idx")} ON ${n.sessions} (created_at DESC, session_id DESC)`,
      `CREATE INDEX ${n.index("sessions_user_idx")} ON ${n.sessions} (user_id, created_at DESC, session_id DESC)`,
      `CREATE INDEX ${n.index("sessions_agent_idx")} ON ${n.sessions} (agent_id, created_at DESC, session_id DESC)`,
      `CREATE INDEX ${n.index("sessions_status_idx")} ON ${n.sessions} (status, created_at DESC, session_id DESC)`,
      `CREATE INDEX ${n.index("sessions_expiry_idx")} ON ${n.sessions} (expires_at) WHERE expires_at IS NOT NULL`,
      // The primary key (session_id, seq) is the UNIQUE(session_id, seq) and also serves "last N"
      // by a backward index scan, so the cost does not depend on the history's length.
      `CREATE TABLE ${n.messages} (
        session_id text COLLATE "C" NOT NULL REFERENCES ${n.sessions} (session_id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        message_id text COLLATE "C" NOT NULL,
        role text NOT NULL,
        content text NOT NULL,
        metadata jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        search tsvector GENERATED ALWAYS AS (to_tsvector(${n.tsConfig}, left(content, ${SEARCH_PREFIX_CHARS}))) STORED,
        PRIMARY KEY (session_id, seq),
        UNIQUE (session_id, message_id)
      )`,
      `CREATE INDEX ${n.index("messages_search_idx")} ON ${n.messages} USING gin (search)`,
      `CREATE TABLE ${n.summaries} (
        session_id text COLLATE "C" NOT NULL REFERENCES ${n.sessions} (session_id) ON DELETE CASCADE,
        version integer NOT NULL,
        content text NOT NULL,
        upto_seq bigint NOT NULL,
        metadata jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (session_id, version)
      )`,
      `CREATE TABLE ${n.watermarks} (
        session_id text COLLATE "C" NOT NULL REFERENCES ${n.sessions} (session_id) ON DELETE CASCADE,
        name text COLLATE "C" NOT NULL,
        value bigint NOT NULL,
        PRIMARY KEY (session_id, name)
      )`,
      `CREATE TABLE ${n.meta} (key text PRIMARY KEY, value text NOT NULL)`,
      `INSERT INTO ${n.meta} (key, value) VALUES ('text_search_config', ${n.tsConfig}::text)`,
      appendFunction(n),
    ],
  },
];

/**
 * One round trip per batch append, race-free and idempotent by message id:
 * 1. lock the session row (FOR NO KEY UPDATE), which serializes appenders of this session only;
 * 2. in a new statement (so a new snapshot that sees every append committed before the lock was
 *    granted) insert the messages whose id is not stored yet, numbered last_seq + 1, + 2, ...;
 * 3. advance last_seq by the number inserted (UPDATE ... SET last_seq = last_seq + n);
 * 4. return, per input position, the seq and — for ids that were already stored — the stored row.
 * A plain CTE cannot do this: all its parts share one snapshot taken before the lock wait.
 */
function appendFunction(n: Names): string {
  return `CREATE FUNCTION ${n.appendFn}(
    p_session_id text,
    p_ids text[],
    p_roles text[],
    p_contents text[],
    p_metadata text[],
    p_created_at timestamptz[],
    p_now timestamptz,
    p_set_expiry boolean,
    p_expires_at timestamptz
  ) RETURNS TABLE (ord integer, seq bigint, existed boolean, role text, content text, metadata jsonb, created_at timestamptz)
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  AS $fn$
  #variable_conflict use_column
  DECLARE
    v_last bigint;
    v_added integer;
  BEGIN
    SELECT s.last_seq INTO v_last FROM ${n.sessions} s
      WHERE s.session_id = p_session_id AND (s.expires_at IS NULL OR s.expires_at > p_now)
      FOR NO KEY UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'session does not exist' USING ERRCODE = 'no_data_found';
    END IF;

    INSERT INTO ${n.messages} AS m (session_id, seq, message_id, role, content, metadata, created_at)
    SELECT p_session_id, v_last + row_number() OVER (ORDER BY u.ord), u.message_id, u.role, u.content, u.metadata::jsonb, u.created_at
      FROM unnest(p_ids, p_roles, p_contents, p_metadata, p_created_at)
           WITH ORDINALITY AS u(message_id, role, content, metadata, created_at, ord)
     WHERE NOT EXISTS (SELECT 1 FROM ${n.messages} e WHERE e.session_id = p_session_id AND e.message_id = u.message_id);
    GET DIAGNOSTICS v_added = ROW_COUNT;

    UPDATE ${n.sessions} s
       SET last_seq = s.last_seq + v_added,
           updated_at = p_now,
           expires_at = CASE WHEN p_set_expiry THEN p_expires_at ELSE s.expires_at END
     WHERE s.session_id = p_session_id;

    RETURN QUERY
      SELECT u.ord::integer, m.seq, m.seq <= v_last,
             CASE WHEN m.seq <= v_last THEN m.role END,
             CASE WHEN m.seq <= v_last THEN m.content END,
             CASE WHEN m.seq <= v_last THEN m.metadata END,
             CASE WHEN m.seq <= v_last THEN m.created_at END
        FROM unnest(p_ids) WITH ORDINALITY AS u(message_id, ord)
        JOIN ${n.messages} m ON m.session_id = p_session_id AND m.message_id = u.message_id
       ORDER BY u.ord;
  END
  $fn$`;
}

/** A 64-bit advisory lock key per schema (migrations of every prefix in a schema take turns). */
export function lockKey(schema: string): string {
  return createHash("sha256")
    .update(`@langswarm/session-postgres:${schema}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

export interface MigrationResult {
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  /** The schema version after the call. */
  version: number;
}

/**
 * Bring the schema to the newest version. Idempotent; concurrent callers serialize on the advisory
 * lock. A database migrated by a newer release of this package is refused (ConfigError).
 */
export async function migrate(
  client: PoolClient,
  n: Names,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const latest = migrations.at(-1)?.version ?? 0;
  // Fast path without the lock: already current (the common case on every start after the first).
  const current = await currentVersion(client, n);
  if (current !== null && current >= latest) {
    refuseNewer(current, latest, n);
    return { applied: [], version: current };
  }

  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey(n.raw.schema)]);
    await ensureSchema(client, n);
    await client.query(`CREATE TABLE IF NOT EXISTS ${n.migrations} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await client.query<{ version: number }>(`SELECT version FROM ${n.migrations}`)).rows.map((r) =>
        Number(r.version),
      ),
    );
    const highest = Math.max(0, ...done);
    refuseNewer(highest, latest, n);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements(n)) await client.query(statement);
      await client.query(`INSERT INTO ${n.migrations} (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query("COMMIT");
    return { applied, version: Math.max(highest, ...applied) };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function currentVersion(client: PoolClient, n: Names): Promise<number | null> {
  const found = await client.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [
    n.migrations,
  ]);
  if (!found.rows[0]?.exists) return null;
  const result = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${n.migrations}`,
  );
  return result.rows[0]?.version ?? 0;
}

async function ensureSchema(client: PoolClient, n: Names): Promise<void> {
  // CREATE SCHEMA checks the CREATE privilege even with IF NOT EXISTS: skip it when the schema is there.
  const found = await client.query<{ exists: boolean }>("SELECT to_regnamespace($1) IS NOT NULL AS exists", [
    n.schema,
  ]);
  if (found.rows[0]?.exists) return;
  // Another package may create the same schema right now under its own lock: tolerate losing that race.
  await client.query("SAVEPOINT langswarm_schema");
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${n.schema}`);
    await client.query("RELEASE SAVEPOINT langswarm_schema");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "23505" && code !== "42P06") throw error;
    await client.query("ROLLBACK TO SAVEPOINT langswarm_schema");
  }
}

function refuseNewer(found: number, latest: number, n: Names): void {
  if (found > latest) {
    throw new ConfigError(
      `the tables in schema ${n.raw.schema} (prefix "${n.raw.prefix}") are at schema version ${found}, newer than this @langswarm/session-postgres knows (${latest}); upgrade the package`,
      { backend: BACKEND, key: "schema" },
    );
  }
}
