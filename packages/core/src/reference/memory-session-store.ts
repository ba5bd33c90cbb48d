import { ConflictError, NotFoundError, throwIfAborted, ValidationError } from "../errors.js";
import type { CallOptions, Page } from "../types/common.js";
import type {
  AppendOptions,
  CreateSessionInput,
  ListSessionsQuery,
  MessageInput,
  MessageQuery,
  SessionCapabilities,
  SessionInfo,
  SessionPatch,
  SessionStore,
  StoredMessage,
  Summary,
  SummaryInput,
} from "../types/session.js";
import { decodeCursor, encodeCursor } from "../util/cursor.js";
import { assertId } from "../util/validate.js";
import {
  checkAppend,
  checkCreateSession,
  checkMessageQuery,
  checkPatch,
  checkSummary,
  clone,
  isExpired,
  listLimit,
  prepareMessages,
} from "./session-rules.js";

interface SessionRecord {
  info: SessionInfo;
  messages: StoredMessage[]; // index i holds seq i + 1
  byMessageId: Map<string, StoredMessage>;
  summaries: Summary[];
  watermarks: Map<string, number>;
}

export const MEMORY_SESSION_CAPABILITIES: SessionCapabilities = {
  fullTextSearch: false,
  persistent: false,
  nativeExpiry: false,
  multiProcess: false,
  maxContentBytes: 16 * 1024 * 1024,
};

const BACKEND = "memory";

/**
 * The in-memory reference session store: the behaviour every other store is compared with in the
 * model-based conformance tests. Not persistent; one process. Values are cloned in and out so callers
 * can never mutate stored state.
 */
export class InMemorySessionStore implements SessionStore {
  readonly backend = BACKEND;
  readonly capabilities = MEMORY_SESSION_CAPABILITIES;
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  async setup(): Promise<void> {}

  async createSession(input: CreateSessionInput, options?: CallOptions): Promise<SessionInfo> {
    throwIfAborted(options?.signal, BACKEND);
    checkCreateSession(input, BACKEND);
    const now = this.#now();
    const existing = this.#sessions.get(input.sessionId);
    if (existing && !isExpired(existing.info, now)) {
      throw new ConflictError(`session ${JSON.stringify(input.sessionId)} already exists`, {
        backend: BACKEND,
      });
    }
    const info: SessionInfo = {
      sessionId: input.sessionId,
      userId: input.userId ?? null,
      agentId: input.agentId ?? null,
      status: input.status ?? "active",
      metadata: clone(input.metadata ?? {}),
      createdAt: now,
      updatedAt: now,
      expiresAt: input.expiresAt ?? null,
      lastSeq: 0,
    };
    this.#sessions.set(input.sessionId, {
      info,
      messages: [],
      byMessageId: new Map(),
      summaries: [],
      watermarks: new Map(),
    });
    return clone(info);
  }

  async getSession(sessionId: string, options?: CallOptions): Promise<SessionInfo | null> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const record = this.#live(sessionId);
    return record ? clone(record.info) : null;
  }

  async updateSession(sessionId: string, patch: SessionPatch, options?: CallOptions): Promise<SessionInfo> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    checkPatch(patch, BACKEND);
    const record = this.#require(sessionId);
    const info = record.info;
    if (patch.userId !== undefined) info.userId = patch.userId;
    if (patch.agentId !== undefined) info.agentId = patch.agentId;
    if (patch.status !== undefined) info.status = patch.status;
    if (patch.metadata !== undefined) info.metadata = clone(patch.metadata);
    if (patch.expiresAt !== undefined) info.expiresAt = patch.expiresAt;
    info.updatedAt = this.#now();
    return clone(info);
  }

  async deleteSession(sessionId: string, options?: CallOptions): Promise<boolean> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const live = this.#live(sessionId) !== undefined;
    this.#sessions.delete(sessionId);
    return live;
  }

  async listSessions(query: ListSessionsQuery = {}, options?: CallOptions): Promise<Page<SessionInfo>> {
    throwIfAborted(options?.signal, BACKEND);
    const limit = listLimit(query, BACKEND);
    const now = this.#now();
    const after = query.cursor
      ? decodeCursor<{ t: number; id: string }>(query.cursor, { t: "number", id: "string" }, BACKEND)
      : null;
    const rows = [...this.#sessions.values()]
      .map((r) => r.info)
      .filter((s) => !isExpired(s, now))
      .filter((s) => query.userId === undefined || s.userId === query.userId)
      .filter((s) => query.agentId === undefined || s.agentId === query.agentId)
      .filter((s) => query.status === undefined || s.status === query.status)
      .sort(compareNewestFirst)
      .filter(
        (s) => !after || compareNewestFirst(s, { createdAt: new Date(after.t), sessionId: after.id }) > 0,
      );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ t: last.createdAt.getTime(), id: last.sessionId }) : null;
    return { items: items.map(clone), nextCursor };
  }

  async appendMessages(
    sessionId: string,
    messages: MessageInput[],
    options?: AppendOptions,
  ): Promise<StoredMessage[]> {
    throwIfAborted(options?.signal, BACKEND);
    checkAppend(sessionId, messages, options, {
      backend: BACKEND,
      maxContentBytes: this.capabilities.maxContentBytes,
    });
    const record = this.#require(sessionId);
    const now = this.#now();
    const prepared = prepareMessages(messages, now);
    // All checks are done above, so the writes below cannot fail half-way: the batch is atomic.
    const result = prepared.map((m) => {
      const existing = record.byMessageId.get(m.id);
      if (existing) return clone(existing);
      const stored: StoredMessage = { ...m, sessionId, seq: record.messages.length + 1 };
      record.messages.push(stored);
      record.byMessageId.set(m.id, stored);
      return clone(stored);
    });
    record.info.lastSeq = record.messages.length;
    record.info.updatedAt = now;
    if (options?.expiresAt !== undefined) record.info.expiresAt = options.expiresAt;
    return result;
  }

  async getMessages(
    sessionId: string,
    query: MessageQuery = {},
    options?: CallOptions,
  ): Promise<StoredMessage[]> {
    throwIfAborted(options?.signal, BACKEND);
    const q = checkMessageQuery(sessionId, query, BACKEND);
    const record = this.#require(sessionId);
    let rows = record.messages.filter((m) => m.seq > q.afterSeq && m.seq < q.beforeSeq);
    if (q.since) rows = rows.filter((m) => m.createdAt.getTime() >= q.since!.getTime());
    rows = q.last !== undefined ? rows.slice(-q.last) : rows.slice(0, q.limit);
    return rows.map(clone);
  }

  async putSummary(sessionId: string, summary: SummaryInput, options?: CallOptions): Promise<Summary> {
    throwIfAborted(options?.signal, BACKEND);
    checkSummary(sessionId, summary, BACKEND);
    const record = this.#require(sessionId);
    const stored: Summary = {
      sessionId,
      version: record.summaries.length + 1,
      content: summary.content,
      uptoSeq: summary.uptoSeq,
      metadata: clone(summary.metadata ?? {}),
      createdAt: this.#now(),
    };
    record.summaries.push(stored);
    return clone(stored);
  }

  async getSummary(sessionId: string, options?: CallOptions): Promise<Summary | null> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const record = this.#require(sessionId);
    const latest = record.summaries[record.summaries.length - 1];
    return latest ? clone(latest) : null;
  }

  async getWatermark(sessionId: string, name: string, options?: CallOptions): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    return this.#require(sessionId).watermarks.get(name) ?? 0;
  }

  async setWatermark(sessionId: string, name: string, value: number, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    if (!Number.isSafeInteger(value) || value < 0)
      throw new ValidationError("watermark must be a non-negative integer", { backend: BACKEND });
    const record = this.#require(sessionId);
    record.watermarks.set(name, Math.max(record.watermarks.get(name) ?? 0, value));
  }

  async prune(options?: CallOptions & { now?: Date }): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    const now = options?.now ?? this.#now();
    let removed = 0;
    for (const [id, record] of this.#sessions) {
      if (isExpired(record.info, now)) {
        this.#sessions.delete(id);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {}

  #live(sessionId: string): SessionRecord | undefined {
    const record = this.#sessions.get(sessionId);
    return record && !isExpired(record.info, this.#now()) ? record : undefined;
  }

  #require(sessionId: string): SessionRecord {
    const record = this.#live(sessionId);
    if (!record)
      throw new NotFoundError(`session ${JSON.stringify(sessionId)} does not exist`, { backend: BACKEND });
    return record;
  }
}

function compareNewestFirst(
  a: Pick<SessionInfo, "createdAt" | "sessionId">,
  b: Pick<SessionInfo, "createdAt" | "sessionId">,
): number {
  const dt = b.createdAt.getTime() - a.createdAt.getTime();
  if (dt !== 0) return dt;
  return a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : 0;
}
