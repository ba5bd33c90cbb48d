import { randomUUID } from "node:crypto";
import type { JsonObject, SessionInfo, StoredMessage, Summary } from "@langswarm/memory-core";

/**
 * The shapes stored in MongoDB and their conversions. User data only ever appears as field VALUES:
 * metadata objects are stored as JSON strings (so keys with `$` or `.` round-trip and can never be read
 * as operators), and no field name or dotted path is ever built from user input.
 */

/**
 * One incarnation of a session id. Re-creating an expired (or deleted) session inserts incarnation
 * `inc + 1` with a fresh random `gen`; every other document of the session is keyed by `gen`, so rows of
 * a dead incarnation can never show up in a new one. Appends never write this document.
 */
export interface SessionDoc {
  sessionId: string;
  inc: number;
  gen: string;
  userId: string | null;
  agentId: string | null;
  status: string;
  /** JSON text of the metadata object. */
  metadata: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  /** expiresAt + a grace period: the field the optional TTL index watches. */
  ttlAt: Date | null;
}

/** A message as written inside a batch (inline or in an intent chunk) before it has its own row. */
export interface PendingMessageDoc {
  id: string;
  role: string;
  content: string;
  metadata: string;
  createdAt: Date;
}

/**
 * The k-th append of a session incarnation: its insertion is the commit point (unique `(gen, k)`).
 * It holds seqs `start .. start + n - 1` with `start` = previous batch's end + 1, so seqs are gap-free
 * by construction. Until its messages are copied into the messages collection (`mat`), it also
 * carries them (inline `m`, or `x` intent chunks) and their ids.
 */
export interface BatchDoc {
  /** `<gen>:<k>` for a commit (so the commit key is the primary key), `<gen>:abort:<token>` for an abort marker. */
  _id: string;
  sessionId: string;
  gen: string;
  /** The id claims of this batch carry this token (unique: a batch commits or is aborted once). */
  token: string;
  /** > 0: committed batch number. < 0 (random): an abort marker, the batch may never commit. */
  k: number;
  start: number;
  n: number;
  /** Commit time (client clock): becomes the session's updatedAt. */
  at: Date;
  mat: boolean;
  ids?: string[];
  m?: PendingMessageDoc[];
  /** Number of intent chunks (`<prefix>intents`, keyed by `token`) holding the messages of a large batch. */
  x?: number;
  /** Set on abort markers. */
  aborted?: boolean;
  /** Batches of this incarnation whose rows this batch's writer had written when it committed. */
  done?: number[];
}

/**
 * Claims a message id for a batch before it commits (unique `(gen, messageId)`): the duplicate check is
 * an insert, so it never has to search the messages. A claim whose batch never commits is released by
 * inserting an abort marker for its token (see batches.ts).
 */
export interface ClaimDoc {
  sessionId: string;
  gen: string;
  messageId: string;
  token: string;
  at: Date;
}

export interface MessageDoc {
  sessionId: string;
  gen: string;
  seq: number;
  messageId: string;
  role: string;
  content: string;
  metadata: string;
  createdAt: Date;
}

export interface IntentDoc {
  _id: string;
  sessionId: string;
  gen: string;
  token: string;
  part: number;
  at: Date;
  m: PendingMessageDoc[];
}

/** Insert-only: version v+1 exists only if its insert won the unique `(gen, version)` key. */
export interface SummaryDoc {
  sessionId: string;
  gen: string;
  version: number;
  content: string;
  uptoSeq: number;
  metadata: string;
  createdAt: Date;
}

/** Insert-only: the watermark is the highest `value` stored for `(gen, name)`. */
export interface WatermarkDoc {
  sessionId: string;
  gen: string;
  name: string;
  value: number;
}

export function batchId(gen: string, k: number): string {
  return `${gen}:${k}`;
}

export function newToken(): string {
  return randomUUID().replaceAll("-", "");
}

export function encodeJson(value: JsonObject | undefined): string {
  return JSON.stringify(value ?? {});
}

export function decodeJson(text: string | undefined): JsonObject {
  return text ? (JSON.parse(text) as JsonObject) : {};
}

/** Sessions are kept this long after `expiresAt` before the optional TTL index may delete them. */
export const TTL_GRACE_MS = 24 * 60 * 60 * 1000;

/** expiresAt and the TTL index's field (expiresAt + grace). */
export function expiryFields(expiresAt: Date | null): { expiresAt: Date | null; ttlAt: Date | null } {
  return { expiresAt, ttlAt: expiresAt ? new Date(expiresAt.getTime() + TTL_GRACE_MS) : null };
}

export function isLive(doc: { expiresAt: Date | null }, now: Date): boolean {
  return doc.expiresAt === null || doc.expiresAt.getTime() > now.getTime();
}

/** Matches sessions that have not expired at `now`. */
export function liveFilter(now: Date) {
  return { $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] };
}

/** The last seq and last change of a session, from its newest batch (none: 0 and the session's own). */
export interface Head {
  lastSeq: number;
  at: Date | null;
}

export function headOf(batch: Pick<BatchDoc, "start" | "n" | "at"> | undefined | null): Head {
  return batch ? { lastSeq: batch.start + batch.n - 1, at: batch.at } : { lastSeq: 0, at: null };
}

export function toSessionInfo(doc: SessionDoc, head: Head): SessionInfo {
  const updatedAt = head.at && head.at.getTime() > doc.updatedAt.getTime() ? head.at : doc.updatedAt;
  return {
    sessionId: doc.sessionId,
    userId: doc.userId ?? null,
    agentId: doc.agentId ?? null,
    status: doc.status,
    metadata: decodeJson(doc.metadata),
    createdAt: doc.createdAt,
    updatedAt: new Date(updatedAt.getTime()),
    expiresAt: doc.expiresAt ?? null,
    lastSeq: head.lastSeq,
  };
}

export function toStoredMessage(doc: MessageDoc): StoredMessage {
  return {
    id: doc.messageId,
    sessionId: doc.sessionId,
    seq: doc.seq,
    role: doc.role,
    content: doc.content,
    metadata: decodeJson(doc.metadata),
    createdAt: doc.createdAt,
  };
}

export function pendingToStored(sessionId: string, seq: number, m: PendingMessageDoc): StoredMessage {
  return {
    id: m.id,
    sessionId,
    seq,
    role: m.role,
    content: m.content,
    metadata: decodeJson(m.metadata),
    createdAt: m.createdAt,
  };
}

export function pendingToMessageDoc(
  sessionId: string,
  gen: string,
  seq: number,
  m: PendingMessageDoc,
): MessageDoc {
  return {
    sessionId,
    gen,
    seq,
    messageId: m.id,
    role: m.role,
    content: m.content,
    metadata: m.metadata,
    createdAt: m.createdAt,
  };
}

export function toSummary(doc: SummaryDoc): Summary {
  return {
    sessionId: doc.sessionId,
    version: doc.version,
    content: doc.content,
    uptoSeq: doc.uptoSeq,
    metadata: decodeJson(doc.metadata),
    createdAt: doc.createdAt,
  };
}
