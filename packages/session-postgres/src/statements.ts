import { SEARCH_PREFIX_CHARS } from "./migrations.js";
import type { Names } from "./names.js";

/**
 * The SQL text of every statement, built once per store from validated, quoted names. Values are
 * always `$n` parameters. The texts are public so the benchmark's raw-driver baseline runs exactly
 * the same statements.
 */
export interface Statements {
  getSession: string;
  insertSession: string;
  deleteExpiredSession: string;
  insertSessionPlain: string;
  updateSession: string;
  deleteSession: string;
  append: string;
  lastMessages: string;
  rangeMessages: string;
  putSummary: string;
  getSummary: string;
  getWatermark: string;
  setWatermark: string;
  prune: string;
  readMeta: string;
  listSessions: (filters: ListFilters) => string;
  searchMessages: (filters: SearchFilters) => string;
}

export interface ListFilters {
  userId: boolean;
  agentId: boolean;
  status: boolean;
  cursor: boolean;
}

export interface SearchFilters {
  sessionId: boolean;
  userId: boolean;
  agentId: boolean;
  from: boolean;
  to: boolean;
  cursor: boolean;
}

export const SESSION_COLUMNS =
  "session_id, user_id, agent_id, status, metadata, created_at, updated_at, expires_at, last_seq";

/** A live session: not expired at $now (the caller's clock, like the reference store). */
const live = (alias: string, now: string) => `(${alias}expires_at IS NULL OR ${alias}expires_at > ${now})`;

export function buildStatements(n: Names): Statements {
  const sessionValues = "$1, $2, $3, $4, $5::jsonb, $6, $6, $7";
  return {
    getSession: `SELECT ${SESSION_COLUMNS} FROM ${n.sessions} WHERE session_id = $1 AND ${live("", "$2")}`,

    // Fast path of createSession: a new id. A taken id returns no row; the store then replaces an
    // expired session (deleteExpiredSession + insertSessionPlain in one transaction) or reports a conflict.
    insertSession: `INSERT INTO ${n.sessions} (session_id, user_id, agent_id, status, metadata, created_at, updated_at, expires_at)
      VALUES (${sessionValues}) ON CONFLICT (session_id) DO NOTHING RETURNING ${SESSION_COLUMNS}`,
    deleteExpiredSession: `DELETE FROM ${n.sessions} WHERE session_id = $1 AND expires_at <= $2`,
    insertSessionPlain: `INSERT INTO ${n.sessions} (session_id, user_id, agent_id, status, metadata, created_at, updated_at, expires_at)
      VALUES (${sessionValues}) RETURNING ${SESSION_COLUMNS}`,

    // One static statement for every patch shape: flags say which fields the patch names.
    updateSession: `UPDATE ${n.sessions} SET
        user_id = CASE WHEN $2::boolean THEN $3 ELSE user_id END,
        agent_id = CASE WHEN $4::boolean THEN $5 ELSE agent_id END,
        status = COALESCE($6, status),
        metadata = COALESCE($7::jsonb, metadata),
        expires_at = CASE WHEN $8::boolean THEN $9::timestamptz ELSE expires_at END,
        updated_at = $10
      WHERE session_id = $1 AND ${live("", "$10")}
      RETURNING ${SESSION_COLUMNS}`,

    // Messages, summaries and watermarks go with it (ON DELETE CASCADE).
    deleteSession: `DELETE FROM ${n.sessions} WHERE session_id = $1 RETURNING ${live("", "$2")} AS live`,

    append: `SELECT ord, seq, existed, role, content, metadata, created_at FROM ${n.appendFn}($1, $2, $3, $4, $5, $6, $7, $8, $9)`,

    // Reads return one row with NULL message columns when the session is live but has no match,
    // and no row at all when it is missing or expired: one round trip tells both apart.
    lastMessages: `SELECT m.seq, m.message_id, m.role, m.content, m.metadata, m.created_at
      FROM (SELECT session_id FROM ${n.sessions} WHERE session_id = $1 AND ${live("", "$2")}) s
      LEFT JOIN LATERAL (
        SELECT seq, message_id, role, content, metadata, created_at FROM ${n.messages}
         WHERE session_id = s.session_id AND seq > $3 AND seq < $4 AND ($5::timestamptz IS NULL OR created_at >= $5)
         ORDER BY seq DESC LIMIT $6
      ) m ON true
      ORDER BY m.seq`,
    rangeMessages: `SELECT m.seq, m.message_id, m.role, m.content, m.metadata, m.created_at
      FROM (SELECT session_id FROM ${n.sessions} WHERE session_id = $1 AND ${live("", "$2")}) s
      LEFT JOIN LATERAL (
        SELECT seq, message_id, role, content, metadata, created_at FROM ${n.messages}
         WHERE session_id = s.session_id AND seq > $3 AND seq < $4 AND ($5::timestamptz IS NULL OR created_at >= $5)
         ORDER BY seq LIMIT $6
      ) m ON true
      ORDER BY m.seq`,

    // The version counter lives on the session row, so concurrent writers get distinct versions.
    putSummary: `WITH s AS (
        UPDATE ${n.sessions} SET summary_version = summary_version + 1
         WHERE session_id = $1 AND ${live("", "$2")}
        RETURNING summary_version
      )
      INSERT INTO ${n.summaries} (session_id, version, content, upto_seq, metadata, created_at)
      SELECT $1, s.summary_version, $3, $4, $5::jsonb, $2 FROM s
      RETURNING version, created_at`,
    getSummary: `SELECT x.version, x.content, x.upto_seq, x.metadata, x.created_at
      FROM ${n.sessions} s
      LEFT JOIN LATERAL (
        SELECT version, content, upto_seq, metadata, created_at FROM ${n.summaries}
         WHERE session_id = s.session_id ORDER BY version DESC LIMIT 1
      ) x ON true
      WHERE s.session_id = $1 AND ${live("s.", "$2")}`,

    getWatermark: `SELECT w.value FROM ${n.sessions} s
      LEFT JOIN ${n.watermarks} w ON w.session_id = s.session_id AND w.name = $2
      WHERE s.session_id = $1 AND ${live("s.", "$3")}`,
    // No row comes back exactly when the session is missing or expired.
    setWatermark: `INSERT INTO ${n.watermarks} AS w (session_id, name, value)
      SELECT s.session_id, $2, $3 FROM ${n.sessions} s WHERE s.session_id = $1 AND ${live("s.", "$4")}
      ON CONFLICT (session_id, name) DO UPDATE SET value = GREATEST(w.value, excluded.value)
      RETURNING w.value`,

    prune: `DELETE FROM ${n.sessions} WHERE expires_at <= $1`,

    readMeta: `SELECT value, value::regconfig = $1::regconfig AS same FROM ${n.meta} WHERE key = 'text_search_config'`,

    listSessions: (f) => {
      // $1 now; optional filters follow in a fixed order; the limit is last.
      let i = 1;
      const next = () => `$${++i}`;
      const where = [live("", "$1")];
      if (f.userId) where.push(`user_id = ${next()}`);
      if (f.agentId) where.push(`agent_id = ${next()}`);
      if (f.status) where.push(`status = ${next()}`);
      if (f.cursor) where.push(`(created_at, session_id) < (${next()}::timestamptz, ${next()}::text)`);
      return `SELECT ${SESSION_COLUMNS} FROM ${n.sessions} WHERE ${where.join(" AND ")}
        ORDER BY created_at DESC, session_id DESC LIMIT ${next()}`;
    },

    searchMessages: (f) => {
      // $1 search text, $2 now, $3 limit; optional filters follow in a fixed order.
      let i = 3;
      const next = () => `$${++i}`;
      const where = ["m.search @@ q.query", live("s.", "$2")];
      if (f.sessionId) where.push(`m.session_id = ${next()}`);
      if (f.userId) where.push(`s.user_id = ${next()}`);
      if (f.agentId) where.push(`s.agent_id = ${next()}`);
      if (f.from) where.push(`m.created_at >= ${next()}`);
      if (f.to) where.push(`m.created_at <= ${next()}`);
      if (f.cursor) {
        const [score, sid, seq] = [next(), next(), next()];
        where.push(
          `(ts_rank(m.search, q.query) < ${score}::real OR (ts_rank(m.search, q.query) = ${score}::real AND (m.session_id, m.seq) > (${sid}::text, ${seq}::bigint)))`,
        );
      }
      const options = next();
      // Rank and page first; build highlights only for the rows of the page.
      return `SELECT h.session_id, h.seq, h.message_id, h.role, h.content, h.metadata, h.created_at, h.score,
          ts_headline(${n.tsConfig}, left(h.content, ${SEARCH_PREFIX_CHARS}), h.query, ${options}) AS headline
        FROM (
          SELECT m.session_id, m.seq, m.message_id, m.role, m.content, m.metadata, m.created_at,
                 ts_rank(m.search, q.query) AS score, q.query
            FROM websearch_to_tsquery(${n.tsConfig}, $1) AS q(query)
            JOIN ${n.messages} m ON m.search @@ q.query
            JOIN ${n.sessions} s ON s.session_id = m.session_id
           WHERE ${where.join(" AND ")}
           ORDER BY score DESC, m.session_id, m.seq
           LIMIT $3
        ) h
        ORDER BY h.score DESC, h.session_id, h.seq`;
    },
  };
}
