import { createHash, randomUUID } from "node:crypto";
import {
  type AppendOptions,
  assertId,
  assertStorableText,
  BackendError,
  BackendUnavailableError,
  type CallOptions,
  ConflictError,
  type CreateSessionInput,
  clampLimit,
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
import { type Refresh, type SearchBackend, type StoredDoc, VersionConflict } from "./backend.js";
import { connect } from "./connect.js";
import { mapError } from "./errors.js";
import { type IndexNames, indexNames, setupIndices } from "./schema.js";
import {
  BACKEND,
  checkOptions,
  DEFAULT_INDEX_PREFIX,
  type ElasticsearchSessionStoreOptions,
} from "./settings.js";

export const ELASTICSEARCH_SESSION_CAPABILITIES: SessionCapabilities = {
  fullTextSearch: true,
  persistent: true,
  nativeExpiry: false,
  multiProcess: true,
  // Each append travels twice (as the pending batch in the session doc, then as message docs).
  maxContentBytes: 1024 * 1024,
};

/** A batch larger than this (sum of contents) would exceed the server's default http.max_content_length. */
const MAX_BATCH_BYTES = 40 * 1024 * 1024;
/** Give up on an append that keeps losing optimistic-concurrency races after this long. */
const CONTENTION_DEADLINE_MS = 120_000;
/** A pending batch older than this is presumed abandoned by its writer and completed by the next one. */
const PENDING_TAKEOVER_MS = 2_000;

interface MessageDoc {
  doc_key: string;
  session_id: string;
  gen: string;
  user_id: string | null;
  agent_id: string | null;
  seq: number;
  message_id: string;
  role: string;
  content: string;
  metadata: string;
  created_at: number;
}

interface AppendRequest {
  messages: MessageInput[];
  bytes: number;
  expiresAt: Date | null | undefined;
  resolve: (messages: StoredMessage[]) => void;
  reject: (error: unknown) => void;
}

interface PendingBatch {
  token: string;
  at: number;
  to: number;
  messages: MessageDoc[];
}

interface SessionDoc {
  session_id: string;
  /** A fresh id per incarnation of the session: documents of a deleted or expired one never reappear. */
  gen: string;
  user_id: string | null;
  agent_id: string | null;
  status: string;
  metadata: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  /** Highest committed seq: readers see messages 1..last_seq and nothing else. */
  last_seq: number;
  summary:
    | (Omit<Summary, "sessionId" | "createdAt" | "metadata"> & { metadata: string; created_at: number })
    | null;
  watermarks: string;
  /** A batch whose seqs are allocated (durably, in this doc) but whose message docs may not be written yet. */
  pending: PendingBatch | null;
}

/** Doc ids from hashes: session ids may be up to 512 bytes, the same as ES's _id limit. */
function hash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("base64url");
}
const messageDocId = (gen: string, seq: number) => `${gen}:${seq}`;
/** Keyed by session (not generation) so it can be read in parallel with the session doc; `gen` is checked. */
const dedupeDocId = (sessionKey: string, messageId: string) => `${sessionKey}:${hash(messageId)}`;

/** Indices written by this process since their last refresh: searches refresh them first. */
const dirty = new Set<string>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Elasticsearch / OpenSearch session store. See the README ("How appends work") for the design:
 * the session document is the commit point, updated with optimistic concurrency (if_seq_no /
 * if_primary_term); a batch is first recorded in it as `pending` (which allocates its seqs), then
 * written as message docs, then committed by raising `last_seq`.
 */
export class ElasticsearchSessionStore implements SessionStore {
  readonly backend = BACKEND;
  readonly capabilities = ELASTICSEARCH_SESSION_CAPABILITIES;
  readonly indexPrefix: string;
  readonly #options: ElasticsearchSessionStoreOptions;
  readonly #names: IndexNames;
  readonly #refresh: Refresh;
  readonly #now: () => Date;
  #backend: Promise<SearchBackend> | undefined;
  /** Appends waiting for the one in flight, per session (see #drain). */
  readonly #queues = new Map<string, AppendRequest[]>();

  constructor(options: ElasticsearchSessionStoreOptions = {}) {
    checkOptions(options);
    this.#options = options;
    this.indexPrefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
    this.#names = indexNames(this.indexPrefix);
    this.#refresh = options.refresh ?? "false";
    this.#now = options.now ?? (() => new Date());
  }

  get indices(): IndexNames {
    return { ...this.#names };
  }

  /** The driver wrapper, connected on first use. */
  async searchBackend(): Promise<SearchBackend> {
    this.#backend ??= connect(this.#options);
    this.#backend.catch(() => {
      this.#backend = undefined; // let the next call try again
    });
    return this.#backend;
  }

  async #run<T>(action: string, fn: (b: SearchBackend) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.searchBackend());
    } catch (error) {
      throw mapError(error, action);
    }
  }

  async setup(options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    await this.#run("setup", (b) => setupIndices(b, this.#names));
  }

  // ---------------------------------------------------------------- sessions

  async createSession(input: CreateSessionInput, options?: CallOptions): Promise<SessionInfo> {
    throwIfAborted(options?.signal, BACKEND);
    sessionRules.checkCreateSession(input, BACKEND);
    return this.#run("createSession", async (b) => {
      const id = hash(input.sessionId);
      for (;;) {
        const now = this.#now().getTime();
        const existing = await b.get<SessionDoc>(this.#names.sessions, id, options?.signal);
        if (existing && !this.#expired(existing.source)) {
          throw new ConflictError(`session ${JSON.stringify(input.sessionId)} already exists`, {
            backend: BACKEND,
          });
        }
        const doc: SessionDoc = {
          session_id: input.sessionId,
          gen: randomUUID(),
          user_id: input.userId ?? null,
          agent_id: input.agentId ?? null,
          status: input.status ?? "active",
          metadata: JSON.stringify(input.metadata ?? {}),
          created_at: now,
          updated_at: now,
          expires_at: input.expiresAt ? input.expiresAt.getTime() : null,
          last_seq: 0,
          summary: null,
          watermarks: "{}",
          pending: null,
        };
        try {
          // Create if absent; replace an expired one only if nobody changed it meanwhile.
          await b.index(
            this.#names.sessions,
            id,
            doc as unknown as Record<string, unknown>,
            existing
              ? { ifSeqNo: existing.seqNo, ifPrimaryTerm: existing.primaryTerm, refresh: this.#refresh }
              : { opType: "create", refresh: this.#refresh },
          );
        } catch (error) {
          if (error instanceof VersionConflict) continue; // someone else created or replaced it: look again
          throw error;
        }
        this.#wrote(this.#names.sessions);
        if (existing) await this.#purge(b, [existing.source.gen]);
        return toInfo(doc);
      }
    });
  }

  async getSession(sessionId: string, options?: CallOptions): Promise<SessionInfo | null> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    return this.#run("getSession", async (b) => {
      const doc = await this.#live(b, sessionId, options?.signal);
      return doc ? toInfo(doc.source) : null;
    });
  }

  async updateSession(sessionId: string, patch: SessionPatch, options?: CallOptions): Promise<SessionInfo> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    sessionRules.checkPatch(patch, BACKEND);
    return this.#run("updateSession", async (b) => {
      const doc = await this.#mutate(b, sessionId, (s) => {
        if (patch.userId !== undefined) s.user_id = patch.userId;
        if (patch.agentId !== undefined) s.agent_id = patch.agentId;
        if (patch.status !== undefined) s.status = patch.status;
        if (patch.metadata !== undefined) s.metadata = JSON.stringify(patch.metadata);
        if (patch.expiresAt !== undefined) s.expires_at = patch.expiresAt ? patch.expiresAt.getTime() : null;
        s.updated_at = this.#now().getTime();
      });
      // Messages carry user/agent for search filtering: follow the session's new owner.
      if (patch.userId !== undefined || patch.agentId !== undefined) {
        await this.#refreshIfDirty(b, this.#names.messages, true);
        await b.updateByQuery(
          this.#names.messages,
          { term: { gen: doc.gen } },
          {
            lang: "painless",
            source: "ctx._source.user_id = params.u; ctx._source.agent_id = params.a;",
            params: { u: doc.user_id, a: doc.agent_id },
          },
        );
      }
      return toInfo(doc);
    });
  }

  async deleteSession(sessionId: string, options?: CallOptions): Promise<boolean> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    return this.#run("deleteSession", async (b) => {
      const id = hash(sessionId);
      for (;;) {
        const existing = await b.get<SessionDoc>(this.#names.sessions, id);
        if (!existing) return false;
        try {
          await b.delete(this.#names.sessions, id, {
            ifSeqNo: existing.seqNo,
            ifPrimaryTerm: existing.primaryTerm,
            refresh: this.#refresh,
          });
        } catch (error) {
          if (error instanceof VersionConflict) continue;
          throw error;
        }
        this.#wrote(this.#names.sessions);
        // The session doc is gone, so its generation is unreachable; now remove its documents.
        await this.#purge(b, [existing.source.gen]);
        return !this.#expired(existing.source);
      }
    });
  }

  async listSessions(query: ListSessionsQuery = {}, options?: CallOptions): Promise<Page<SessionInfo>> {
    throwIfAborted(options?.signal, BACKEND);
    const limit = sessionRules.listLimit(query, BACKEND);
    const after = query.cursor
      ? decodeCursor<{ t: number; id: string }>(query.cursor, { t: "number", id: "string" }, BACKEND)
      : null;
    return this.#run("listSessions", async (b) => {
      await this.#refreshIfDirty(b, this.#names.sessions);
      const filter: unknown[] = [this.#liveFilter()];
      if (query.userId !== undefined) filter.push({ term: { user_id: query.userId } });
      if (query.agentId !== undefined) filter.push({ term: { agent_id: query.agentId } });
      if (query.status !== undefined) filter.push({ term: { status: query.status } });
      const body: Record<string, unknown> = {
        query: { bool: { filter } },
        sort: [{ created_at: "desc" }, { session_id: "desc" }],
        size: limit + 1,
        track_total_hits: false,
        _source: { excludes: ["pending", "summary"] },
      };
      if (after) body.search_after = [after.t, after.id];
      const hits = await b.search<SessionDoc>(this.#names.sessions, body, options?.signal);
      const items = hits
        .slice(0, limit)
        .map((h) => toInfo(h.source))
        // A session that expired between the query and now is still not listed.
        .filter((s) => !sessionRules.isExpired(s, this.#now()));
      const last = hits[Math.min(limit, hits.length) - 1];
      const nextCursor =
        hits.length > limit && last
          ? encodeCursor({ t: last.source.created_at, id: last.source.session_id })
          : null;
      return { items, nextCursor };
    });
  }

  // ---------------------------------------------------------------- messages

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
    let bytes = 0;
    for (const m of messages) bytes += Buffer.byteLength(m.content, "utf8");
    if (bytes > MAX_BATCH_BYTES)
      throw new ValidationError(`a batch holds at most ${MAX_BATCH_BYTES} bytes of content`, {
        backend: BACKEND,
      });
    return new Promise<StoredMessage[]>((resolve, reject) => {
      const request: AppendRequest = { messages, bytes, expiresAt: options?.expiresAt, resolve, reject };
      const queue = this.#queues.get(sessionId);
      if (queue) queue.push(request);
      else {
        this.#queues.set(sessionId, [request]);
        void this.#drain(sessionId);
      }
    });
  }

  /**
   * Group commit: appends to one session from this process that arrive while one is in flight go
   * together in the next allocation (each call still gets exactly its own messages back, and each
   * call's batch is all-or-nothing because the group is). Concurrent writers then cost one commit
   * cycle per group instead of one per call, and do not fight each other's optimistic-concurrency checks.
   */
  async #drain(sessionId: string): Promise<void> {
    const queue = this.#queues.get(sessionId)!;
    while (queue.length > 0) {
      const group: AppendRequest[] = [];
      let count = 0;
      let bytes = 0;
      while (
        queue.length > 0 &&
        (group.length === 0 ||
          (count + queue[0]!.messages.length <= sessionRules.MAX_BATCH &&
            bytes + queue[0]!.bytes <= MAX_BATCH_BYTES))
      ) {
        const next = queue.shift()!;
        group.push(next);
        count += next.messages.length;
        bytes += next.bytes;
      }
      try {
        const results = await this.#run("appendMessages", (b) => this.#append(b, sessionId, group));
        for (const [i, r] of group.entries()) r.resolve(results[i]!);
      } catch (error) {
        for (const r of group) r.reject(error);
      }
    }
    this.#queues.delete(sessionId);
  }

  async #append(b: SearchBackend, sessionId: string, group: AppendRequest[]): Promise<StoredMessage[][]> {
    const id = hash(sessionId);
    const messages = group.flatMap((r) => r.messages);
    const deadline = Date.now() + CONTENTION_DEADLINE_MS;
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline)
        throw new BackendUnavailableError("appendMessages: gave up after 120 s of write contention", {
          backend: BACKEND,
        });
      if (attempt > 0) await sleep(Math.random() * Math.min(50, 2 * attempt));
      // The session doc and the dedupe records of the batch's ids, read in parallel (both realtime).
      const now = this.#now();
      const prepared = sessionRules.prepareMessages(messages, now);
      const withIds = messages.map((m) => m.id !== undefined);
      const [current, dedupe] = await Promise.all([
        b.get<SessionDoc>(this.#names.sessions, id),
        b.mget<{ gen: string; seq: number }>(
          this.#names.keys,
          prepared.filter((_, i) => withIds[i]).map((m) => dedupeDocId(id, m.id)),
        ),
      ]);
      if (!current || this.#expired(current.source)) throw notFound(sessionId);
      const s = current.source;
      if (s.pending) {
        // Another append is between its allocation and its commit. Wait for it; complete it ourselves
        // only if its writer seems gone (a crash, or a caller that gave up), so it is never lost.
        if (this.#now().getTime() - s.pending.at > PENDING_TAKEOVER_MS) await this.#complete(b, id, current);
        continue;
      }
      // Idempotency: ids already committed in this generation come back as stored. (Ids the caller did
      // not give are fresh UUIDs: nothing to look up.)
      let k = 0;
      const existingSeqs = prepared.map((_, i) => {
        if (!withIds[i]) return null;
        const d = dedupe[k++];
        return d && d.source.gen === s.gen && d.source.seq <= s.last_seq ? d.source.seq : null;
      });
      const known = await b.mget<MessageDoc>(
        this.#names.messages,
        existingSeqs.filter((q): q is number => q !== null).map((q) => messageDocId(s.gen, q)),
      );
      const knownBySeq = new Map(known.filter((d) => d !== null).map((d) => [d!.source.seq, d!.source]));
      let seq = s.last_seq;
      const fresh: MessageDoc[] = [];
      const assigned = new Map<string, MessageDoc>(); // the same id from two calls of one group: stored once
      const result: (MessageDoc | undefined)[] = prepared.map((m, i) => {
        const q = existingSeqs[i];
        if (q != null) return knownBySeq.get(q);
        const again = withIds[i] ? assigned.get(m.id) : undefined;
        if (again) return again;
        const doc: MessageDoc = {
          doc_key: messageDocId(s.gen, ++seq),
          session_id: sessionId,
          gen: s.gen,
          user_id: s.user_id,
          agent_id: s.agent_id,
          seq,
          message_id: m.id,
          role: m.role,
          content: m.content,
          metadata: JSON.stringify(m.metadata),
          created_at: m.createdAt.getTime(),
        };
        fresh.push(doc);
        assigned.set(m.id, doc);
        return doc;
      });
      if (result.some((r) => r === undefined))
        throw new BackendError("a committed message is missing its document", { backend: BACKEND });
      let expiresAt = s.expires_at;
      for (const r of group)
        if (r.expiresAt !== undefined) expiresAt = r.expiresAt ? r.expiresAt.getTime() : null;
      const split = () => {
        let offset = 0;
        return group.map((r) => {
          const part = result.slice(offset, offset + r.messages.length).map((d) => toMessage(d!));
          offset += r.messages.length;
          return part;
        });
      };
      if (fresh.length === 0 && expiresAt === s.expires_at) return split();
      // Allocate: record the batch in the session doc. This single conditional write is what makes the
      // batch all-or-nothing; it loses (409) if any other writer touched the session since our read.
      const next: SessionDoc = { ...s, updated_at: now.getTime(), expires_at: expiresAt };
      if (fresh.length > 0)
        next.pending = { token: randomUUID(), at: now.getTime(), to: seq, messages: fresh };
      let written: { seqNo: number; primaryTerm: number };
      try {
        written = await b.index(this.#names.sessions, id, next as unknown as Record<string, unknown>, {
          ifSeqNo: current.seqNo,
          ifPrimaryTerm: current.primaryTerm,
          refresh: fresh.length === 0 ? this.#refresh : "false",
        });
      } catch (error) {
        if (error instanceof VersionConflict) continue;
        throw error;
      }
      // From here the batch is durable: complete it (a crash now leaves it to the next writer).
      if (fresh.length > 0) await this.#complete(b, id, { id, source: next, ...written });
      this.#wrote(this.#names.sessions);
      return split();
    }
  }

  /** Write a pending batch's documents (idempotent overwrites), then commit it by raising last_seq. */
  async #complete(b: SearchBackend, id: string, current: StoredDoc<SessionDoc>): Promise<void> {
    let doc = current;
    const pending = doc.source.pending!;
    const ops = [];
    for (const m of pending.messages) {
      ops.push({ index: this.#names.messages, id: m.doc_key, doc: m as unknown as Record<string, unknown> });
      ops.push({
        index: this.#names.keys,
        id: dedupeDocId(id, m.message_id),
        doc: { kind: "dedupe", gen: m.gen, seq: m.seq },
      });
    }
    await b.bulkIndex(ops, this.#refresh);
    this.#wrote(this.#names.messages);
    for (;;) {
      const committed: SessionDoc = { ...doc.source, last_seq: pending.to, pending: null };
      try {
        await b.index(this.#names.sessions, id, committed as unknown as Record<string, unknown>, {
          ifSeqNo: doc.seqNo,
          ifPrimaryTerm: doc.primaryTerm,
          refresh: this.#refresh,
        });
        return;
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
      }
      const again = await b.get<SessionDoc>(this.#names.sessions, id);
      if (!again || again.source.pending?.token !== pending.token) return; // committed by a helper, or deleted
      doc = again;
    }
  }

  async getMessages(
    sessionId: string,
    query: MessageQuery = {},
    options?: CallOptions,
  ): Promise<StoredMessage[]> {
    throwIfAborted(options?.signal, BACKEND);
    const q = sessionRules.checkMessageQuery(sessionId, query, BACKEND);
    return this.#run("getMessages", async (b) => {
      const doc = await this.#live(b, sessionId, options?.signal);
      if (!doc) throw notFound(sessionId);
      const s = doc.source;
      const lo = q.afterSeq + 1;
      const hi = Math.min(q.beforeSeq - 1, s.last_seq);
      if (hi < lo) return [];
      if (q.since) return this.#messagesSince(b, s, lo, hi, q.since, q.last, q.limit, options?.signal);
      // Without a time filter the wanted seqs are known: read them by id (realtime, no refresh needed,
      // and the cost depends on N, not on the history's length).
      const from = q.last !== undefined ? Math.max(lo, hi - q.last + 1) : lo;
      const to = q.last !== undefined ? hi : Math.min(hi, lo + q.limit - 1);
      const ids: string[] = [];
      for (let seq = from; seq <= to; seq++) ids.push(messageDocId(s.gen, seq));
      const docs = await b.mget<MessageDoc>(this.#names.messages, ids, options?.signal);
      return docs.map((d, i) => {
        if (!d) throw new BackendError(`message seq ${from + i} is missing`, { backend: BACKEND });
        return toMessage(d.source);
      });
    });
  }

  async #messagesSince(
    b: SearchBackend,
    s: SessionDoc,
    lo: number,
    hi: number,
    since: Date,
    last: number | undefined,
    limit: number,
    signal: AbortSignal | undefined,
  ): Promise<StoredMessage[]> {
    await this.#refreshIfDirty(b, this.#names.messages);
    const hits = await b.search<MessageDoc>(
      this.#names.messages,
      {
        query: {
          bool: {
            filter: [
              { term: { gen: s.gen } },
              { range: { seq: { gte: lo, lte: hi } } },
              { range: { created_at: { gte: since.getTime() } } },
            ],
          },
        },
        sort: [{ seq: last !== undefined ? "desc" : "asc" }],
        size: last ?? limit,
        track_total_hits: false,
      },
      signal,
    );
    const rows = hits.map((h) => toMessage(h.source));
    return last !== undefined ? rows.reverse() : rows;
  }

  // ---------------------------------------------------------------- summaries and watermarks

  async putSummary(sessionId: string, summary: SummaryInput, options?: CallOptions): Promise<Summary> {
    throwIfAborted(options?.signal, BACKEND);
    sessionRules.checkSummary(sessionId, summary, BACKEND);
    return this.#run("putSummary", async (b) => {
      const doc = await this.#mutate(b, sessionId, (s) => {
        s.summary = {
          version: (s.summary?.version ?? 0) + 1,
          content: summary.content,
          uptoSeq: summary.uptoSeq,
          metadata: JSON.stringify(summary.metadata ?? {}),
          created_at: this.#now().getTime(),
        };
      });
      return toSummary(sessionId, doc.summary!);
    });
  }

  async getSummary(sessionId: string, options?: CallOptions): Promise<Summary | null> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    return this.#run("getSummary", async (b) => {
      const doc = await this.#live(b, sessionId, options?.signal);
      if (!doc) throw notFound(sessionId);
      return doc.source.summary ? toSummary(sessionId, doc.source.summary) : null;
    });
  }

  async getWatermark(sessionId: string, name: string, options?: CallOptions): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    return this.#run("getWatermark", async (b) => {
      const doc = await this.#live(b, sessionId, options?.signal);
      if (!doc) throw notFound(sessionId);
      return (JSON.parse(doc.source.watermarks) as Record<string, number>)[name] ?? 0;
    });
  }

  async setWatermark(sessionId: string, name: string, value: number, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    if (!Number.isSafeInteger(value) || value < 0)
      throw new ValidationError("watermark must be a non-negative integer", { backend: BACKEND });
    await this.#run("setWatermark", async (b) => {
      await this.#mutate(b, sessionId, (s) => {
        const marks = JSON.parse(s.watermarks) as Record<string, number>;
        if (!Object.hasOwn(marks, name) || marks[name]! < value) {
          Object.defineProperty(marks, name, { value, enumerable: true, writable: true, configurable: true });
        }
        s.watermarks = JSON.stringify(marks);
      });
    });
  }

  // ---------------------------------------------------------------- expiry

  async prune(options?: CallOptions & { now?: Date }): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    const now = (options?.now ?? this.#now()).getTime();
    return this.#run("prune", async (b) => {
      await b.refresh(this.#names.sessions);
      let removed = 0;
      let after: unknown[] | undefined;
      for (;;) {
        const body: Record<string, unknown> = {
          query: { range: { expires_at: { lte: now } } },
          sort: [{ expires_at: "asc" }, { session_id: "asc" }],
          size: 500,
          track_total_hits: false,
          _source: ["gen", "session_id", "expires_at"],
          seq_no_primary_term: true,
        };
        if (after) body.search_after = after;
        const hits = await b.search<SessionDoc>(this.#names.sessions, body, options?.signal);
        if (hits.length === 0) break;
        const gens: string[] = [];
        for (const h of hits) {
          // Re-read and delete conditionally: a session updated or re-created meanwhile stays.
          const current = await b.get<SessionDoc>(this.#names.sessions, h.id);
          if (!current || current.source.expires_at === null || current.source.expires_at > now) continue;
          try {
            await b.delete(this.#names.sessions, h.id, {
              ifSeqNo: current.seqNo,
              ifPrimaryTerm: current.primaryTerm,
            });
            gens.push(current.source.gen);
            removed++;
          } catch (error) {
            if (!(error instanceof VersionConflict)) throw error;
          }
        }
        this.#wrote(this.#names.sessions);
        await this.#purge(b, gens);
        after = hits[hits.length - 1]!.sort;
      }
      return removed;
    });
  }

  // ---------------------------------------------------------------- search

  async searchMessages(
    text: string,
    query: SearchMessagesQuery = {},
    options?: CallOptions,
  ): Promise<Page<MessageSearchHit>> {
    throwIfAborted(options?.signal, BACKEND);
    const ctx = { backend: BACKEND };
    assertStorableText(text, "search text", ctx);
    if (typeof query !== "object" || query === null)
      throw new ValidationError("query must be an object", ctx);
    if (query.sessionId !== undefined) assertId(query.sessionId, "sessionId", ctx);
    if (query.userId !== undefined) assertId(query.userId, "userId", ctx);
    if (query.agentId !== undefined) assertId(query.agentId, "agentId", ctx);
    if (query.from !== undefined && !(query.from instanceof Date && !Number.isNaN(query.from.getTime())))
      throw new ValidationError("from must be a valid Date", ctx);
    if (query.to !== undefined && !(query.to instanceof Date && !Number.isNaN(query.to.getTime())))
      throw new ValidationError("to must be a valid Date", ctx);
    const limit = clampLimit(query.limit, 20, 1000, "limit", ctx);
    let after: unknown[] | undefined;
    if (query.cursor != null) {
      if (typeof query.cursor !== "string") throw new ValidationError("cursor must be a string", ctx);
      const c = decodeCursor<{ s: number; k: string }>(query.cursor, { s: "number", k: "string" }, BACKEND);
      after = [c.s, c.k];
    }
    if (text.trim() === "") return { items: [], nextCursor: null };
    return this.#run("searchMessages", async (b) => {
      await this.#refreshIfDirty(b, this.#names.messages);
      const filter: unknown[] = [];
      if (query.sessionId !== undefined) filter.push({ term: { session_id: query.sessionId } });
      if (query.userId !== undefined) filter.push({ term: { user_id: query.userId } });
      if (query.agentId !== undefined) filter.push({ term: { agent_id: query.agentId } });
      if (query.from || query.to) {
        const range: Record<string, number> = {};
        if (query.from) range.gte = query.from.getTime();
        if (query.to) range.lte = query.to.getTime();
        filter.push({ range: { created_at: range } });
      }
      const items: MessageSearchHit[] = [];
      const batch = Math.min(1000, limit * 2 + 10);
      for (;;) {
        // `match` analyses the text as plain words: no query syntax exists to inject.
        const body: Record<string, unknown> = {
          query: { bool: { must: [{ match: { content: { query: text } } }], filter } },
          sort: [{ _score: "desc" }, { doc_key: "asc" }],
          size: batch,
          track_total_hits: false,
          highlight: {
            encoder: "html",
            pre_tags: ["<mark>"],
            post_tags: ["</mark>"],
            fields: { content: { fragment_size: 150, number_of_fragments: 3 } },
          },
        };
        if (after) body.search_after = after;
        const hits = await b.search<MessageDoc>(this.#names.messages, body, options?.signal);
        // Keep only committed messages of live, current-generation sessions that still match the filters.
        const sessions = new Map<string, SessionDoc | null>();
        const wanted = [...new Set(hits.map((h) => h.source.session_id))];
        const docs = await b.mget<SessionDoc>(this.#names.sessions, wanted.map(hash));
        for (const [i, sid] of wanted.entries()) sessions.set(sid, docs[i]?.source ?? null);
        for (const h of hits) {
          after = h.sort;
          const s = sessions.get(h.source.session_id);
          if (!s || this.#expired(s) || s.gen !== h.source.gen || h.source.seq > s.last_seq) continue;
          if (query.userId !== undefined && s.user_id !== query.userId) continue;
          if (query.agentId !== undefined && s.agent_id !== query.agentId) continue;
          const hit: MessageSearchHit = { message: toMessage(h.source), score: h.score ?? 0 };
          if (h.highlight?.content) hit.highlights = h.highlight.content;
          items.push(hit);
          if (items.length === limit) {
            const more = hits.length === batch || h !== hits[hits.length - 1];
            const [s0, k0] = h.sort as [number, string];
            return { items, nextCursor: more ? encodeCursor({ s: s0, k: k0 }) : null };
          }
        }
        if (hits.length < batch) return { items, nextCursor: null };
      }
    });
  }

  async close(): Promise<void> {
    const pending = this.#backend;
    this.#backend = undefined;
    if (!pending) return;
    const backend = await pending.catch(() => undefined);
    await backend?.close();
  }

  // ---------------------------------------------------------------- helpers

  #expired(s: SessionDoc): boolean {
    return s.expires_at !== null && s.expires_at <= this.#now().getTime();
  }

  #liveFilter(): Record<string, unknown> {
    return {
      bool: {
        should: [
          { bool: { must_not: { exists: { field: "expires_at" } } } },
          { range: { expires_at: { gt: this.#now().getTime() } } },
        ],
        minimum_should_match: 1,
      },
    };
  }

  async #live(b: SearchBackend, sessionId: string, signal?: AbortSignal) {
    const doc = await b.get<SessionDoc>(this.#names.sessions, hash(sessionId), signal);
    return doc && !this.#expired(doc.source) ? doc : null;
  }

  /** Read-modify-write of a live session doc with optimistic concurrency, retried on conflict. */
  async #mutate(b: SearchBackend, sessionId: string, change: (s: SessionDoc) => void): Promise<SessionDoc> {
    const id = hash(sessionId);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await sleep(Math.random() * Math.min(50, 2 * attempt));
      const current = await this.#live(b, sessionId);
      if (!current) throw notFound(sessionId);
      const next = structuredClone(current.source);
      change(next);
      try {
        await b.index(this.#names.sessions, id, next as unknown as Record<string, unknown>, {
          ifSeqNo: current.seqNo,
          ifPrimaryTerm: current.primaryTerm,
          refresh: this.#refresh,
        });
        this.#wrote(this.#names.sessions);
        return next;
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
      }
    }
  }

  /** Delete the messages and dedupe records of session generations that no session doc points to. */
  async #purge(b: SearchBackend, gens: string[]): Promise<void> {
    if (gens.length === 0) return;
    for (const index of [this.#names.messages, this.#names.keys]) {
      await b.refresh(index); // delete_by_query only sees refreshed documents
      await b.deleteByQuery(index, { terms: { gen: gens } });
    }
  }

  #wrote(index: string): void {
    if (this.#refresh === "false") dirty.add(index);
  }

  async #refreshIfDirty(b: SearchBackend, index: string, force = false): Promise<void> {
    if (!force && !dirty.has(index)) return;
    dirty.delete(index);
    await b.refresh(index);
  }
}

function notFound(sessionId: string): NotFoundError {
  return new NotFoundError(`session ${JSON.stringify(sessionId)} does not exist`, { backend: BACKEND });
}

function toInfo(s: SessionDoc): SessionInfo {
  return {
    sessionId: s.session_id,
    userId: s.user_id,
    agentId: s.agent_id,
    status: s.status,
    metadata: JSON.parse(s.metadata) as JsonObject,
    createdAt: new Date(s.created_at),
    updatedAt: new Date(s.updated_at),
    expiresAt: s.expires_at === null ? null : new Date(s.expires_at),
    lastSeq: s.last_seq,
  };
}

function toMessage(m: MessageDoc): StoredMessage {
  return {
    id: m.message_id,
    sessionId: m.session_id,
    seq: m.seq,
    role: m.role,
    content: m.content,
    metadata: JSON.parse(m.metadata) as JsonObject,
    createdAt: new Date(m.created_at),
  };
}

function toSummary(sessionId: string, s: NonNullable<SessionDoc["summary"]>): Summary {
  return {
    sessionId,
    version: s.version,
    content: s.content,
    uptoSeq: s.uptoSeq,
    metadata: JSON.parse(s.metadata) as JsonObject,
    createdAt: new Date(s.created_at),
  };
}
