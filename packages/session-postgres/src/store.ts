import {
  type AppendOptions,
  assertDate,
  assertId,
  type CallOptions,
  ConfigError,
  ConflictError,
  type CreateSessionInput,
  decodeCursor,
  encodeCursor,
  type JsonObject,
  type ListSessionsQuery,
  type MessageInput,
  type MessageQuery,
  type MessageSearchHit,
  NotFoundError,
  type Page,
  type SearchMessagesQuery,
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
import { Pool } from "pg";
import { Connection, type Repeatable, type Session } from "./connection.js";
import { BACKEND } from "./errors.js";
import { type MigrationResult, migrate } from "./migrations.js";
import { buildNames, type Names } from "./names.js";
import { type MessageRow, type SessionRow, toMessage, toSessionInfo } from "./rows.js";
import { checkSearch, HEADLINE_OPTIONS, splitHeadline } from "./search.js";
import { makeScrubber, type PostgresSessionSettings, resolveSettings } from "./settings.js";
import { buildStatements, type Statements } from "./statements.js";

export const POSTGRES_SESSION_CAPABILITIES: SessionCapabilities = Object.freeze({
  fullTextSearch: true,
  persistent: true,
  nativeExpiry: false,
  multiProcess: true,
  maxContentBytes: 16 * 1024 * 1024,
});

export interface PostgresSessionStoreOptions {
  /** The clock for createdAt/updatedAt and expiry checks (tests). Default: `new Date()`. */
  now?: () => Date;
}

/**
 * Session store on PostgreSQL. Messages get their `seq` from a per-session counter on the session
 * row, advanced inside the same one-round-trip function that inserts them, so concurrent writers
 * (in any number of processes) never collide and never leave gaps. See README.md for the schema.
 */
export class PostgresSessionStore implements SessionStore {
  readonly backend = BACKEND;
  readonly capabilities: SessionCapabilities = POSTGRES_SESSION_CAPABILITIES;
  /** The validated, quoted names of this store's tables (schema + table_prefix). */
  readonly names: Names;
  /** The SQL this store runs (exposed for the benchmark's raw-driver baseline and for reviewers). */
  readonly statements: Statements;
  readonly #connection: Connection;
  readonly #now: () => Date;

  constructor(settings: PostgresSessionSettings = {}, options: PostgresSessionStoreOptions = {}) {
    const resolved = resolveSettings(settings);
    this.names = buildNames(resolved.schema, resolved.tablePrefix, resolved.textSearchConfig);
    this.statements = buildStatements(this.names);
    let pool = resolved.pool;
    if (!pool) {
      pool = new Pool(resolved.poolConfig);
      // An idle connection that dies (server restart) is dropped by the pool; the next call
      // reconnects. Without a listener Node would crash the process on that 'error' event.
      pool.on("error", () => {});
    }
    this.#connection = new Connection({
      pool,
      owned: resolved.pool === undefined,
      target: resolved.target,
      scrub: makeScrubber(resolved.secrets),
      preparedStatements: resolved.preparedStatements,
      maxRetries: resolved.maxRetries,
    });
    this.#now = options.now ?? (() => new Date());
  }

  /** The pg.Pool in use (the caller's, or the one this store created and will end on close()). */
  get pool(): Pool {
    return this.#connection.pool;
  }

  async setup(options?: CallOptions): Promise<void> {
    await this.migrate(options);
  }

  /** setup() with the outcome: which migration versions this call applied. */
  async migrate(options?: CallOptions): Promise<MigrationResult> {
    return this.#run("setup", "idempotent", options, async (s) => {
      try {
        const result = await migrate(s.client, this.names);
        const meta = await s.query<{ value: string; same: boolean }>(this.statements.readMeta, [
          this.names.raw.textSearchConfig,
        ]);
        const stored = meta.rows[0];
        if (stored && !stored.same) {
          throw new ConfigError(
            `text_search_config is "${this.names.raw.textSearchConfig}", but the tables were created with "${stored.value}"; ` +
              "use that value, or another table_prefix/schema for a new set of tables",
            { backend: BACKEND, key: "text_search_config" },
          );
        }
        return result;
      } catch (error) {
        if ((error as { code?: string }).code === "42704") {
          throw new ConfigError(
            `text_search_config "${this.names.raw.textSearchConfig}" is not a text search configuration on this server`,
            {
              backend: BACKEND,
              key: "text_search_config",
            },
          );
        }
        throw error;
      }
    });
  }

  async createSession(input: CreateSessionInput, options?: CallOptions): Promise<SessionInfo> {
    throwIfAborted(options?.signal, BACKEND);
    sessionRules.checkCreateSession(input, BACKEND);
    const now = this.#now();
    const values = [
      input.sessionId,
      input.userId ?? null,
      input.agentId ?? null,
      input.status ?? "active",
      JSON.stringify(input.metadata ?? {}),
      now,
      input.expiresAt ?? null,
    ];
    const sql = this.statements;
    return this.#run("createSession", "once", options, async (s) => {
      const inserted = await s.query<SessionRow>(sql.insertSession, values);
      if (inserted.rows[0]) return toSessionInfo(inserted.rows[0]);
      // The id is taken. An expired session is replaced (with all its data) in one transaction.
      await s.query("BEGIN");
      let replaced: SessionRow | undefined;
      try {
        const removed = await s.query(sql.deleteExpiredSession, [input.sessionId, now]);
        if (removed.rowCount > 0)
          replaced = (await s.query<SessionRow>(sql.insertSessionPlain, values)).rows[0];
        await s.query(replaced ? "COMMIT" : "ROLLBACK");
      } catch (error) {
        await s.query("ROLLBACK").catch(() => {});
        throw error;
      }
      if (!replaced)
        throw new ConflictError(`session ${JSON.stringify(input.sessionId)} already exists`, {
          backend: BACKEND,
        });
      return toSessionInfo(replaced);
    });
  }

  async getSession(sessionId: string, options?: CallOptions): Promise<SessionInfo | null> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const now = this.#now();
    const rows = await this.#rows<SessionRow>(
      "getSession",
      "idempotent",
      options,
      this.statements.getSession,
      [sessionId, now],
    );
    return rows[0] ? toSessionInfo(rows[0]) : null;
  }

  async updateSession(sessionId: string, patch: SessionPatch, options?: CallOptions): Promise<SessionInfo> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    sessionRules.checkPatch(patch, BACKEND);
    const values = [
      sessionId,
      patch.userId !== undefined,
      patch.userId ?? null,
      patch.agentId !== undefined,
      patch.agentId ?? null,
      patch.status ?? null,
      patch.metadata !== undefined ? JSON.stringify(patch.metadata) : null,
      patch.expiresAt !== undefined,
      patch.expiresAt ?? null,
      this.#now(),
    ];
    const rows = await this.#rows<SessionRow>(
      "updateSession",
      "idempotent",
      options,
      this.statements.updateSession,
      values,
    );
    if (!rows[0]) throw notFound(sessionId);
    return toSessionInfo(rows[0]);
  }

  async deleteSession(sessionId: string, options?: CallOptions): Promise<boolean> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const rows = await this.#rows<{ live: boolean }>(
      "deleteSession",
      "once",
      options,
      this.statements.deleteSession,
      [sessionId, this.#now()],
    );
    return rows[0]?.live === true;
  }

  async listSessions(query: ListSessionsQuery = {}, options?: CallOptions): Promise<Page<SessionInfo>> {
    throwIfAborted(options?.signal, BACKEND);
    if (typeof query !== "object" || query === null)
      throw new ValidationError("list query must be an object", { backend: BACKEND });
    const limit = sessionRules.listLimit(query, BACKEND);
    const after = query.cursor
      ? decodeCursor<{ t: number; id: string }>(query.cursor, { t: "number", id: "string" }, BACKEND)
      : null;
    const values: unknown[] = [this.#now()];
    if (query.userId !== undefined) values.push(query.userId);
    if (query.agentId !== undefined) values.push(query.agentId);
    if (query.status !== undefined) values.push(query.status);
    if (after) {
      const t = new Date(after.t);
      if (Number.isNaN(t.getTime())) throw new ValidationError("invalid cursor", { backend: BACKEND });
      values.push(t, after.id);
    }
    values.push(limit + 1);
    const text = this.statements.listSessions({
      userId: query.userId !== undefined,
      agentId: query.agentId !== undefined,
      status: query.status !== undefined,
      cursor: after !== null,
    });
    const rows = await this.#rows<SessionRow>("listSessions", "idempotent", options, text, values);
    const items = rows.slice(0, limit).map(toSessionInfo);
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ t: last.createdAt.getTime(), id: last.sessionId }) : null;
    return { items, nextCursor };
  }

  async appendMessages(
    sessionId: string,
    messages: MessageInput[],
    options?: AppendOptions,
  ): Promise<StoredMessage[]> {
    throwIfAborted(options?.signal, BACKEND);
    sessionRules.checkAppend(sessionId, messages, options, {
      backend: BACKEND,
      maxContentBytes: this.capabilities.maxContentBytes,
    });
    const now = this.#now();
    // Ids are fixed here, before the first attempt, so a retry after a lost reply is idempotent.
    const prepared = sessionRules.prepareMessages(messages, now);
    const metadataJson = prepared.map((m) => JSON.stringify(m.metadata));
    const values = [
      sessionId,
      prepared.map((m) => m.id),
      prepared.map((m) => m.role),
      prepared.map((m) => m.content),
      metadataJson,
      prepared.map((m) => m.createdAt),
      now,
      options?.expiresAt !== undefined,
      options?.expiresAt ?? null,
    ];
    const rows = await this.#run("appendMessages", "idempotent", options, async (s) => {
      try {
        return (await s.query<AppendRow>(this.statements.append, values)).rows;
      } catch (error) {
        if ((error as { code?: string }).code === "P0002") throw notFound(sessionId);
        throw error;
      }
    });
    return rows.map((row) => {
      const input = prepared[row.ord - 1]!;
      const seq = Number(row.seq);
      if (row.existed) {
        return {
          id: input.id,
          sessionId,
          seq,
          role: row.role!,
          content: row.content!,
          metadata: row.metadata!,
          createdAt: row.created_at!,
        };
      }
      // New rows are not sent back (content can be megabytes): the stored values are the inputs.
      // Metadata is re-read from its JSON so the caller gets what a later read returns, not an alias.
      const json = metadataJson[row.ord - 1]!;
      const metadata = json === "{}" ? {} : (JSON.parse(json) as JsonObject);
      return {
        id: input.id,
        sessionId,
        seq,
        role: input.role,
        content: input.content,
        metadata,
        createdAt: input.createdAt,
      };
    });
  }

  async getMessages(
    sessionId: string,
    query: MessageQuery = {},
    options?: CallOptions,
  ): Promise<StoredMessage[]> {
    throwIfAborted(options?.signal, BACKEND);
    const q = sessionRules.checkMessageQuery(sessionId, query, BACKEND);
    const last = q.last !== undefined;
    const text = last ? this.statements.lastMessages : this.statements.rangeMessages;
    const values = [
      sessionId,
      this.#now(),
      q.afterSeq,
      q.beforeSeq,
      q.since ?? null,
      last ? q.last : q.limit,
    ];
    const rows = await this.#rows<MessageRow>("getMessages", "idempotent", options, text, values);
    if (rows.length === 0) throw notFound(sessionId);
    const out: StoredMessage[] = [];
    for (const row of rows) if (row.seq !== null) out.push(toMessage(sessionId, row));
    return out;
  }

  async putSummary(sessionId: string, summary: SummaryInput, options?: CallOptions): Promise<Summary> {
    throwIfAborted(options?.signal, BACKEND);
    sessionRules.checkSummary(sessionId, summary, BACKEND);
    const now = this.#now();
    const metadata = summary.metadata ?? {};
    const json = JSON.stringify(metadata);
    const values = [sessionId, now, summary.content, summary.uptoSeq, json];
    const rows = await this.#rows<{ version: number }>(
      "putSummary",
      "once",
      options,
      this.statements.putSummary,
      values,
    );
    if (!rows[0]) throw notFound(sessionId);
    return {
      sessionId,
      version: Number(rows[0].version),
      content: summary.content,
      uptoSeq: summary.uptoSeq,
      metadata: JSON.parse(json) as JsonObject,
      createdAt: now,
    };
  }

  async getSummary(sessionId: string, options?: CallOptions): Promise<Summary | null> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const rows = await this.#rows<SummaryRow>(
      "getSummary",
      "idempotent",
      options,
      this.statements.getSummary,
      [sessionId, this.#now()],
    );
    const row = rows[0];
    if (!row) throw notFound(sessionId);
    if (row.version === null) return null;
    return {
      sessionId,
      version: Number(row.version),
      content: row.content!,
      uptoSeq: Number(row.upto_seq),
      metadata: row.metadata!,
      createdAt: row.created_at!,
    };
  }

  async getWatermark(sessionId: string, name: string, options?: CallOptions): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    const rows = await this.#rows<{ value: string | null }>(
      "getWatermark",
      "idempotent",
      options,
      this.statements.getWatermark,
      [sessionId, name, this.#now()],
    );
    if (!rows[0]) throw notFound(sessionId);
    return rows[0].value === null ? 0 : Number(rows[0].value);
  }

  async setWatermark(sessionId: string, name: string, value: number, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    if (!Number.isSafeInteger(value) || value < 0)
      throw new ValidationError("watermark must be a non-negative integer", { backend: BACKEND });
    const rows = await this.#rows("setWatermark", "idempotent", options, this.statements.setWatermark, [
      sessionId,
      name,
      value,
      this.#now(),
    ]);
    if (!rows[0]) throw notFound(sessionId);
  }

  async prune(options?: CallOptions & { now?: Date }): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    if (options?.now !== undefined) assertDate(options.now, "now", { backend: BACKEND });
    const now = options?.now ?? this.#now();
    return this.#run(
      "prune",
      "once",
      options,
      async (s) => (await s.query(this.statements.prune, [now])).rowCount,
    );
  }

  /**
   * Full-text search over message content with PostgreSQL's text search: `websearch_to_tsquery`
   * syntax ("quoted phrases", OR, -exclusion; never a syntax error), ranked by ts_rank (higher is
   * better), with ts_headline highlights wrapped in <mark>…</mark>. Expired sessions are never searched.
   */
  async searchMessages(
    text: string,
    query: SearchMessagesQuery = {},
    options?: CallOptions,
  ): Promise<Page<MessageSearchHit>> {
    throwIfAborted(options?.signal, BACKEND);
    const q = checkSearch(text, query);
    const values: unknown[] = [text, this.#now(), q.limit + 1];
    if (q.sessionId !== undefined) values.push(q.sessionId);
    if (q.userId !== undefined) values.push(q.userId);
    if (q.agentId !== undefined) values.push(q.agentId);
    if (q.from !== undefined) values.push(q.from);
    if (q.to !== undefined) values.push(q.to);
    if (q.after) values.push(q.after.s, q.after.id, q.after.q);
    values.push(HEADLINE_OPTIONS);
    const sql = this.statements.searchMessages({
      sessionId: q.sessionId !== undefined,
      userId: q.userId !== undefined,
      agentId: q.agentId !== undefined,
      from: q.from !== undefined,
      to: q.to !== undefined,
      cursor: q.after !== undefined,
    });
    const rows = await this.#rows<SearchRow>("searchMessages", "idempotent", options, sql, values);
    const page = rows.slice(0, q.limit);
    const items = page.map((row) => ({
      message: toMessage(row.session_id, row),
      score: row.score,
      highlights: splitHeadline(row.headline, row.content ?? ""),
    }));
    const last = page.at(-1);
    const nextCursor =
      rows.length > q.limit && last
        ? encodeCursor({ s: last.score, id: last.session_id, q: Number(last.seq) })
        : null;
    return { items, nextCursor };
  }

  /** Ends the pool this store created; a caller-supplied pool is left open. */
  async close(): Promise<void> {
    await this.#connection.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #run<T>(
    operation: string,
    repeat: Repeatable,
    options: CallOptions | undefined,
    work: (s: Session) => Promise<T>,
  ): Promise<T> {
    return this.#connection.run({ operation, repeat, signal: options?.signal }, work);
  }

  async #rows<R extends object>(
    operation: string,
    repeat: Repeatable,
    options: CallOptions | undefined,
    text: string,
    values: unknown[],
  ): Promise<R[]> {
    return this.#run(
      operation,
      repeat,
      options,
      async (s) => (await s.query<R & Record<string, unknown>>(text, values)).rows,
    );
  }
}

interface AppendRow {
  ord: number;
  seq: string;
  existed: boolean;
  role: string | null;
  content: string | null;
  metadata: JsonObject | null;
  created_at: Date | null;
}

interface SummaryRow {
  version: number | null;
  content: string | null;
  upto_seq: string | null;
  metadata: JsonObject | null;
  created_at: Date | null;
}

interface SearchRow extends MessageRow {
  session_id: string;
  score: number;
  headline: string;
}

function notFound(sessionId: string): NotFoundError {
  return new NotFoundError(`session ${JSON.stringify(sessionId)} does not exist`, { backend: BACKEND });
}
