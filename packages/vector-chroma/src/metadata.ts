import type { FilterNode, FilterScalar, VectorMetadata } from "@langswarm/memory-core";

/**
 * How LangSwarm metadata is stored in Chroma (whose metadata values are only strings, numbers and
 * booleans). User keys match core's METADATA_KEY_PATTERN, which has no ".", so every key with a "."
 * is ours and can never collide:
 * - a string, number or boolean value is stored as itself under its key (Chroma filters it);
 * - arrays and nulls cannot be stored by Chroma: they go, as JSON, into `langswarm.extra`;
 * - every key whose value is not null gets `langswarm.has.<key>: true`, so `$exists` is exact
 *   (Chroma has no $exists operator);
 * - `langswarm.doc` says whether the document is real or the "" that stands for null; it also keeps
 *   the metadata non-empty, which Chroma requires.
 */
export const EXTRA_KEY = "langswarm.extra";
/** true when the record has a document (Chroma cannot store a null document; we store ""). */
export const DOC_KEY = "langswarm.doc";
export const HAS_PREFIX = "langswarm.has.";
const RESERVED = "langswarm.";

export type ChromaScalar = string | number | boolean;
export type ChromaMetadata = Record<string, ChromaScalar>;
export type ChromaWhere = Record<string, unknown>;

export function encodeMetadata(metadata: VectorMetadata, hasDocument: boolean): ChromaMetadata {
  const out: ChromaMetadata = { [DOC_KEY]: hasDocument };
  const extra: Record<string, unknown> = {};
  let hasExtra = false;
  for (const [key, value] of Object.entries(metadata)) {
    if (value === null || Array.isArray(value)) {
      extra[key] = value;
      hasExtra = true;
    } else {
      out[key] = value;
    }
    if (value !== null) out[`${HAS_PREFIX}${key}`] = true;
  }
  if (hasExtra) out[EXTRA_KEY] = JSON.stringify(extra);
  return out;
}

/**
 * Chroma's upsert merges metadata into the stored record, and (measured on Chroma 1.0) a null value
 * does not remove a key. Ours replaces: a record whose stored metadata has a key the new one lacks
 * must be deleted and written again.
 */
export function losesKeys(next: ChromaMetadata, stored: Record<string, unknown> | null | undefined): boolean {
  if (!stored) return false;
  return Object.keys(stored).some((key) => !(key in next));
}

export function decodeMetadata(stored: Record<string, unknown> | null | undefined): VectorMetadata {
  const out: VectorMetadata = {};
  if (!stored) return out;
  for (const [key, value] of Object.entries(stored)) {
    if (key.startsWith(RESERVED)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      out[key] = value;
  }
  const extra = stored[EXTRA_KEY];
  if (typeof extra === "string") Object.assign(out, JSON.parse(extra) as VectorMetadata);
  return out;
}

/**
 * Translate core's filter tree to a Chroma `where` with exactly the semantics of core's matchesFilter,
 * as measured against Chroma 1.0: `$eq`/`$in` are type-exact (true never equals 1); `$ne`/`$nin` also
 * match records without the key (as core's do); `$gt`... compare numbers only (a string or boolean
 * never matches); arrays and nulls are not stored under the key, so they never equal anything, which is
 * what core does. Chroma refuses `$in` lists mixing types (integers and floats count as different
 * types) and `$and`/`$or` with one child, so those are split or unwrapped.
 */
export function toWhere(node: FilterNode): ChromaWhere {
  switch (node.type) {
    case "and":
      return combine("$and", node.children.map(toWhere));
    case "or":
      return combine("$or", node.children.map(toWhere));
    case "exists":
      return { [`${HAS_PREFIX}${node.field}`]: node.exists ? { $eq: true } : { $ne: true } };
    case "compare":
      return { [node.field]: { [node.op]: node.value } };
    case "set": {
      const groups = groupByChromaType(node.values);
      // Chroma refuses an empty list; core's $in [] matches nothing and $nin [] everything.
      if (groups.length === 0) return node.op === "$in" ? NOTHING : EVERYTHING;
      const parts = groups.map((values) => ({ [node.field]: { [node.op]: values } }));
      return combine(node.op === "$in" ? "$or" : "$and", parts);
    }
  }
}

// "langswarm.has." (no field name) is never written: $eq true matches nothing, $ne true everything.
const NOTHING: ChromaWhere = { [HAS_PREFIX]: { $eq: true } };
const EVERYTHING: ChromaWhere = { [HAS_PREFIX]: { $ne: true } };

function combine(op: "$and" | "$or", parts: ChromaWhere[]): ChromaWhere {
  return parts.length === 1 ? parts[0]! : { [op]: parts };
}

/** Chroma's value types: string, bool, int (i64), float. */
function groupByChromaType(values: FilterScalar[]): FilterScalar[][] {
  const groups = new Map<string, FilterScalar[]>();
  for (const v of values) {
    const kind =
      typeof v === "number" ? (Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? "int" : "float") : typeof v;
    const list = groups.get(kind) ?? [];
    if (!list.includes(v)) list.push(v);
    groups.set(kind, list);
  }
  return [...groups.values()];
}
