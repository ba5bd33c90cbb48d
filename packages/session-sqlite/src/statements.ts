import type { Database, Statement } from "better-sqlite3";
import { MESSAGE_COLUMNS, SESSION_COLUMNS, SUMMARY_COLUMNS } from "./rows.js";
import type { Tables } from "./schema.js";

/**
 * Every statement the store runs, prepared once per connection. All values are bound parameters;
 * only the validated, quoted table names are part of the SQL text.
 */
export class Statements {
  readonly sessionById: Statement;
  readonly insertSession: Statement;
  readonly updateSession: Statement;
  readonly advanceSession: Statement;
  readonly advanceSessionAndExpiry: Statement;
  readonly deleteSession: Statement;
  readonly deleteMessages: Statement;
  readonly deleteSummaries: Statement;
  readonly deleteWatermarks: Statement;
  readonly messageById: Statement;
  readonly insertMessage: Statement;
  readonly lastMessages: Statement;
  readonly messagePage: Statement;
  readonly latestSummary: Statement;
  readonly insertSummary: Statement;
  readonly watermark: Statement;
  readonly raiseWatermark: Statement;
  readonly expiredSessionIds: Statement;
  readonly #db: Database;
  readonly #t: Tables;
  readonly #listings = new Map<string, Statement>();

  constructor(db: Database, t: Tables) {
    this.#db = db;
    this.#t = t;
    this.sessionById = db.prepare(`SELECT ${SESSION_COLUMNS} FROM ${t.sessions} WHERE session_id = ?`);
    this.insertSession = db.prepare(
      `INSERT INTO ${t.sessions} (session_id, id_key, user_id, agent_id, status, metadata, created_at, updated_at, expires_at, last_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    this.updateSession = db.prepare(
      `UPDATE ${t.sessions} SET user_id = ?, agent_id = ?, status = ?, metadata = ?, expires_at = ?, updated_at = ? WHERE session_id = ?`,
    );
    this.advanceSession = db.prepare(
      `UPDATE ${t.sessions} SET last_seq = ?, updated_at = ? WHERE session_id = ?`,
    );
    this.advanceSessionAndExpiry = db.prepare(
      `UPDATE ${t.sessions} SET last_seq = ?, updated_at = ?, expires_at = ? WHERE session_id = ?`,
    );
    this.deleteSession = db.prepare(`DELETE FROM ${t.sessions} WHERE session_id = ?`);
    this.deleteMessages = db.prepare(`DELETE FROM ${t.messages} WHERE session_id = ?`);
    this.deleteSummaries = db.prepare(`DELETE FROM ${t.summaries} WHERE session_id = ?`);
    this.deleteWatermarks = db.prepare(`DELETE FROM ${t.watermarks} WHERE session_id = ?`);
    this.messageById = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM ${t.messages} WHERE session_id = ? AND message_id = ?`,
    );
    this.insertMessage = db.prepare(
      `INSERT INTO ${t.messages} (session_id, seq, message_id, role, content, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // Both reads walk UNIQUE (session_id, seq): cost depends on the page size, not the history length.
    this.lastMessages = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM ${t.messages}
       WHERE session_id = ? AND seq > ? AND seq < ? AND created_at >= ? ORDER BY seq DESC LIMIT ?`,
    );
    this.messagePage = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM ${t.messages}
       WHERE session_id = ? AND seq > ? AND seq < ? AND created_at >= ? ORDER BY seq ASC LIMIT ?`,
    );
    this.latestSummary = db.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM ${t.summaries} WHERE session_id = ? ORDER BY version DESC LIMIT 1`,
    );
    this.insertSummary = db.prepare(
      `INSERT INTO ${t.summaries} (session_id, version, content, upto_seq, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.watermark = db
      .prepare(`SELECT value FROM ${t.watermarks} WHERE session_id = ? AND name = ?`)
      .pluck();
    this.raiseWatermark = db.prepare(
      `INSERT INTO ${t.watermarks} (session_id, name, value) VALUES (?, ?, ?)
       ON CONFLICT (session_id, name) DO UPDATE SET value = max(value, excluded.value)`,
    );
    this.expiredSessionIds = db
      .prepare(
        `SELECT session_id FROM ${t.sessions} WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?`,
      )
      .pluck();
  }

  /**
   * Listing: newest first by (created_at, id_key), optionally filtered, resuming after a cursor. The
   * SQL text only varies by which fixed conditions are present, so at most 16 statements are cached.
   */
  listing(filters: { userId: boolean; agentId: boolean; status: boolean; cursor: boolean }): Statement {
    const key = `${+filters.userId}${+filters.agentId}${+filters.status}${+filters.cursor}`;
    let statement = this.#listings.get(key);
    if (!statement) {
      const where = ["(expires_at IS NULL OR expires_at > @now)"];
      if (filters.userId) where.push("user_id = @userId");
      if (filters.agentId) where.push("agent_id = @agentId");
      if (filters.status) where.push("status = @status");
      if (filters.cursor) where.push("(created_at, id_key) < (@afterCreatedAt, @afterIdKey)");
      statement = this.#db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM ${this.#t.sessions} WHERE ${where.join(" AND ")}
         ORDER BY created_at DESC, id_key DESC LIMIT @limit`,
      );
      this.#listings.set(key, statement);
    }
    return statement;
  }
}
