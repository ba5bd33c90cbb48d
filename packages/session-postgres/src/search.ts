import {
  assertDate,
  assertId,
  assertStorableText,
  byteLength,
  clampLimit,
  decodeCursor,
  type SearchMessagesQuery,
  ValidationError,
} from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 1000;
/** Longer search text is a mistake (or an attack on the parser), not a query. */
export const MAX_SEARCH_BYTES = 4096;

/** Separates ts_headline fragments; a control character no prose uses. */
const FRAGMENT_DELIMITER = "\u001e";
/** ts_headline options, bound as a parameter. Up to 3 fragments of 8-30 words around the matches. */
export const HEADLINE_OPTIONS = `StartSel=<mark>, StopSel=</mark>, MaxFragments=3, MinWords=8, MaxWords=30, FragmentDelimiter="${FRAGMENT_DELIMITER}"`;

export interface CheckedSearch {
  limit: number;
  sessionId?: string;
  userId?: string;
  agentId?: string;
  from?: Date;
  to?: Date;
  after?: { s: number; id: string; q: number };
}

export function checkSearch(text: unknown, query: SearchMessagesQuery): CheckedSearch {
  const ctx = { backend: BACKEND };
  assertStorableText(text, "search text", ctx);
  if (text.trim().length === 0) throw new ValidationError("search text must not be empty", ctx);
  if (byteLength(text) > MAX_SEARCH_BYTES)
    throw new ValidationError(`search text is longer than ${MAX_SEARCH_BYTES} bytes`, ctx);
  if (typeof query !== "object" || query === null)
    throw new ValidationError("search query must be an object", ctx);
  const out: CheckedSearch = {
    limit: clampLimit(query.limit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, "limit", ctx),
  };
  if (query.sessionId !== undefined) {
    assertId(query.sessionId, "sessionId", ctx);
    out.sessionId = query.sessionId;
  }
  if (query.userId !== undefined) {
    assertId(query.userId, "userId", ctx);
    out.userId = query.userId;
  }
  if (query.agentId !== undefined) {
    assertId(query.agentId, "agentId", ctx);
    out.agentId = query.agentId;
  }
  if (query.from !== undefined) {
    assertDate(query.from, "from", ctx);
    out.from = query.from;
  }
  if (query.to !== undefined) {
    assertDate(query.to, "to", ctx);
    out.to = query.to;
  }
  if (query.cursor != null) {
    if (typeof query.cursor !== "string") throw new ValidationError("cursor must be a string", ctx);
    const after = decodeCursor<{ s: number; id: string; q: number }>(
      query.cursor,
      { s: "number", id: "string", q: "number" },
      BACKEND,
    );
    if (!Number.isSafeInteger(after.q) || after.q < 0) throw new ValidationError("invalid cursor", ctx);
    out.after = after;
  }
  return out;
}

/** ts_headline's output as fragments. Content that itself holds the delimiter stays one fragment. */
export function splitHeadline(headline: string, content: string): string[] {
  if (headline.length === 0) return [];
  if (content.includes(FRAGMENT_DELIMITER)) return [headline];
  return headline.split(FRAGMENT_DELIMITER).filter((fragment) => fragment.length > 0);
}
