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
import { batch, commands, createOwnedClient, type RedisClient, runScript, scorePairs } from "./client.js";
import {
  decodeMessage,
  decodeSession,
  decodeSummary,
  encodedCreatedAt,
  encodeMessage,
  encodeSummary,
} from "./codec.js";
import { mapError, raceAbort } from "./errors.js";
import {
  encodeId,
  formatMembership,
  indexKey,
  indexKeys,
  isEncodedId,
  type Membership,
  membershipOf,
  parseMembership,
  type SessionKeys,
  type StoreKeys,
  sessionKeys,
  sessionKeysOf,
  storeKeys,
} from "./keys.js";
import {
  ALL_SCRIPTS,
  APPEND,
  CREATE,
  GET_SUMMARY,
  PUT_SUMMARY,
  RAISE_WATERMARK,
  READ,
  REMOVE,
  SESSION_FIELDS,
  SETUP,
  UNLIST_IF_DEAD,
  UPDATE,
} from "./scripts.js";
import {
  BACKEND,
  checkOptions,
  DEFAULT_KEY_PREFIX,
  DEFAULT_URL,
  type RedisSessionStoreOptions,
} from "./settings.js";

/** Version of the key layout; `setup()` records it under `<prefix>meta`. */
export const SCHEMA_VERSION = 1;

export const REDIS_SESSION_CAPABILITIES: SessionCapabilities = {
  fullTextSearch: false,
  persistent: true,
  nativeExpiry: true,
  multiProcess: true,
  maxContentBytes: 16 * 1024 * 1024,
};

/**
 * How often a script that found the session's index membership changed under it is retried. Every
 * round lets at least one contender through, so N concurrent movers of one session need at most N
 * rounds; the bound only stops a runaway.
 */
const MAX_ATTEMPTS = 100;
/** Seqs read per script call when `since` makes a read scan. */
const SCAN_WINDOW = 1000;
/** Dead listing entries one `listSessions` call may step over before returning a short page. */
const MAX_DEAD_PER_LIST = 10_000;
/** Expiry-schedule entries `prune()` handles per round. */
const PRUNE_BATCH = 200;
const WATERMARK_FIELD = "w:";
const KEY_CACHE_SIZE = 1024;

type Reply = unknown[];

/**
 * A LangSwarm session store on Redis (standalone or Sentinel, 6.2+). See the README for the key layout,
 * the atomicity argument and the durability assumptions.
 */
export class RedisSessionStore implements SessionStore {
  readonly backend = BACKEND;
  readonly capabilities = REDIS_SESSION_CAPABILITIES;
  readonly keyPrefix: string;
  readonly #client: RedisClient;
  readonly #owned: boolean;
  readonly #ttlMs: number | null;
  readonly #now: () => Date;
  readonly #keys: StoreKeys;
  #closed = false;
  readonly #keyCache = new Map<string, SessionKeys>();

  constructor(options: RedisSessionStoreOptions = {}) {
    checkOptions(options);
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.#keys = storeKeys(this.keyPrefix);
    this.#ttlMs = options.ttl !== undefined ? options.ttl * 1000 : null;
    this.#now = options.now ?? (() => new Date());
    if (options.client) {
      this.#client = options.client;
      this.#owned = false;
    } else {
      this.#client = createOwnedClient({
        url: options.url ?? DEFAULT_URL,
        ...(options.db !== undefined ? { db: options.db } : {}),
        connectTimeoutMs: options.connectTimeoutMs ?? 5000,
        commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
      }) as unknown as RedisClient;
      this.#owned = true;
    }
  }

  /** The ioredis client in use (the caller's, or the one this store owns). */
  get client(): RedisClient {
    return this.#client;
  }

  async setup(options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    const reply = await this.#script("setup", SETUP, [this.#keys.meta], [SCHEMA_VERSION]);
    if (reply[0] === "newer") {
      throw new ConfigError(
        `key prefix ${JSON.stringify(this.keyPrefix)} holds schema version ${reply[1]}, newer than this package's ${SCHEMA_VERSION}; upgrade @langswarm/session-redis`,
        { backend: BACKEND, key: "key_prefix" },
      );
    }
    // Load every script now so the first call of each needs no EVAL fallback.
    await this.#call("setup", () =>
      Promise.all(ALL_SCRIPTS.map((s) => commands.scriptLoad(this.#client, s.source))),
    );
  }

  async createSession(input: CreateSessionInput, options?: CallOptions): Promise<SessionInfo> {
    throwIfAborted(options?.signal, BACKEND);
    sessionRules.checkCreateSession(input, BACKEND);
    const now = this.#now().getTime();
    const expiresAt =
      input.expiresAt !== undefined
        ? input.expiresAt
        : this.#ttlMs !== null
          ? new Date(now + this.#ttlMs)
          : null;
    const info: SessionInfo = {
      sessionId: input.sessionId,
      userId: input.userId ?? null,
      agentId: input.agentId ?? null,
      status: input.status ?? "active",
      metadata: structuredClone(input.metadata ?? {}),
      createdAt: new Date(now),
      updatedAt: new Date(now),
      expiresAt: expiresAt ? new Date(expiresAt.getTime()) : null,
      lastSeq: 0,
    };
    const keys = this.#sessionKeys(input.sessionId);
    const membership = membershipOf(info.userId, info.agentId, info.status);
    const newIndexes = indexKeys(this.keyPrefix, membership);
    // Optimistic: assume no leftovers of an earlier session with this id; the script says otherwise.
    let expected = "";
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) await backoff(attempt);
      const oldIndexes = indexKeys(this.keyPrefix, parseMembership(expected));
      const reply = await this.#script(
        "createSession",
        CREATE,
        [...this.#sessionKeyList(keys), ...oldIndexes, ...newIndexes],
        [
          keys.member,
          now,
          expected,
          formatMembership(membership),
          oldIndexes.length,
          info.sessionId,
          info.userId ?? "",
          info.agentId ?? "",
          info.status,
          JSON.stringify(info.metadata),
          info.expiresAt ? info.expiresAt.getTime() : "",
        ],
      );
      if (reply[0] === "conflict")
        throw new ConflictError(`session ${JSON.stringify(input.sessionId)} already exists`, {
          backend: BACKEND,
        });
      if (reply[0] === "ok") return info;
      expected = String(reply[1]);
    }
    throw this.#contended("createSession");
  }

  async getSession(sessionId: string, options?: CallOptions): Promise<SessionInfo | null> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const keys = this.#sessionKeys(sessionId);
    const fields = await this.#call(
      "getSession",
      () => commands.hmget(this.#client, keys.session, SESSION_FIELDS),
      options,
    );
    const info = decodeSession(fields);
    return info && !sessionRules.isExpired(info, this.#now()) ? info : null;
  }

  async updateSession(sessionId: string, patch: SessionPatch, options?: CallOptions): Promise<SessionInfo> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    sessionRules.checkPatch(patch, BACKEND);
    const keys = this.#sessionKeys(sessionId);
    const flag = (present: boolean) => (present ? "1" : "0");
    // Only a change of user, agent or status moves the session between listing indexes; any other
    // patch needs no membership guard (and no pre-read).
    const moves = patch.userId !== undefined || patch.agentId !== undefined || patch.status !== undefined;
    let expected = moves ? await this.#membership(keys, "updateSession") : "*";
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const before = moves ? parseMembership(expected) : null;
      const after = before ? patchMembership(before, patch) : null;
      const oldIndexes = indexKeys(this.keyPrefix, before);
      const newIndexes = indexKeys(this.keyPrefix, after);
      const now = this.#now().getTime();
      const reply = await this.#script(
        "updateSession",
        UPDATE,
        [...this.#sessionKeyList(keys), ...oldIndexes, ...newIndexes],
        [
          keys.member,
          now,
          expected,
          after ? formatMembership(after) : expected,
          oldIndexes.length,
          flag(patch.userId !== undefined),
          patch.userId ?? "",
          flag(patch.agentId !== undefined),
          patch.agentId ?? "",
          flag(patch.status !== undefined),
          patch.status ?? "",
          flag(patch.metadata !== undefined),
          patch.metadata !== undefined ? JSON.stringify(patch.metadata) : "",
          flag(patch.expiresAt !== undefined),
          patch.expiresAt ? patch.expiresAt.getTime() : "",
        ],
      );
      if (reply[0] === "notfound") throw notFound(sessionId);
      if (reply[0] === "ok") return decodeSession(reply.slice(1) as string[])!;
      expected = String(reply[1]);
    }
    throw this.#contended("updateSession");
  }

  async deleteSession(sessionId: string, options?: CallOptions): Promise<boolean> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const keys = this.#sessionKeys(sessionId);
    const result = await this.#remove(keys, false, this.#now().getTime(), "deleteSession");
    return result.wasLive;
  }

  async listSessions(query: ListSessionsQuery = {}, options?: CallOptions): Promise<Page<SessionInfo>> {
    throwIfAborted(options?.signal, BACKEND);
    const limit = sessionRules.listLimit(query, BACKEND);
    let pos: { t: number; m: string } | null = null;
    if (query.cursor) {
      pos = decodeCursor<{ t: number; m: string }>(query.cursor, { t: "number", m: "string" }, BACKEND);
      if (!isEncodedId(pos.m)) throw new ValidationError("invalid cursor", { backend: BACKEND });
    }
    const index = indexKey(this.keyPrefix, {
      user: query.userId !== undefined ? encodeId(query.userId) : undefined,
      agent: query.agentId !== undefined ? encodeId(query.agentId) : undefined,
      status: query.status !== undefined ? encodeId(query.status) : undefined,
    });
    const now = this.#now();
    const items: { info: SessionInfo; member: string }[] = [];
    const dead: string[] = [];
    let skip = 0;
    let truncated = false;
    // Walk the index newest first in keyset order (score, member), fetching only as many sessions as
    // the page still needs; entries whose session is gone or expired are stepped over.
    while (items.length <= limit) {
      const want = limit + 1 - items.length;
      const raw = await this.#call(
        "listSessions",
        () =>
          commands.zrevrangeByScoreWithScores(this.#client, index, pos ? pos.t : "+inf", "-inf", skip, want),
        options,
      );
      const entries = scorePairs(raw);
      const from = pos;
      const fresh = entries.filter((e) => !from || e.score < from.t || e.member < from.m);
      const last = entries[entries.length - 1];
      if (last) {
        const sameScore = entries.filter((e) => e.score === last.score).length;
        skip = from && last.score === from.t ? skip + entries.length : sameScore;
        // Move the position forward only: entries the cursor already covered must not pull it back.
        if (!from || last.score < from.t || last.member < from.m) pos = { t: last.score, m: last.member };
      }
      const rows = await this.#call(
        "listSessions",
        () =>
          batch(
            this.#client,
            fresh.map((e) => ["hmget", sessionKeysOf(this.keyPrefix, e.member).session, ...SESSION_FIELDS]),
          ) as Promise<(string | null)[][]>,
        options,
      );
      fresh.forEach((entry, i) => {
        const info = decodeSession(rows[i]!);
        if (!info || sessionRules.isExpired(info, now)) {
          dead.push(entry.member);
          return;
        }
        // The index is updated in the same script as the session, so a mismatch can only be a change
        // that landed between our two reads: the entry has already moved; skip it.
        if (info.createdAt.getTime() !== entry.score) return;
        if (query.userId !== undefined && info.userId !== query.userId) return;
        if (query.agentId !== undefined && info.agentId !== query.agentId) return;
        if (query.status !== undefined && info.status !== query.status) return;
        items.push({ info, member: entry.member });
      });
      if (entries.length < want) break;
      if (dead.length >= MAX_DEAD_PER_LIST) {
        truncated = true;
        break;
      }
    }
    if (dead.length > 0) {
      const t = now.getTime();
      await this.#call("listSessions", () =>
        Promise.all(
          dead.map((member) =>
            runScript(
              this.#client,
              UNLIST_IF_DEAD,
              [index, sessionKeysOf(this.keyPrefix, member).session],
              [member, t],
            ),
          ),
        ),
      );
    }
    const page = items.slice(0, limit);
    const lastItem = page[page.length - 1];
    let nextCursor: string | null = null;
    if (items.length > limit && lastItem)
      nextCursor = encodeCursor({ t: lastItem.info.createdAt.getTime(), m: lastItem.member });
    else if (truncated && pos) nextCursor = encodeCursor(pos);
    return { items: page.map((i) => i.info), nextCursor };
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
    const prepared = sessionRules.prepareMessages(messages, now);
    const keys = this.#sessionKeys(sessionId);
    let mode = "keep";
    let value: string | number = "";
    if (options?.expiresAt !== undefined) {
      mode = options.expiresAt === null ? "clear" : "set";
      value = options.expiresAt === null ? "" : options.expiresAt.getTime();
    } else if (this.#ttlMs !== null) {
      mode = "slide";
      value = this.#ttlMs;
    }
    const args: (string | number)[] = [keys.member, now.getTime(), mode, value, prepared.length];
    for (const m of prepared) args.push(m.id, encodeMessage(m));
    const reply = await this.#script(
      "appendMessages",
      APPEND,
      [keys.session, keys.messages, keys.dedupe, keys.summaries, this.#keys.expiry],
      args,
    );
    if (reply[0] === "notfound") throw notFound(sessionId);
    return prepared.map((m, i) => {
      const seq = Number(reply[3 + 2 * i]);
      const stored = reply[4 + 2 * i] as string;
      if (stored !== "") return decodeMessage(sessionId, seq, stored);
      // The stored copy is the serialized one, so handing back the caller's metadata object aliases nothing we keep.
      return {
        id: m.id,
        sessionId,
        seq,
        role: m.role,
        content: m.content,
        metadata: m.metadata,
        createdAt: m.createdAt,
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
    const keys = this.#sessionKeys(sessionId);
    const now = this.#now().getTime();
    const read = async (after: number, before: number, count: number, direction: "f" | "b") => {
      const reply = await this.#script(
        "getMessages",
        READ,
        [keys.session, keys.messages],
        [now, after, before, count, direction],
        options,
      );
      if (reply[0] === "notfound") throw notFound(sessionId);
      return { first: Number(reply[2]), values: reply.slice(3) as string[] };
    };
    const decodeFrom = (first: number, values: string[]) =>
      values.map((v, i) => decodeMessage(sessionId, first + i, v));
    if (!q.since) {
      const { first, values } =
        q.last !== undefined
          ? await read(q.afterSeq, q.beforeSeq, q.last, "b")
          : await read(q.afterSeq, q.beforeSeq, q.limit, "f");
      return decodeFrom(first, values);
    }
    // `since` filters on createdAt, which need not follow seq: scan windows from the cursor end
    // (newest first for `last`), keeping matches, until enough are found or the range is exhausted.
    const since = q.since.getTime();
    const out: StoredMessage[] = [];
    if (q.last !== undefined) {
      let before = q.beforeSeq;
      while (out.length < q.last) {
        const { first, values } = await read(q.afterSeq, before, SCAN_WINDOW, "b");
        for (let i = values.length - 1; i >= 0 && out.length < q.last; i--) {
          if (encodedCreatedAt(values[i]!) >= since)
            out.push(decodeMessage(sessionId, first + i, values[i]!));
        }
        if (values.length === 0 || first <= q.afterSeq + 1) break;
        before = first;
      }
      return out.reverse();
    }
    let after = q.afterSeq;
    while (out.length < q.limit) {
      const { first, values } = await read(after, q.beforeSeq, SCAN_WINDOW, "f");
      for (let i = 0; i < values.length && out.length < q.limit; i++) {
        if (encodedCreatedAt(values[i]!) >= since) out.push(decodeMessage(sessionId, first + i, values[i]!));
      }
      if (values.length < SCAN_WINDOW) break;
      after = first + values.length - 1;
    }
    return out;
  }

  async putSummary(sessionId: string, summary: SummaryInput, options?: CallOptions): Promise<Summary> {
    throwIfAborted(options?.signal, BACKEND);
    sessionRules.checkSummary(sessionId, summary, BACKEND);
    const keys = this.#sessionKeys(sessionId);
    const stored = {
      content: summary.content,
      uptoSeq: summary.uptoSeq,
      metadata: structuredClone(summary.metadata ?? {}),
      createdAt: this.#now(),
    };
    const reply = await this.#script(
      "putSummary",
      PUT_SUMMARY,
      [keys.session, keys.summaries],
      [stored.createdAt.getTime(), encodeSummary(stored)],
    );
    if (reply[0] === "notfound") throw notFound(sessionId);
    return { sessionId, version: Number(reply[1]), ...stored };
  }

  async getSummary(sessionId: string, options?: CallOptions): Promise<Summary | null> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    const keys = this.#sessionKeys(sessionId);
    const reply = await this.#script(
      "getSummary",
      GET_SUMMARY,
      [keys.session, keys.summaries],
      [this.#now().getTime()],
      options,
    );
    if (reply[0] === "notfound") throw notFound(sessionId);
    const version = Number(reply[1]);
    if (version === 0 || reply[2] === "") return null;
    return decodeSummary(sessionId, version, reply[2] as string);
  }

  async getWatermark(sessionId: string, name: string, options?: CallOptions): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    const keys = this.#sessionKeys(sessionId);
    const [id, ea, value] = await this.#call(
      "getWatermark",
      () => commands.hmget(this.#client, keys.session, ["id", "ea", WATERMARK_FIELD + name]),
      options,
    );
    if (!id || (ea && Number(ea) <= this.#now().getTime())) throw notFound(sessionId);
    return value ? Number(value) : 0;
  }

  async setWatermark(sessionId: string, name: string, value: number, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    assertId(sessionId, "sessionId", { backend: BACKEND });
    assertId(name, "watermark name", { backend: BACKEND });
    if (!Number.isSafeInteger(value) || value < 0)
      throw new ValidationError("watermark must be a non-negative integer", { backend: BACKEND });
    const keys = this.#sessionKeys(sessionId);
    const reply = await this.#script(
      "setWatermark",
      RAISE_WATERMARK,
      [keys.session],
      [this.#now().getTime(), WATERMARK_FIELD + name, value],
    );
    if (reply[0] === "notfound") throw notFound(sessionId);
  }

  /**
   * Remove every session whose expiry has passed, with its messages, summaries and index entries.
   * Visits only the expiry schedule (a sorted set by expiresAt), never the keyspace. Sessions Redis
   * already expired natively are counted too: their index entries are removed here.
   */
  async prune(options?: CallOptions & { now?: Date }): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    const now = (options?.now ?? this.#now()).getTime();
    const seen = new Set<string>();
    let removed = 0;
    for (;;) {
      throwIfAborted(options?.signal, BACKEND);
      const due = (await this.#call("prune", () =>
        commands.zrangeByScore(this.#client, this.#keys.expiry, "-inf", now, 0, PRUNE_BATCH),
      )) as string[];
      const todo = due.filter((member) => !seen.has(member));
      if (todo.length === 0) break;
      for (const member of todo) seen.add(member);
      const results = await Promise.all(
        todo.map((member) => this.#remove(sessionKeysOf(this.keyPrefix, member), true, now, "prune")),
      );
      removed += results.filter((r) => r.removed).length;
      if (due.length < PRUNE_BATCH) break;
    }
    return removed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned) return;
    try {
      await this.#client.quit();
    } catch {
      this.#client.disconnect();
    }
  }

  // ---------------------------------------------------------------- internals

  #sessionKeyList(keys: SessionKeys): string[] {
    return [keys.session, keys.messages, keys.dedupe, keys.summaries, this.#keys.registry, this.#keys.expiry];
  }

  async #membership(keys: SessionKeys, action: string): Promise<string> {
    return (
      (await this.#call(action, () => commands.hget(this.#client, this.#keys.registry, keys.member))) ?? ""
    );
  }

  /** Delete a session's keys and index entries (guarded by its membership; retried if it moved). */
  async #remove(
    keys: SessionKeys,
    onlyIfExpired: boolean,
    now: number,
    action: string,
  ): Promise<{ wasLive: boolean; removed: boolean }> {
    let expected = await this.#membership(keys, action);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const indexes = indexKeys(this.keyPrefix, parseMembership(expected));
      const reply = await this.#script(
        action,
        REMOVE,
        [...this.#sessionKeyList(keys), ...indexes],
        [keys.member, now, expected, onlyIfExpired ? "1" : "0"],
      );
      if (reply[0] === "live") return { wasLive: true, removed: false };
      if (reply[0] === "done") return { wasLive: Number(reply[1]) === 1, removed: Number(reply[2]) === 1 };
      expected = String(reply[1]);
    }
    throw this.#contended(action);
  }

  #script(
    action: string,
    script: typeof SETUP,
    keys: string[],
    args: (string | number)[],
    options?: CallOptions,
  ): Promise<Reply> {
    return this.#call(action, () => runScript(this.#client, script, keys, args), options);
  }

  /**
   * Keys of a session, from a small bounded cache: the same sessions are appended to and read over
   * and over, and encoding a 512-byte id on every call is wasted work.
   */
  #sessionKeys(sessionId: string): SessionKeys {
    let keys = this.#keyCache.get(sessionId);
    if (!keys) {
      if (this.#keyCache.size >= KEY_CACHE_SIZE) this.#keyCache.clear();
      keys = sessionKeys(this.keyPrefix, sessionId);
      this.#keyCache.set(sessionId, keys);
    }
    return keys;
  }

  /** Run a driver call, mapping its failures; reads pass their options so an abort stops the wait. */
  #call<T>(action: string, fn: () => Promise<T>, options?: CallOptions): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = raceAbort(fn(), options?.signal);
    } catch (error) {
      return Promise.reject(mapError(error, action));
    }
    return pending.catch((error: unknown) => {
      throw mapError(error, action);
    });
  }

  #contended(action: string): BackendError {
    return new BackendError(
      `${action}: the session's index entries kept changing under concurrent writers; retry`,
      { backend: BACKEND },
    );
  }
}

/** Short randomized pause between optimistic retries, so contenders stop colliding in lockstep. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(2 ** attempt, 20);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function patchMembership(before: Membership, patch: SessionPatch): Membership {
  return {
    user: patch.userId === undefined ? before.user : patch.userId === null ? "" : encodeId(patch.userId),
    agent: patch.agentId === undefined ? before.agent : patch.agentId === null ? "" : encodeId(patch.agentId),
    status: patch.status === undefined ? before.status : encodeId(patch.status),
  };
}

function notFound(sessionId: string): NotFoundError {
  return new NotFoundError(
    `session ${JSON.stringify(sessionId.length > 80 ? `${sessionId.slice(0, 80)}…` : sessionId)} does not exist`,
    { backend: BACKEND },
  );
}
