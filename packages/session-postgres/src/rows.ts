import type { JsonObject, SessionInfo, StoredMessage } from "@langswarm/memory-core";

/** Rows as pg returns them: bigint as string, jsonb parsed, timestamptz as Date. */
export interface SessionRow {
  session_id: string;
  user_id: string | null;
  agent_id: string | null;
  status: string;
  metadata: JsonObject;
  created_at: Date;
  updated_at: Date;
  expires_at: Date | null;
  last_seq: string | number;
}

export interface MessageRow {
  seq: string | number | null;
  message_id: string | null;
  role: string | null;
  content: string | null;
  metadata: JsonObject | null;
  created_at: Date | null;
}

export function toSessionInfo(row: SessionRow): SessionInfo {
  return {
    sessionId: row.session_id,
    userId: row.user_id,
    agentId: row.agent_id,
    status: row.status,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    lastSeq: Number(row.last_seq),
  };
}

export function toMessage(sessionId: string, row: MessageRow): StoredMessage {
  return {
    id: row.message_id!,
    sessionId,
    seq: Number(row.seq),
    role: row.role!,
    content: row.content!,
    metadata: row.metadata!,
    createdAt: row.created_at!,
  };
}
