import {
  type AppendOptions,
  assertId,
  BackendError,
  type CallOptions,
  ConfigError,
  ConflictError,
  type CreateSessionInput,
  decodeCursor,
  encodeCursor,
  type ListSessionsQuery,
  type MessageInput,
  type MessageQuery,
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
import { BSON, type Db, type Filter, MongoClient, type WithId } from "mongodb";
import { Appender } from "./appender.js";
import {
  batchMessages,
  complete,
  knownMaterialized,
  newestBatch,
  readWindow,
  STALE_BATCH_MS,
  stripBefore,
  WINDOW,
} from "./batches.js";
import {
  encodeJson,
  expiryFields,
  type Head,
  headOf,
  isLive,
  liveFilter,
  type MessageDoc,
  newToken,
  type PendingMessageDoc,
  pendingToMessageDoc,
  pendingToStored,
  type SessionDoc,
  toSessionInfo,
  toStoredMessage,
  toSummary,
} from "./documents.js";
import { ignoreUnavailable, isDuplicateKey, mapError, notFound } from "./errors.js";
import { type Collections, type MetaDoc, openCollections, runSetup } from "./schema.js";
import {
  BACKEND,
  checkOptions,
  DEFAULT_DATABASE,
  DEFAULT_PREFIX,
  DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
  DEFAULT_URI,
  databaseFromUri,
  type MongoSessionStoreOptions,
  secretsOfUri,
} from "./settings.js";

export const MONGODB_SESSION_CAPABILITIES: SessionCapabilities = {
  fullTextSearch: false,
  persistent: true,
  // The TTL index (MongoDB only) reclaims session documents a day after expiry; their rows need prune().
  nativeExpiry: false,
  multiProcess: true,
  maxContentBytes: 8 * 1024 * 1024,
};

/** A message row must stay under MongoDB's 16 MiB document limit (with room for field names). */
const MAX_MESSAGE_DOC_BYTES = 16 * 1024 * 1024 - 16 * 1024;
/** Version-number races (summaries) before giving up. */
const MAX_COMMIT_ATTEMPTS = 100;
/** Intent chunks older than this whose batch never committed are garbage (their writer died). */
const ORPHAN_INTENT_MS = 60 * 60 * 1000;

type Session = WithId<SessionDoc>;

/**
 * Session store on MongoDB and MongoDB-wire servers (FerretDB). Appends are atomic, idempotent and
 * gap-free without transactions or atomic updates: see `batches.ts` and the README.
 */
export class MongoSessionStore implements SessionStore {
  readonly backend = BACKEND;
  readonly capabilities = MONGODB_SESSION_CAPABILITIES;
  /** The driver client (yours, if you passed one: then close() leaves it open). */
  readonly client: MongoClient;
  readonly databaseName: string;
  readonly collectionPrefix: string;
  readonly #db: Db;
  readonly #cols: Collections;
  readonly #ownsClient: boolean;
  readonly #secrets: string[];
  readonly #ttlIndex: boolean;
  readonly #appender: Appender;
  #closed = false;

  constructor(options: MongoSessionStoreOptions = {}) {
    checkOptions(options);
    let uri: string | undefined;
    if (options.client) {
      this.client = options.client;
      this.#ownsClient = false;
      this.#secrets = [];
    } else {
      uri = options.uri ?? DEFAULT_URI;
      this.#secrets = secretsOfUri(uri);
      try {
        this.client = new MongoClient(uri, {
          serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
          appName: "langswarm-memory",
        });
      } catch (error) {
        // Whatever the driver refuses while parsing the connection string is a configuration error.
        const mapped = mapError(error, this.#secrets);
        throw mapped instanceof ConfigError
          ? mapped
          : new ConfigError(`invalid connection string: ${mapped.message}`, { backend: BACKEND, key: "uri" });
      }
      this.#ownsClient = true;
    }
    this.databaseName =
      options.database ??
      (uri !== undefined ? (databaseFromUri(uri) ?? DEFAULT_DATABASE) : this.client.db().databaseName);
    this.collectionPrefix = options.collectionPrefix ?? DEFAULT_PREFIX;
    this.#ttlIndex = options.ttlIndex ?? true;
    // Always the primary: the duplicate check must see every write acknowledged before it.
    this.#db = this.client.db(this.databaseName, { readPreference: "primary" });
    this.#cols = openCollections(this.#db, this.collectionPrefix);
    this.#appender = new Appender(this.#cols, this.#secrets, (sessionId) =>
      this.#requireLive(sessionId, undefined),
    );
  }

  /** The database handle the store uses (for tests and tooling). */
  get db(): Db {
    return this.#db;
  }

  /** Create the collections and indexes (versioned migrations; safe to run from several processes). */
  async setup(options?: CallOptions): Promise<void> {
    await this.#run(options, async () => {
      await runSetup(this.#db, this.collectionPrefix, this.#cols, this.#ttlIndex);
    });
  }

  /** What setup() recorded: schema version and whether the TTL index exists. */
  async schemaInfo(options?: CallOptions): Promise<MetaDoc | null> {
    return this.#run(options, (signal) => this.#cols.meta.findOne({ _id: "schema" }, withSignal(signal)));
  }

  async createSession(input: CreateSessionInput, options?: CallOptions): Promise<SessionInfo> {
    return this.#run(options, async (signal) => {
      sessionRules.checkCreateSession(input, BACKEND);
      for (let attempt = 0; attempt < 8; attempt++) {
        const current = await this.#current(input.sessionId, signal);
        const now = new Date();
        if (current && isLive(current, now)) {
          throw new ConflictError(`session ${JSON.stringify(input.sessionId)} already exists`, {
            backend: BACKEND,
          });
        }
        // A new incarnation: unique (sessionId, inc) lets exactly one concurrent creator win.
        const doc = newSessionDoc(input, (current?.inc ?? 0) + 1, now);
        try {
          await this.#cols.sessions.insertOne(doc);
        } catch (error) {
          if (isDuplicateKey(error)) continue;
          throw error;
        }
        if (current) await this.#dropIncarnationsBelow(input.sessionId, doc.inc).catch(ignoreUnavailable);
        return toSessionInfo(doc, headOf(null));
      }
      throw new ConflictError(
        `session ${JSON.stringify(input.sessionId)} is being created concurrently; retry`,
        { backend: BACKEND },
      );
    });
  }

  async getSession(sessionId: string, options?: CallOptions): Promise<SessionInfo | null> {
    return this.#run(options, async (signal) => {
      assertId(sessionId, "sessionId", { backend: BACKEND });
      const session = await this.#current(sessionId, signal);
      if (!session || !isLive(session, new Date())) return null;
      return toSessionInfo(session, await this.#head(session, signal));
    });
  }

  async updateSession(sessionId: string, patch: SessionPatch, options?: CallOptions): Promise<SessionInfo> {
    return this.#run(options, async (signal) => {
      assertId(sessionId, "sessionId", { backend: BACKEND });
      sessionRules.checkPatch(patch, BACKEND);
      const session = await this.#requireLive(sessionId, signal);
      const now = new Date();
      const set: Partial<SessionDoc> = { updatedAt: now };
      if (patch.userId !== undefined) set.userId = patch.userId;
      if (patch.agentId !== undefined) set.agentId = patch.agentId;
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.metadata !== undefined) set.metadata = encodeJson(patch.metadata);
      if (patch.expiresAt !== undefined) Object.assign(set, expiryFields(patch.expiresAt));
      const result = await this.#cols.sessions.updateOne(
        { _id: session._id, ...liveFilter(now) },
        { $set: set },
      );
      if (result.matchedCount === 0) throw notFound(sessionId);
      return toSessionInfo({ ...session, ...set }, await this.#head(session, signal));
    });
  }

  async deleteSession(sessionId: string, options?: CallOptions): Promise<boolean> {
    return this.#run(options, async (signal) => {
      assertId(sessionId, "sessionId", { backend: BACKEND });
      const current = await this.#current(sessionId, signal);
      if (!current) return false;
      const live = isLive(current, new Date());
      // This and any older incarnation; never a newer one a concurrent createSession just made.
      // Each document goes before its rows: from then on no reader sees the session.
      const docs = await this.#cols.sessions
        .find({ sessionId, inc: { $lte: current.inc } }, { projection: { gen: 1 } })
        .toArray();
      for (const doc of docs) {
        await this.#cols.sessions.deleteOne({ _id: doc._id });
        await this.#dropRows(doc.gen);
      }
      return live;
    });
  }

  async listSessions(query: ListSessionsQuery = {}, options?: CallOptions): Promise<Page<SessionInfo>> {
    return this.#run(options, async (signal) => {
      if (typeof query !== "object" || query === null)
        throw new ValidationError("list query must be an object", { backend: BACKEND });
      const limit = sessionRules.listLimit(query, BACKEND);
      const after = query.cursor
        ? decodeCursor<{ t: number; id: string }>(query.cursor, { t: "number", id: "string" }, BACKEND)
        : null;
      const and: Filter<SessionDoc>[] = [liveFilter(new Date())];
      if (query.userId !== undefined) and.push({ userId: query.userId });
      if (query.agentId !== undefined) and.push({ agentId: query.agentId });
      if (query.status !== undefined) and.push({ status: query.status });
      if (after) {
        const t = new Date(after.t);
        and.push({ $or: [{ createdAt: { $lt: t } }, { createdAt: t, sessionId: { $lt: after.id } }] });
      }
      const rows = await this.#cols.sessions
        .find(
          { $and: and },
          { sort: { createdAt: -1, sessionId: -1 }, limit: limit + 1, ...withSignal(signal) },
        )
        .toArray();
      const page = rows.slice(0, limit);
      const heads = await Promise.all(page.map((s) => this.#head(s, signal)));
      const items = page.map((s, i) => toSessionInfo(s, heads[i]!));
      const last = items[items.length - 1];
      const nextCursor =
        rows.length > limit && last
          ? encodeCursor({ t: last.createdAt.getTime(), id: last.sessionId })
          : null;
      return { items, nextCursor };
    });
  }

  async appendMessages(
    sessionId: string,
    messages: MessageInput[],
    options?: AppendOptions,
  ): Promise<StoredMessage[]> {
    return this.#run(options, async (signal) => {
      sessionRules.checkAppend(sessionId, messages, options, {
        backend: BACKEND,
        maxContentBytes: this.capabilities.maxContentBytes,
      });
      const prepared = sessionRules.prepareMessages(messages, new Date());
      const encoded: PendingMessageDoc[] = prepared.map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        metadata: encodeJson(m.metadata),
        createdAt: new Date(m.createdAt.getTime()),
      }));
      encoded.forEach((m, i) => {
        if (
          BSON.calculateObjectSize(pendingToMessageDoc(sessionId, newToken(), 1, m)) > MAX_MESSAGE_DOC_BYTES
        ) {
          throw new ValidationError(`messages[${i}] is larger than a MongoDB document may be (16 MiB)`, {
            backend: BACKEND,
          });
        }
      });
      // Ids the store generated are fresh UUIDs: only caller-supplied ids can already exist.
      const supplied = new Set(messages.flatMap((m) => (m.id === undefined ? [] : [m.id])));
      return this.#appender.append(sessionId, { encoded, supplied, expiresAt: options?.expiresAt, signal });
    });
  }

  async getMessages(
    sessionId: string,
    query: MessageQuery = {},
    options?: CallOptions,
  ): Promise<StoredMessage[]> {
    return this.#run(options, async (signal) => {
      const q = sessionRules.checkMessageQuery(sessionId, query, BACKEND);
      const session = await this.#requireLive(sessionId, signal);
      const window = await readWindow(this.#cols, session.gen, { bodies: true, signal });
      const known = knownMaterialized(window);
      // The snapshot: the newest batch's end. Rows of later batches are never looked at.
      const upper = Math.min(q.beforeSeq, headOf(window[0]).lastSeq + 1);
      if (upper <= q.afterSeq + 1) return [];
      const filter: Filter<MessageDoc> = {
        sessionId,
        gen: session.gen,
        seq: { $gt: q.afterSeq, $lt: upper },
      };
      if (q.since) filter.createdAt = { $gte: q.since };
      const rows = await this.#cols.messages
        .find(filter, {
          sort: { seq: q.last !== undefined ? -1 : 1 },
          limit: q.last ?? q.limit,
          projection: { _id: 0 },
          ...withSignal(signal),
        })
        .toArray();
      const bySeq = new Map<number, StoredMessage>(rows.map((r) => [r.seq, toStoredMessage(r)]));
      // Committed batches whose rows may not all be in the messages collection yet.
      for (const batch of window) {
        if (known.has(batch.k) || batch.start >= upper || batch.start + batch.n - 1 <= q.afterSeq) continue;
        const pending = await batchMessages(this.#cols, batch, signal);
        pending.forEach((m, i) => {
          const seq = batch.start + i;
          if (
            seq > q.afterSeq &&
            seq < upper &&
            (!q.since || m.createdAt.getTime() >= q.since.getTime()) &&
            !bySeq.has(seq)
          ) {
            bySeq.set(seq, pendingToStored(sessionId, seq, m));
          }
        });
      }
      const sorted = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
      return q.last !== undefined ? sorted.slice(-q.last) : sorted.slice(0, q.limit);
    });
  }

  async putSummary(sessionId: string, summary: SummaryInput, options?: CallOptions): Promise<Summary> {
    return this.#run(options, async (signal) => {
      sessionRules.checkSummary(sessionId, summary, BACKEND);
      const session = await this.#requireLive(sessionId, signal);
      for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
        const newest = await this.#cols.summaries.findOne(
          { gen: session.gen },
          { sort: { version: -1 }, projection: { version: 1 } },
        );
        const doc = {
          sessionId,
          gen: session.gen,
          version: (newest?.version ?? 0) + 1,
          content: summary.content,
          uptoSeq: summary.uptoSeq,
          metadata: encodeJson(summary.metadata),
          createdAt: new Date(),
        };
        try {
          // Unique (gen, version): versions are gap-free and two writers never share one.
          await this.#cols.summaries.insertOne(doc);
          return toSummary(doc);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      throw new ConflictError(
        `summary of session ${JSON.stringify(sessionId)} kept colliding with concurrent writers; retry`,
        {
          backend: BACKEND,
        },
      );
    });
  }

  async getSummary(sessionId: string, options?: CallOptions): Promise<Summary | null> {
    return this.#run(options, async (signal) => {
      assertId(sessionId, "sessionId", { backend: BACKEND });
      const session = await this.#requireLive(sessionId, signal);
      const doc = await this.#cols.summaries.findOne(
        { gen: session.gen },
        { sort: { version: -1 }, ...withSignal(signal) },
      );
      return doc ? toSummary(doc) : null;
    });
  }

  async getWatermark(sessionId: string, name: string, options?: CallOptions): Promise<number> {
    return this.#run(options, async (signal) => {
      assertId(sessionId, "sessionId", { backend: BACKEND });
      assertId(name, "watermark name", { backend: BACKEND });
      const session = await this.#requireLive(sessionId, signal);
      const doc = await this.#cols.watermarks.findOne(
        { gen: session.gen, name },
        { sort: { value: -1 }, ...withSignal(signal) },
      );
      return doc?.value ?? 0;
    });
  }

  async setWatermark(sessionId: string, name: string, value: number, options?: CallOptions): Promise<void> {
    await this.#run(options, async (signal) => {
      assertId(sessionId, "sessionId", { backend: BACKEND });
      assertId(name, "watermark name", { backend: BACKEND });
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new ValidationError("watermark must be a non-negative integer", { backend: BACKEND });
      }
      const session = await this.#requireLive(sessionId, signal);
      // The watermark is the highest value stored, so concurrent setters can only raise it.
      try {
        await this.#cols.watermarks.insertOne({ sessionId, gen: session.gen, name, value });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      // Lower values are dead weight; deleting them never lowers the maximum.
      await this.#cols.watermarks.deleteMany({ gen: session.gen, name, value: { $lt: value } });
    });
  }

  /**
   * Delete expired sessions with all their data, finish batches whose writer died before marking
   * them, and drop intent chunks of batches that never committed. Returns the sessions removed.
   */
  async prune(options?: CallOptions & { now?: Date }): Promise<number> {
    return this.#run(options, async (signal) => {
      const now = options?.now ?? new Date();
      let removed = 0;
      const expired = await this.#cols.sessions
        .find(
          { expiresAt: { $lte: now } },
          { projection: { sessionId: 1, inc: 1, gen: 1 }, ...withSignal(signal) },
        )
        .toArray();
      for (const doc of expired) {
        const newest = await this.#cols.sessions.findOne(
          { sessionId: doc.sessionId },
          { sort: { inc: -1 }, projection: { inc: 1 } },
        );
        const result = await this.#cols.sessions.deleteOne({ _id: doc._id, expiresAt: { $lte: now } });
        if (result.deletedCount === 0) continue;
        await this.#dropRows(doc.gen);
        if (!newest || newest.inc <= doc.inc) removed++;
      }
      // Batches no later batch vouches for: mark the old ones in bulk, finish the ones left by a writer
      // that died between its commit and its rows.
      const stale = await this.#cols.batches
        .find(
          { mat: false, k: { $gt: 0 }, at: { $lt: new Date(Date.now() - STALE_BATCH_MS) } },
          { projection: { gen: 1 }, ...withSignal(signal) },
        )
        .toArray();
      for (const gen of new Set(stale.map((b) => b.gen))) {
        const window = await readWindow(this.#cols, gen, { bodies: false });
        if (window[0]) await stripBefore(this.#cols, gen, window[0].k - WINDOW);
        const known = knownMaterialized(window);
        for (const batch of window) if (!known.has(batch.k)) await complete(this.#cols, batch);
      }
      const oldIntents = await this.#cols.intents
        .find({ at: { $lt: new Date(Date.now() - ORPHAN_INTENT_MS) } }, { projection: { token: 1 } })
        .toArray();
      for (const token of new Set(oldIntents.map((i) => i.token))) {
        const owner = await this.#cols.batches.findOne({ token }, { projection: { mat: 1 } });
        if (!owner || owner.mat) await this.#cols.intents.deleteMany({ token });
      }
      return removed;
    });
  }

  /**
   * Remove rows whose session document no longer exists (deleted by the TTL monitor, or by a
   * delete that was interrupted). Scans whole collections: run it rarely. Returns the rows removed.
   */
  async sweepOrphans(options?: CallOptions): Promise<number> {
    return this.#run(options, async (signal) => {
      let removed = 0;
      const { messages, batches, claims, summaries, watermarks, intents } = this.#cols;
      for (const collection of [messages, batches, claims, summaries, watermarks, intents]) {
        throwIfAborted(signal, BACKEND);
        const gens = await collection.distinct("gen", {});
        for (const gen of gens as string[]) {
          if (await this.#cols.sessions.findOne({ gen }, { projection: { _id: 1 } })) continue;
          removed += (await collection.deleteMany({ gen })).deletedCount;
        }
      }
      return removed;
    });
  }

  /** Close the client if the store created it; a caller-supplied client stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) await this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---------------------------------------------------------------------------------------------

  /** The current (highest) incarnation of a session id, live or not. */
  async #current(sessionId: string, signal: AbortSignal | undefined): Promise<Session | null> {
    return this.#cols.sessions.findOne({ sessionId }, { sort: { inc: -1 }, ...withSignal(signal) });
  }

  async #requireLive(sessionId: string, signal: AbortSignal | undefined): Promise<Session> {
    const session = await this.#current(sessionId, signal);
    if (!session || !isLive(session, new Date())) throw notFound(sessionId);
    return session;
  }

  async #head(session: Session, signal: AbortSignal | undefined): Promise<Head> {
    return headOf(await newestBatch(this.#cols, session.gen, signal));
  }

  /** Delete every row keyed by an incarnation (its document must already be gone). */
  async #dropRows(gen: string): Promise<void> {
    const { batches, claims, messages, intents, summaries, watermarks } = this.#cols;
    await Promise.all(
      [batches, claims, messages, intents, summaries, watermarks].map((c) => c.deleteMany({ gen })),
    );
  }

  /** Older incarnations of a re-created session: rows first, so prune can redo an interrupted cleanup. */
  async #dropIncarnationsBelow(sessionId: string, inc: number): Promise<void> {
    const old = await this.#cols.sessions
      .find({ sessionId, inc: { $lt: inc } }, { projection: { gen: 1 } })
      .toArray();
    for (const doc of old) {
      await this.#dropRows(doc.gen);
      await this.#cols.sessions.deleteOne({ _id: doc._id });
    }
  }

  async #run<T>(
    options: CallOptions | undefined,
    body: (signal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T> {
    const signal = options?.signal;
    throwIfAborted(signal, BACKEND);
    if (this.#closed) throw new BackendError("the store is closed", { backend: BACKEND });
    try {
      return await body(signal);
    } catch (error) {
      throw mapError(error, this.#secrets, signal);
    }
  }
}

function newSessionDoc(input: CreateSessionInput, inc: number, now: Date): SessionDoc {
  return {
    sessionId: input.sessionId,
    inc,
    gen: newToken(),
    userId: input.userId ?? null,
    agentId: input.agentId ?? null,
    status: input.status ?? "active",
    metadata: encodeJson(input.metadata),
    createdAt: now,
    updatedAt: new Date(now.getTime()),
    ...expiryFields(input.expiresAt ? new Date(input.expiresAt.getTime()) : null),
  };
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
