import type { JsonObject, SessionInfo, StoredMessage, Summary } from "@langswarm/memory-core";

/** Rows as better-sqlite3 returns them (integers are JS numbers: every value fits in 2^53). */
export interface SessionRow {
  session_id: string;
  user_id: string | null;
  agent_id: string | null;
  status: string;
  metadata: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  last_seq: number;
}

export interface MessageRow {
  session_id: string;
  seq: number;
  message_id: string;
  role: string;
  content: string;
  metadata: string;
  created_at: number;
}

export interface SummaryRow {
  session_id: string;
  version: number;
  content: string;
  upto_seq: number;
  metadata: string;
  created_at: number;
}

export const SESSION_COLUMNS =
  "session_id, user_id, agent_id, status, metadata, created_at, updated_at, expires_at, last_seq";
export const MESSAGE_COLUMNS = "session_id, seq, message_id, role, content, metadata, created_at";
export const SUMMARY_COLUMNS = "session_id, version, content, upto_seq, metadata, created_at";

export function toSessionInfo(row: SessionRow): SessionInfo {
  return {
    sessionId: row.session_id,
    userId: row.user_id,
    agentId: row.agent_id,
    status: row.status,
    metadata: JSON.parse(row.metadata) as JsonObject,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    lastSeq: row.last_seq,
  };
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    id: row.message_id,
    sessionId: row.session_id,
    seq: row.seq,
    role: row.role,
    content: row.content,
    metadata: JSON.parse(row.metadata) as JsonObject,
    createdAt: new Date(row.created_at),
  };
}

export function toSummary(row: SummaryRow): Summary {
  return {
    sessionId: row.session_id,
    version: row.version,
    content: row.content,
    uptoSeq: row.upto_seq,
    metadata: JSON.parse(row.metadata) as JsonObject,
    createdAt: new Date(row.created_at),
  };
}

/**
 * The session id as UTF-16BE bytes. SQLite compares BLOBs with memcmp, which on UTF-16BE is exactly
 * JavaScript's code-unit order (UTF-8 text would sort astral characters differently).
 */
export function idKey(sessionId: string): Buffer {
  return Buffer.from(sessionId, "utf16le").swap16();
}

export function isLive(expiresAt: number | null, now: number): boolean {
  return expiresAt === null || expiresAt > now;
}
