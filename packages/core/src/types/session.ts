import type { CallOptions, JsonObject, Page } from "./common.js";

export type MessageRole = "system" | "user" | "assistant" | "tool" | (string & {});

/** What a caller appends. `id` makes the append idempotent; the manager always assigns one. */
export interface MessageInput {
  id?: string;
  role: MessageRole;
  content: string;
  metadata?: JsonObject;
  /** Defaults to the time of the append. Never used for ordering: `seq` is. */
  createdAt?: Date;
}

export interface StoredMessage {
  id: string;
  sessionId: string;
  /** Per-session, strictly increasing, gap-free from 1, assigned by the store. */
  seq: number;
  role: MessageRole;
  content: string;
  metadata: JsonObject;
  createdAt: Date;
}

export type SessionStatus = "active" | "archived" | "closed" | (string & {});

export interface SessionInfo {
  sessionId: string;
  userId: string | null;
  agentId: string | null;
  status: SessionStatus;
  metadata: JsonObject;
  createdAt: Date;
  updatedAt: Date;
  /** Absolute expiry. An expired session is invisible to every read and is removed by `prune()`. */
  expiresAt: Date | null;
  /** Highest `seq` assigned so far (0 when the session has no messages). */
  lastSeq: number;
}

export interface CreateSessionInput {
  sessionId: string;
  userId?: string | null;
  agentId?: string | null;
  status?: SessionStatus;
  metadata?: JsonObject;
  expiresAt?: Date | null;
}

/** Fields to change; omitted fields stay. `metadata` replaces the whole object. */
export interface SessionPatch {
  userId?: string | null;
  agentId?: string | null;
  status?: SessionStatus;
  metadata?: JsonObject;
  expiresAt?: Date | null;
}

export interface ListSessionsQuery {
  userId?: string;
  agentId?: string;
  status?: SessionStatus;
  /** 1..1000, default 100. */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | null;
}

/**
 * Which messages to read. Results are always in ascending `seq` order.
 * - `last: N` returns the newest N (optionally before `beforeSeq`).
 * - otherwise returns messages with `afterSeq < seq < beforeSeq`, oldest first, at most `limit`.
 * - `since` keeps only messages created at or after that time (applied with the above).
 */
export interface MessageQuery {
  last?: number;
  afterSeq?: number;
  beforeSeq?: number;
  /** Default 1000 when `last` is not given. */
  limit?: number;
  since?: Date;
}

export interface AppendOptions extends CallOptions {
  /** Set the session's expiry in the same atomic step as the append (sliding TTL). */
  expiresAt?: Date | null;
}

export interface SummaryInput {
  content: string;
  /** The highest message seq this summary covers. */
  uptoSeq: number;
  metadata?: JsonObject;
}

export interface Summary {
  sessionId: string;
  /** Assigned by the store: 1, 2, 3... per session. The highest version is the current summary. */
  version: number;
  content: string;
  uptoSeq: number;
  metadata: JsonObject;
  createdAt: Date;
}

/** Full-text search filters. `from` and `to` are inclusive bounds on the message's createdAt. */
export interface SearchMessagesQuery {
  sessionId?: string;
  userId?: string;
  agentId?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  cursor?: string | null;
}

export interface MessageSearchHit {
  message: StoredMessage;
  /** Relevance; higher is better. The range is the backend's (ts_rank, BM25): compare within one result. */
  score: number;
  /** Fragments of the content with matched terms wrapped in `<mark>` and `</mark>`. */
  highlights?: string[];
}

export interface SessionCapabilities {
  /** `searchMessages` is implemented (full-text over message content). */
  fullTextSearch: boolean;
  /** Data outlives the process (false for in-memory). */
  persistent: boolean;
  /** The server removes expired sessions by itself (Redis TTL, Mongo TTL index). */
  nativeExpiry: boolean;
  /** Several processes may share the store (false for in-memory; true for SQLite files). */
  multiProcess: boolean;
  /** The largest message content, in bytes, the store accepts (the suite checks up to this). */
  maxContentBytes: number;
}

/**
 * A session store keeps session metadata, the ordered history and summaries.
 * The conformance suite (`@langswarm/memory-conformance`) checks every rule written here.
 */
export interface SessionStore {
  readonly backend: string;
  readonly capabilities: SessionCapabilities;

  /** Create or migrate the schema. Idempotent; safe when two processes run it at once. */
  setup(options?: CallOptions): Promise<void>;

  /** Fails with ConflictError if a live session has the id; an expired one is replaced. */
  createSession(input: CreateSessionInput, options?: CallOptions): Promise<SessionInfo>;
  /** null when missing or expired. */
  getSession(sessionId: string, options?: CallOptions): Promise<SessionInfo | null>;
  /** NotFoundError when missing or expired. */
  updateSession(sessionId: string, patch: SessionPatch, options?: CallOptions): Promise<SessionInfo>;
  /** Deletes the session, its messages and summaries. Returns false when there was nothing. */
  deleteSession(sessionId: string, options?: CallOptions): Promise<boolean>;
  /** Newest first (createdAt desc, sessionId desc); expired sessions are never listed. */
  listSessions(query?: ListSessionsQuery, options?: CallOptions): Promise<Page<SessionInfo>>;

  /**
   * Append a batch atomically (all or nothing). Messages whose id is already stored in this
   * session are not stored again: their stored version is returned in their place. Returns one
   * StoredMessage per input, in input order. NotFoundError when the session is missing or expired.
   */
  appendMessages(
    sessionId: string,
    messages: MessageInput[],
    options?: AppendOptions,
  ): Promise<StoredMessage[]>;
  getMessages(sessionId: string, query?: MessageQuery, options?: CallOptions): Promise<StoredMessage[]>;

  /** Store a new summary version (previous version + 1). */
  putSummary(sessionId: string, summary: SummaryInput, options?: CallOptions): Promise<Summary>;
  /** The newest summary, or null. */
  getSummary(sessionId: string, options?: CallOptions): Promise<Summary | null>;

  /** Read a named per-session counter (e.g. the semantic indexer's watermark). 0 when unset. */
  getWatermark(sessionId: string, name: string, options?: CallOptions): Promise<number>;
  /** Raise a named per-session counter; never lowers it. */
  setWatermark(sessionId: string, name: string, value: number, options?: CallOptions): Promise<void>;

  /** Delete expired sessions with all their data. Returns how many sessions were removed. */
  prune(options?: CallOptions & { now?: Date }): Promise<number>;

  /** Full-text search; only when `capabilities.fullTextSearch`. */
  searchMessages?(
    text: string,
    query?: SearchMessagesQuery,
    options?: CallOptions,
  ): Promise<Page<MessageSearchHit>>;

  /** Release what the adapter owns. A caller-supplied client/pool is left open. */
  close(): Promise<void>;
}
