import {
  type AppendOptions,
  assertId,
  BackendUnavailableError,
  type CallOptions,
  ConfigError,
  ConflictError,
  type CreateSessionInput,
  decodeCursor,
  encodeCursor,
  type ListSessionsQuery,
  type MessageInput,
  type MessageQuery,
  NotFoundError,
  type Page,
  type SessionCapabilities,
  type SessionInfo,
  type SessionPatch,
  type SessionStore,
  type StoredMessage,
  type Summary,
  type SummaryInput,
  sessionRules,
  throwIfAborted,
  ValidationError,
} from "@langswarm/memory-core";
import type { Database } from "better-sqlite3";
import { openDatabase } from "./connection.js";
import { toMemoryError } from "./errors.js";
import {
  idKey,
  isLive,
  type MessageRow,
  type SessionRow,
  type SummaryRow,
  toSessionInfo,
  toStoredMessage,
  toSummary,
} from "./rows.js";
import { migrate, SCHEMA_VERSION, schemaVersion, type Tables, tableNames } from "./schema.js";
import { BACKEND, resolveSettings, type SqliteSessionSettings } from "./settings.js";
import { Statements } from "./statements.js";

/** Static capabilities of a file database; `:memory:` instances report persistent/multiProcess false. */
export const SQLITE_SESSION_CAPABILITIES: SessionCapabilities = {
  fullTextSearch: false,
  persistent: true,
  nativeExpiry: false,
  multiProcess: true,
  maxContentBytes: 16 * 1024 * 1024,
};

/** Expired sessions removed per prune transaction, so a large prune never holds the write lock for long. */
const PRUNE_BATCH = 100;

export interface SqliteSessionStoreOptions {
  /** Clock, for tests. */
  now?: () => Date;
}

/**
 * Session store on one SQLite file. better-sqlite3 is synchronous by design (each statement takes
 * microseconds, and a thread hop would cost more), so the async methods run their statements inline.
 *
 * Every write is one IMMEDIATE transaction: it takes the file's write lock before reading, so `seq`
 * allocation from the session's `last_seq` and the id-idempotency check can never race with another
 * connection or process. Reads that need two statements run in one deferred (snapshot) transaction.
 */
export class SqliteSessionStore implements SessionStore {
  readonly backend = BACKEND;
  readonly capabilities: SessionCapabilities;
  readonly #db: Database;
  readonly #owned: boolean;
  readonly #tables: Tables;
  readonly #now: () => Date;
  readonly #transaction: ReturnType<typeof wrapTransactions>;
  #sql: Statements | undefined;
  #closed = false;

  constructor(settings: SqliteSessionSettings = {}, options: SqliteSessionStoreOptions = {}) {
    const s = resolveSettings(settings);
    this.#tables = tableNames(s.tablePrefix, BACKEND);
    this.#now = options.now ?? (() => new Date());
    if (s.database) {
      this.#db = s.database;
      this.#owned = false;
    } else {
      this.#db = openDatabase({ path: s.path, busyTimeoutMs: s.busyTimeoutMs, wal: s.wal, backend: BACKEND });
      this.#owned = true;
    }
    this.#transaction = wrapTransactions(this.#db);
    const inMemory = this.#db.memory;
    this.capabilities = { ...SQLITE_SESSION_CAPABILITIES, persistent: !inMemory, multiProcess: !inMemory };
  }

  /** The underlying connection (yours if you passed `database`). */
  get database(): Database {
    return this.#db;
  }

  async setup(options?: CallOptions): Promise<void> {
    this.#begin(options);
    this.#run("running migrations", () =>
      migrate(this.#db, this.#tables, BACKEND, () => this.#now().getTime()),
    );
    this.#sql = undefined;
  }

  async createSession(input: CreateSessionInput, options?: CallOptions): Promise<SessionInfo> {
    this.#begin(options);
    sessionRules.checkCreateSession(input, BACKEND);
    const now = this.#now().getTime();
    const sql = this.#statements();
    return this.#write("creating a session", () => {
      const existing = sql.sessionById.get(input.sessionId) as SessionRow | undefined;
      if (existing && isLive(existing.expires_at, now)) {
        throw new ConflictError(`session ${JSON.stringify(input.sessionId)} already exists`, {
          backend: BACKEND,
        });
      }
      // An expired session is replaced: its old history must not leak into the new one.
      if (existing) this.#deleteAll(sql, input.sessionId);
      const row: SessionRow = {
        session_id: input.sessionId,
        user_id: input.userId ?? null,
        agent_id: input.agentId ?? null,
        status: input.status ?? "active",
        metadata: JSON.stringify(input.metadata ?? {}),
        created_at: now,
        updated_at: now,
        expires_at: input.expiresAt ? input.expiresAt.getTime() : null,
        last_seq: 0,
      };
      sql.insertSession.run(
        row.session_id,
        idKey(row.session_id),
        row.user_id,
        row.agent_id,
        row.status,
        row.metadata,
        now,
        now,
        row.expires_at,
      );
      return toSessionInfo(row);
    });
  }

  async getSession(sessionId: string, options?: CallOptions): Promise<SessionInfo | null> {
    this.#begin(options);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const sql = this.#statements();
    const row = this.#run(
      "reading a session",
      () => sql.sessionById.get(sessionId) as SessionRow | undefined,
    );
    return row && isLive(row.expires_at, this.#now().getTime()) ? toSessionInfo(row) : null;
  }

  async updateSession(sessionId: string, patch: SessionPatch, options?: CallOptions): Promise<SessionInfo> {
    this.#begin(options);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    sessionRules.checkPatch(patch, BACKEND);
    const now = this.#now().getTime();
    const sql = this.#statements();
    return this.#write("updating a session", () => {
      const row = this.#requireLive(sql, sessionId, now);
      const next: SessionRow = {
        ...row,
        user_id: patch.userId !== undefined ? patch.userId : row.user_id,
        agent_id: patch.agentId !== undefined ? patch.agentId : row.agent_id,
        status: patch.status ?? row.status,
        metadata: patch.metadata !== undefined ? JSON.stringify(patch.metadata) : row.metadata,
        expires_at: patch.expiresAt !== undefined ? (patch.expiresAt?.getTime() ?? null) : row.expires_at,
        updated_at: now,
      };
      sql.updateSession.run(
        next.user_id,
        next.agent_id,
        next.status,
        next.metadata,
        next.expires_at,
        now,
        sessionId,
      );
      return toSessionInfo(next);
    });
  }

  async deleteSession(sessionId: string, options?: CallOptions): Promise<boolean> {
    this.#begin(options);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const now = this.#now().getTime();
    const sql = this.#statements();
    return this.#write("deleting a session", () => {
      const row = sql.sessionById.get(sessionId) as SessionRow | undefined;
      if (!row) return false;
      this.#deleteAll(sql, sessionId);
      return isLive(row.expires_at, now);
    });
  }

  async listSessions(query: ListSessionsQuery = {}, options?: CallOptions): Promise<Page<SessionInfo>> {
    this.#begin(options);
    if (typeof query !== "object" || query === null)
      throw new ValidationError("listSessions query must be an object", { backend: BACKEND });
    const limit = sessionRules.listLimit(query, BACKEND);
    const after = query.cursor
      ? decodeCursor<{ t: number; id: string }>(query.cursor, { t: "number", id: "string" }, BACKEND)
      : null;
    const sql = this.#statements();
    const statement = sql.listing({
      userId: query.userId !== undefined,
      agentId: query.agentId !== undefined,
      status: query.status !== undefined,
      cursor: after !== null,
    });
    const params: Record<string, unknown> = { now: this.#now().getTime(), limit: limit + 1 };
    if (query.userId !== undefined) params.userId = query.userId;
    if (query.agentId !== undefined) params.agentId = query.agentId;
    if (query.status !== undefined) params.status = query.status;
    if (after) {
      params.afterCreatedAt = after.t;
      params.afterIdKey = idKey(after.id);
    }
    const rows = this.#run("listing sessions", () => statement.all(params) as SessionRow[]);
    const items = rows.slice(0, limit).map(toSessionInfo);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ t: last.createdAt.getTime(), id: last.sessionId }) : null;
    return { items, nextCursor };
  }

  async appendMessages(
    sessionId: string,
    messages: MessageInput[],
    options?: AppendOptions,
  ): Promise<StoredMessage[]> {
    this.#begin(options);
    sessionRules.checkAppend(sessionId, messages, options, {
      backend: BACKEND,
      maxContentBytes: this.capabilities.maxContentBytes,
    });
    const nowDate = this.#now();
    const now = nowDate.getTime();
    const prepared = sessionRules.prepareMessages(messages, nowDate);
    const sql = this.#statements();
    return this.#write("appending messages", () => {
      const session = this.#requireLive(sql, sessionId, now);
      let seq = session.last_seq;
      const stored = prepared.map((m) => {
        const existing = sql.messageById.get(sessionId, m.id) as MessageRow | undefined;
        if (existing) return toStoredMessage(existing);
        seq += 1;
        const metadata = JSON.stringify(m.metadata);
        sql.insertMessage.run(sessionId, seq, m.id, m.role, m.content, metadata, m.createdAt.getTime());
        // Return copies (parsed from what was stored), never the caller's own objects.
        const message: StoredMessage = {
          id: m.id,
          sessionId,
          seq,
          role: m.role,
          content: m.content,
          metadata: JSON.parse(metadata),
          createdAt: new Date(m.createdAt.getTime()),
        };
        return message;
      });
      if (options?.expiresAt !== undefined) {
        sql.advanceSessionAndExpiry.run(seq, now, options.expiresAt?.getTime() ?? null, sessionId);
      } else {
        sql.advanceSession.run(seq, now, sessionId);
      }
      return stored;
    });
  }

  async getMessages(
    sessionId: string,
    query: MessageQuery = {},
    options?: CallOptions,
  ): Promise<StoredMessage[]> {
    this.#begin(options);
    const q = sessionRules.checkMessageQuery(sessionId, query, BACKEND);
    const now = this.#now().getTime();
    const since = q.since?.getTime() ?? Number.MIN_SAFE_INTEGER;
    const sql = this.#statements();
    return this.#read("reading messages", () => {
      this.#requireLive(sql, sessionId, now);
      if (q.last !== undefined) {
        const rows = sql.lastMessages.all(sessionId, q.afterSeq, q.beforeSeq, since, q.last) as MessageRow[];
        return rows.reverse().map(toStoredMessage);
      }
      return (sql.messagePage.all(sessionId, q.afterSeq, q.beforeSeq, since, q.limit) as MessageRow[]).map(
        toStoredMessage,
      );
    });
  }

  async putSummary(sessionId: string, summary: SummaryInput, options?: CallOptions): Promise<Summary> {
    this.#begin(options);
    sessionRules.checkSummary(sessionId, summary, BACKEND);
    const now = this.#now().getTime();
    const sql = this.#statements();
    return this.#write("storing a summary", () => {
      this.#requireLive(sql, sessionId, now);
      // max(version) + 1 is safe here: the IMMEDIATE transaction holds the only write lock on the file.
      const latest = sql.latestSummary.get(sessionId) as SummaryRow | undefined;
      const row: SummaryRow = {
        session_id: sessionId,
        version: (latest?.version ?? 0) + 1,
        content: summary.content,
        upto_seq: summary.uptoSeq,
        metadata: JSON.stringify(summary.metadata ?? {}),
        created_at: now,
      };
      sql.insertSummary.run(
        row.session_id,
        row.version,
        row.content,
        row.upto_seq,
        row.metadata,
        row.created_at,
      );
      return toSummary(row);
    });
  }

  async getSummary(sessionId: string, options?: CallOptions): Promise<Summary | null> {
    this.#begin(options);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const now = this.#now().getTime();
    const sql = this.#statements();
    return this.#read("reading the summary", () => {
      this.#requireLive(sql, sessionId, now);
      const row = sql.latestSummary.get(sessionId) as SummaryRow | undefined;
      return row ? toSummary(row) : null;
    });
  }

  async getWatermark(sessionId: string, name: string, options?: CallOptions): Promise<number> {
    this.#begin(options);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    const now = this.#now().getTime();
    const sql = this.#statements();
    return this.#read("reading a watermark", () => {
      this.#requireLive(sql, sessionId, now);
      return (sql.watermark.get(sessionId, name) as number | undefined) ?? 0;
    });
  }

  async setWatermark(sessionId: string, name: string, value: number, options?: CallOptions): Promise<void> {
    this.#begin(options);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ValidationError("watermark must be a non-negative integer", { backend: BACKEND });
    }
    const now = this.#now().getTime();
    const sql = this.#statements();
    this.#write("raising a watermark", () => {
      this.#requireLive(sql, sessionId, now);
      sql.raiseWatermark.run(sessionId, name, value);
    });
  }

  async prune(options?: CallOptions & { now?: Date }): Promise<number> {
    this.#begin(options);
    const now = (options?.now ?? this.#now()).getTime();
    const sql = this.#statements();
    let removed = 0;
    for (;;) {
      throwIfAborted(options?.signal, BACKEND);
      const batch = this.#write("pruning expired sessions", () => {
        const ids = sql.expiredSessionIds.all(now, PRUNE_BATCH) as string[];
        for (const id of ids) this.#deleteAll(sql, id);
        return ids.length;
      });
      removed += batch;
      if (batch < PRUNE_BATCH) return removed;
    }
  }

  /** Close the connection if the store opened it; a caller-supplied `database` stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sql = undefined;
    if (this.#owned && this.#db.open) this.#db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #begin(options: CallOptions | undefined): void {
    throwIfAborted(options?.signal, BACKEND);
    if (this.#closed) throw new BackendUnavailableError("the store is closed", { backend: BACKEND });
  }

  #statements(): Statements {
    if (this.#sql) return this.#sql;
    const version = this.#run("checking the schema", () => schemaVersion(this.#db, this.#tables));
    if (version < SCHEMA_VERSION) {
      throw new ConfigError(
        `the database schema is at version ${version}, this package needs ${SCHEMA_VERSION}: call setup() first (it runs the migrations)`,
        { backend: BACKEND },
      );
    }
    this.#sql = this.#run("preparing statements", () => new Statements(this.#db, this.#tables));
    return this.#sql;
  }

  #requireLive(sql: Statements, sessionId: string, now: number): SessionRow {
    const row = sql.sessionById.get(sessionId) as SessionRow | undefined;
    if (!row || !isLive(row.expires_at, now)) {
      throw new NotFoundError(`session ${JSON.stringify(sessionId)} does not exist`, { backend: BACKEND });
    }
    return row;
  }

  #deleteAll(sql: Statements, sessionId: string): void {
    sql.deleteMessages.run(sessionId);
    sql.deleteSummaries.run(sessionId);
    sql.deleteWatermarks.run(sessionId);
    sql.deleteSession.run(sessionId);
  }

  #run<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toMemoryError(error, BACKEND, action);
    }
  }

  /** One IMMEDIATE transaction: the write lock is taken up front, so nothing read inside can go stale. */
  #write<T>(action: string, fn: () => T): T {
    return this.#run(action, () => this.#transaction.immediate(fn) as T);
  }

  /** A deferred transaction that only reads: one consistent snapshot, never blocks writers under WAL. */
  #read<T>(action: string, fn: () => T): T {
    return this.#run(action, () => this.#transaction.deferred(fn) as T);
  }
}

/** better-sqlite3 transaction wrappers, built once: `immediate(fn)` / `deferred(fn)` run fn inside one. */
function wrapTransactions(db: Database) {
  return db.transaction((fn: () => unknown) => fn());
}
