import type { JsonObject, SessionInfo, StoredMessage, Summary } from "@langswarm/memory-core";
import { BackendError } from "@langswarm/memory-core";
import { BACKEND } from "./settings.js";

/**
 * Stored encodings. Messages are JSON arrays with createdAt first, so the value is compact and a
 * future script could read the timestamp without a JSON parser. `seq` is never inside the value: it
 * is the hash field.
 */
type EncodedMessage = [createdAtMs: number, id: string, role: string, content: string, metadata: JsonObject];

export function encodeMessage(m: {
  id: string;
  role: string;
  content: string;
  metadata: JsonObject;
  createdAt: Date;
}): string {
  const value: EncodedMessage = [m.createdAt.getTime(), m.id, m.role, m.content, m.metadata];
  return JSON.stringify(value);
}

export function decodeMessage(sessionId: string, seq: number, text: string): StoredMessage {
  const [createdAt, id, role, content, metadata] = parse(text, "message") as EncodedMessage;
  return { id, sessionId, seq, role, content, metadata, createdAt: new Date(createdAt) };
}

/** The createdAt of an encoded message without parsing the whole value (for `since` filtering). */
export function encodedCreatedAt(text: string): number {
  return Number(text.slice(1, text.indexOf(",")));
}

type EncodedSummary = [createdAtMs: number, content: string, uptoSeq: number, metadata: JsonObject];

export function encodeSummary(s: {
  content: string;
  uptoSeq: number;
  metadata: JsonObject;
  createdAt: Date;
}): string {
  const value: EncodedSummary = [s.createdAt.getTime(), s.content, s.uptoSeq, s.metadata];
  return JSON.stringify(value);
}

export function decodeSummary(sessionId: string, version: number, text: string): Summary {
  const [createdAt, content, uptoSeq, metadata] = parse(text, "summary") as EncodedSummary;
  return { sessionId, version, content, uptoSeq, metadata, createdAt: new Date(createdAt) };
}

/**
 * A SessionInfo from the session hash fields in SESSION_FIELDS order (id u a st md ca ua ea ls), with
 * "" or null for absent fields. Returns null when the hash does not exist.
 */
export function decodeSession(fields: readonly (string | null | undefined)[]): SessionInfo | null {
  const [id, u, a, st, md, ca, ua, ea, ls] = fields;
  if (!id) return null;
  return {
    sessionId: id,
    userId: u ? u : null,
    agentId: a ? a : null,
    status: st ?? "active",
    metadata: parse(md || "{}", "session metadata") as JsonObject,
    createdAt: new Date(Number(ca)),
    updatedAt: new Date(Number(ua)),
    expiresAt: ea ? new Date(Number(ea)) : null,
    lastSeq: Number(ls ?? 0),
  };
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BackendError(
      `a stored ${what} is not valid JSON (was the key prefix shared with other data?)`,
      { backend: BACKEND },
    );
  }
}
