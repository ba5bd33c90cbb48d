import { DimensionMismatchError, ValidationError } from "../errors.js";
import { METADATA_KEY_PATTERN } from "../filter/parse.js";
import type { JsonObject } from "../types/common.js";
import type { MessageInput } from "../types/session.js";
import type { MetadataValue, VectorMetadata } from "../types/vector.js";

/**
 * Input rules shared by every adapter, so a hostile value gets the same typed error everywhere and
 * nothing that cannot round-trip (NUL, lone surrogates) ever reaches a driver.
 */
export const MAX_ID_BYTES = 512;
/** SQL identifiers (table / schema / index names): quoted as well, but this keeps them boring. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;
/** Key prefixes (Redis, Elasticsearch index prefixes): no spaces, globs, braces or quotes. */
export const KEY_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{0,64}$/;

type Ctx = { backend?: string };
const opts = (ctx: Ctx) => (ctx.backend ? { backend: ctx.backend } : {});

export function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8"); // ~10x faster than TextEncoder, and on every append
}

/** Text that every backend can store and give back unchanged. */
export function assertStorableText(text: unknown, what: string, ctx: Ctx = {}): asserts text is string {
  if (typeof text !== "string")
    throw new ValidationError(`${what} must be a string, got ${typeof text}`, opts(ctx));
  if (text.includes("\u0000"))
    throw new ValidationError(`${what} must not contain NUL characters`, opts(ctx));
  if (!text.isWellFormed()) throw new ValidationError(`${what} contains a lone UTF-16 surrogate`, opts(ctx));
}

/** Session ids, message ids, vector ids, user and agent ids. Any text is data; limits are about size. */
export function assertId(id: unknown, what: string, ctx: Ctx = {}): asserts id is string {
  assertStorableText(id, what, ctx);
  if (id.length === 0) throw new ValidationError(`${what} must not be empty`, opts(ctx));
  if (byteLength(id) > MAX_ID_BYTES) {
    throw new ValidationError(`${what} is longer than ${MAX_ID_BYTES} bytes`, opts(ctx));
  }
}

export function assertIdentifier(name: unknown, what: string, ctx: Ctx = {}): asserts name is string {
  if (typeof name !== "string" || !IDENTIFIER_PATTERN.test(name)) {
    throw new ValidationError(
      `${what} must match ${IDENTIFIER_PATTERN} (got ${JSON.stringify(String(name).slice(0, 80))})`,
      opts(ctx),
    );
  }
}

/** JSON metadata (sessions, messages, summaries): plain objects, finite numbers, storable strings. */
export function assertJsonObject(value: unknown, what: string, ctx: Ctx = {}): asserts value is JsonObject {
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > 32) throw new ValidationError(`${what}${path} is nested deeper than 32 levels`, opts(ctx));
    if (v === null || typeof v === "boolean") return;
    if (typeof v === "string") {
      assertStorableText(v, `${what}${path}`, ctx);
      return;
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new ValidationError(`${what}${path} must be a finite number`, opts(ctx));
      return;
    }
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, `${path}[${i}]`, depth + 1);
      return;
    }
    if (typeof v === "object" && isPlainObject(v)) {
      for (const [key, item] of Object.entries(v)) {
        assertStorableText(key, `${what}${path} key`, ctx);
        walk(item, `${path}.${key}`, depth + 1);
      }
      return;
    }
    throw new ValidationError(`${what}${path} must be JSON (got ${typeof v})`, opts(ctx));
  };
  if (typeof value !== "object" || value === null || Array.isArray(value) || !isPlainObject(value)) {
    throw new ValidationError(`${what} must be a plain object`, opts(ctx));
  }
  walk(value, "", 0);
}

export function assertMessageInput(
  message: unknown,
  index: number,
  ctx: Ctx & { maxContentBytes?: number } = {},
): asserts message is MessageInput {
  const what = `messages[${index}]`;
  if (typeof message !== "object" || message === null)
    throw new ValidationError(`${what} must be an object`, opts(ctx));
  const m = message as MessageInput;
  if (m.id !== undefined) assertId(m.id, `${what}.id`, ctx);
  assertId(m.role, `${what}.role`, ctx);
  assertStorableText(m.content, `${what}.content`, ctx);
  if (ctx.maxContentBytes !== undefined && byteLength(m.content) > ctx.maxContentBytes) {
    throw new ValidationError(`${what}.content is larger than ${ctx.maxContentBytes} bytes`, opts(ctx));
  }
  if (m.metadata !== undefined) assertJsonObject(m.metadata, `${what}.metadata`, ctx);
  if (m.createdAt !== undefined) assertDate(m.createdAt, `${what}.createdAt`, ctx);
}

export function assertDate(value: unknown, what: string, ctx: Ctx = {}): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(`${what} must be a valid Date`, opts(ctx));
  }
}

export function assertNonNegativeInteger(
  value: unknown,
  what: string,
  ctx: Ctx = {},
): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${what} must be a non-negative integer`, opts(ctx));
  }
}

export function clampLimit(
  value: number | undefined,
  fallback: number,
  max: number,
  what: string,
  ctx: Ctx = {},
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new ValidationError(`${what} must be an integer between 1 and ${max}`, opts(ctx));
  }
  return value;
}

/**
 * Check a vector against the index dimension and copy it into a Float32Array. Empty, wrong-length,
 * NaN or infinite vectors fail loudly; nothing is truncated or padded.
 */
export function toVector(vector: unknown, dimension: number, what: string, ctx: Ctx = {}): Float32Array {
  if (!(Array.isArray(vector) || ArrayBuffer.isView(vector)) || vector instanceof DataView) {
    throw new ValidationError(`${what} must be an array of numbers`, opts(ctx));
  }
  const values = vector as ArrayLike<number>;
  if (values.length !== dimension)
    throw new DimensionMismatchError(dimension, values.length, { ...opts(ctx), what });
  const out = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ValidationError(`${what}[${i}] must be a finite number (got ${String(v)})`, opts(ctx));
    }
    out[i] = v;
    if (!Number.isFinite(out[i]!)) throw new ValidationError(`${what}[${i}] overflows float32`, opts(ctx));
  }
  return out;
}

/** Vector metadata: filterable keys and scalar (or string-array) values only. */
export function assertVectorMetadata(
  value: unknown,
  what: string,
  ctx: Ctx = {},
): asserts value is VectorMetadata {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !isPlainObject(value)) {
    throw new ValidationError(`${what} must be a plain object`, opts(ctx));
  }
  for (const [key, v] of Object.entries(value)) {
    if (!METADATA_KEY_PATTERN.test(key)) {
      throw new ValidationError(
        `${what} key ${JSON.stringify(key.slice(0, 80))} must match ${METADATA_KEY_PATTERN}`,
        opts(ctx),
      );
    }
    assertMetadataValue(v, `${what}.${key}`, ctx);
  }
}

function assertMetadataValue(v: unknown, what: string, ctx: Ctx): asserts v is MetadataValue {
  if (v === null || typeof v === "boolean") return;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new ValidationError(`${what} must be a finite number`, opts(ctx));
    return;
  }
  if (typeof v === "string") return assertStorableText(v, what, ctx);
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (typeof item !== "string") throw new ValidationError(`${what}[${i}] must be a string`, opts(ctx));
      assertStorableText(item, `${what}[${i}]`, ctx);
    });
    return;
  }
  throw new ValidationError(`${what} must be a string, number, boolean, null or string[]`, opts(ctx));
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
