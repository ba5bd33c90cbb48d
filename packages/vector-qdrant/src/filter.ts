import type { FilterNode, FilterScalar } from "@langswarm/memory-core";
import { ARRAY_FIELDS_KEY, fieldPath } from "./payload.js";

/**
 * Qdrant's filter JSON (the subset this store sends). A `Filter` is also a condition, so clauses nest.
 * https://qdrant.tech/documentation/concepts/filtering/
 */
export interface QdrantFilter {
  must?: QdrantCondition[];
  should?: QdrantCondition[];
  must_not?: QdrantCondition[];
}
export type QdrantCondition =
  | QdrantFilter
  | { key: string; match: { value: string | boolean } | { any: string[] } }
  | { key: string; range: { gt?: number; gte?: number; lt?: number; lte?: number } }
  | { is_empty: { key: string } }
  | { has_id: string[] };

/** A condition no point satisfies (`$in: []`): Qdrant matches no point for an empty id list. */
export const NOTHING: QdrantCondition = { has_id: [] };

/**
 * Translate a parsed filter into a Qdrant filter with exactly the semantics of core's `matchesFilter`:
 *
 * - strings and booleans: `match.value` (Qdrant's match is typed: `true` never matches 1 or "true");
 * - numbers: `range` with gte = lte = value, because `match.value` takes no floats and an integer
 *   match would miss the same number stored as a float (7 vs 7.0); `range` reads numbers only, so a
 *   string "7" or a boolean never matches, as in the reference;
 * - `$ne` / `$nin` are `must_not` around the positive condition: a point without the field (or with
 *   null, or with an array under that name, which lives elsewhere) fails the inner condition and so
 *   passes, as the DSL demands. (`match.except` would not do: Qdrant skips points lacking the field.)
 * - `$exists: true` is "present and not null": `is_empty` is true for a missing field, null or `[]`,
 *   and metadata scalars are never arrays, so NOT is_empty on `metadata.<f>`; string arrays (stored
 *   apart) count as present through `_array_fields`, even when empty.
 * - `$gt $gte $lt $lte`: `range`, which matches numeric values only.
 */
export function filterToQdrant(node: FilterNode | null): QdrantFilter | undefined {
  if (!node) return undefined;
  if (node.type === "and") return { must: node.children.map(toCondition) };
  const condition = toCondition(node);
  // A lone nested filter can stand as the whole filter.
  return isFilter(condition) ? condition : { must: [condition] };
}

export function toCondition(node: FilterNode): QdrantCondition {
  switch (node.type) {
    case "and":
      return { must: node.children.map(toCondition) };
    case "or":
      return { should: node.children.map(toCondition) };
    case "exists": {
      const present: QdrantFilter = {
        should: [
          { must_not: [{ is_empty: { key: fieldPath(node.field) } }] },
          { key: ARRAY_FIELDS_KEY, match: { value: node.field } },
        ],
      };
      return node.exists ? present : { must_not: [present] };
    }
    case "set": {
      const anyOf = setCondition(node.field, node.values);
      return node.op === "$in" ? anyOf : { must_not: [anyOf] };
    }
    case "compare": {
      switch (node.op) {
        case "$eq":
          return equals(node.field, node.value);
        case "$ne":
          return { must_not: [equals(node.field, node.value)] };
        case "$gt":
          return { key: fieldPath(node.field), range: { gt: node.value } };
        case "$gte":
          return { key: fieldPath(node.field), range: { gte: node.value } };
        case "$lt":
          return { key: fieldPath(node.field), range: { lt: node.value } };
        case "$lte":
          return { key: fieldPath(node.field), range: { lte: node.value } };
      }
    }
  }
}

function equals(field: string, value: FilterScalar): QdrantCondition {
  const key = fieldPath(field);
  if (typeof value === "number") return { key, range: { gte: value, lte: value } };
  return { key, match: { value } };
}

/** `$in`: strings in one `match.any`, each number a point range, each boolean a typed match. */
function setCondition(field: string, values: readonly FilterScalar[]): QdrantCondition {
  const key = fieldPath(field);
  const strings = [...new Set(values.filter((v): v is string => typeof v === "string"))];
  const numbers = [...new Set(values.filter((v): v is number => typeof v === "number"))];
  const booleans = [...new Set(values.filter((v): v is boolean => typeof v === "boolean"))];
  const alternatives: QdrantCondition[] = [];
  if (strings.length === 1) alternatives.push({ key, match: { value: strings[0]! } });
  else if (strings.length > 1) alternatives.push({ key, match: { any: strings } });
  for (const n of numbers) alternatives.push({ key, range: { gte: n, lte: n } });
  for (const b of booleans) alternatives.push({ key, match: { value: b } });
  if (alternatives.length === 0) return NOTHING;
  if (alternatives.length === 1) return alternatives[0]!;
  return { should: alternatives };
}

function isFilter(condition: QdrantCondition): condition is QdrantFilter {
  return "must" in condition || "should" in condition || "must_not" in condition;
}
