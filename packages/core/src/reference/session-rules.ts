import { ValidationError } from "../errors.js";
import type {
  AppendOptions,
  CreateSessionInput,
  ListSessionsQuery,
  MessageInput,
  MessageQuery,
  SessionInfo,
  SessionPatch,
  SummaryInput,
} from "../types/session.js";
import {
  assertDate,
  assertId,
  assertJsonObject,
  assertMessageInput,
  assertNonNegativeInteger,
  assertStorableText,
  clampLimit,
} from "../util/validate.js";

/**
 * Input checks shared by every session store, so every adapter rejects the same inputs with the same
 * typed errors before touching its driver. Adapters call these first, then do their I/O.
 */

export const MAX_BATCH = 1000;
export const MAX_READ = 10_000;
export const DEFAULT_READ = 1000;
export const MAX_LIST = 1000;
export const DEFAULT_LIST = 100;

export function checkCreateSession(input: CreateSessionInput, backend: string): void {
  const ctx = { backend };
  if (typeof input !== "object" || input === null)
    throw new ValidationError("createSession needs an object", ctx);
  assertId(input.sessionId, "sessionId", ctx);
  if (input.userId != null) assertId(input.userId, "userId", ctx);
  if (input.agentId != null) assertId(input.agentId, "agentId", ctx);
  if (input.status !== undefined) assertId(input.status, "status", ctx);
  if (input.metadata !== undefined) assertJsonObject(input.metadata, "metadata", ctx);
  if (input.expiresAt != null) assertDate(input.expiresAt, "expiresAt", ctx);
}

export function checkPatch(patch: SessionPatch, backend: string): void {
  const ctx = { backend };
  if (typeof patch !== "object" || patch === null)
    throw new ValidationError("updateSession needs a patch object", ctx);
  if (patch.userId != null) assertId(patch.userId, "userId", ctx);
  if (patch.agentId != null) assertId(patch.agentId, "agentId", ctx);
  if (patch.status !== undefined) assertId(patch.status, "status", ctx);
  if (patch.metadata !== undefined) assertJsonObject(patch.metadata, "metadata", ctx);
  if (patch.expiresAt != null) assertDate(patch.expiresAt, "expiresAt", ctx);
}

export function checkAppend(
  sessionId: string,
  messages: MessageInput[],
  options: AppendOptions | undefined,
  ctx: { backend: string; maxContentBytes: number },
): void {
  assertId(sessionId, "sessionId", ctx);
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ValidationError("appendMessages needs a non-empty array of messages", { backend: ctx.backend });
  }
  if (messages.length > MAX_BATCH) {
    throw new ValidationError(`at most ${MAX_BATCH} messages per batch (got ${messages.length})`, {
      backend: ctx.backend,
    });
  }
  const ids = new Set<string>();
  messages.forEach((m, i) => {
    assertMessageInput(m, i, ctx);
    if (m.id !== undefined) {
      if (ids.has(m.id))
        throw new ValidationError(`messages[${i}].id repeats an id of the same batch`, {
          backend: ctx.backend,
        });
      ids.add(m.id);
    }
  });
  if (options?.expiresAt != null) assertDate(options.expiresAt, "expiresAt", { backend: ctx.backend });
}

export interface NormalizedMessageQuery {
  last?: number;
  afterSeq: number;
  beforeSeq: number;
  limit: number;
  since?: Date;
}

export function checkMessageQuery(
  sessionId: string,
  query: MessageQuery,
  backend: string,
): NormalizedMessageQuery {
  const ctx = { backend };
  assertId(sessionId, "sessionId", ctx);
  if (typeof query !== "object" || query === null)
    throw new ValidationError("message query must be an object", ctx);
  const out: NormalizedMessageQuery = {
    afterSeq: 0,
    beforeSeq: Number.MAX_SAFE_INTEGER,
    limit: clampLimit(query.limit, DEFAULT_READ, MAX_READ, "limit", ctx),
  };
  if (query.last !== undefined) out.last = clampLimit(query.last, 1, MAX_READ, "last", ctx);
  if (query.afterSeq !== undefined) {
    assertNonNegativeInteger(query.afterSeq, "afterSeq", ctx);
    out.afterSeq = query.afterSeq;
  }
  if (query.beforeSeq !== undefined) {
    assertNonNegativeInteger(query.beforeSeq, "beforeSeq", ctx);
    out.beforeSeq = query.beforeSeq;
  }
  if (query.since !== undefined) {
    assertDate(query.since, "since", ctx);
    out.since = query.since;
  }
  return out;
}

export function checkSummary(sessionId: string, summary: SummaryInput, backend: string): void {
  const ctx = { backend };
  assertId(sessionId, "sessionId", ctx);
  if (typeof summary !== "object" || summary === null)
    throw new ValidationError("summary must be an object", ctx);
  assertStorableText(summary.content, "summary.content", ctx);
  assertNonNegativeInteger(summary.uptoSeq, "summary.uptoSeq", ctx);
  if (summary.metadata !== undefined) assertJsonObject(summary.metadata, "summary.metadata", ctx);
}

export function listLimit(query: ListSessionsQuery, backend: string): number {
  const ctx = { backend };
  if (query.userId !== undefined) assertId(query.userId, "userId", ctx);
  if (query.agentId !== undefined) assertId(query.agentId, "agentId", ctx);
  if (query.status !== undefined) assertId(query.status, "status", ctx);
  if (query.cursor != null && typeof query.cursor !== "string")
    throw new ValidationError("cursor must be a string", ctx);
  return clampLimit(query.limit, DEFAULT_LIST, MAX_LIST, "limit", ctx);
}

/** Messages with the id, metadata and createdAt they will be stored with. */
export interface PreparedMessage {
  id: string;
  role: string;
  content: string;
  metadata: Record<string, never> | NonNullable<MessageInput["metadata"]>;
  createdAt: Date;
}

export function prepareMessages(messages: MessageInput[], now: Date): PreparedMessage[] {
  return messages.map((m) => ({
    id: m.id ?? crypto.randomUUID(),
    role: m.role,
    content: m.content,
    metadata: m.metadata ?? {},
    createdAt: m.createdAt ?? now,
  }));
}

export function isExpired(info: Pick<SessionInfo, "expiresAt">, now: Date): boolean {
  return info.expiresAt !== null && info.expiresAt.getTime() <= now.getTime();
}

/** Deep copy that keeps Dates (structuredClone does). */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
