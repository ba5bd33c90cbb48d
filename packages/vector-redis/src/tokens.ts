import { createHash } from "node:crypto";
import type { FilterScalar, MetadataValue } from "@langswarm/memory-core";

/**
 * Typed equality tokens: the one representation of a metadata value that both engines filter on.
 *
 * A token is a type letter and the value's UTF-8 bytes in hex (`s` string, `n` number, `b` boolean),
 * or `h` + SHA-256 for strings longer than 32 bytes. Tokens therefore:
 * - keep types apart (`"1"`, `1` and `true` never match each other, as core's `===` semantics want);
 * - hold only [a-z0-9], so no value can end a quoted FILTER literal or act as RediSearch query syntax,
 *   and nothing needs escaping (RediSearch would also trim, case-fold and split raw tag values);
 * - have a bounded length whatever the value's size.
 */
const MAX_PLAIN_BYTES = 32;

export function valueToken(value: FilterScalar): string {
  if (typeof value === "boolean") return value ? "b1" : "b0";
  if (typeof value === "number") return `n${hex(numberText(value))}`;
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length <= MAX_PLAIN_BYTES) return `s${bytes.toString("hex")}`;
  return `h${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The token for "this field is present and not null" (never a value token: those start with s/n/b/h). */
export const PRESENT = "p";

/** The scalar values of a metadata value that equality filters can match (arrays match nothing). */
export function isScalar(value: MetadataValue | undefined): value is FilterScalar {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** Present in core's sense: the key exists and is not null (arrays count). */
export function isPresent(value: MetadataValue | undefined): boolean {
  return value !== undefined && value !== null;
}

/** Shortest round-trip text of a number; -0 and 0 give the same text, as `===` treats them alike. */
function numberText(value: number): string {
  return Object.is(value, -0) ? "0" : String(value);
}

function hex(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}
