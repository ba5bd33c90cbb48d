/**
 * The one metadata filter language every vector store understands (a subset per store, declared in
 * its capabilities). Mongo-like:
 *   { role: "user" }                          equality shorthand
 *   { seq: { $gte: 10, $lt: 20 } }            several operators on one field are ANDed
 *   { $or: [{ agentId: "a" }, { tier: { $in: ["global", "role"] } }] }
 * Semantics (every translator keeps them; the suite checks them):
 * - `$eq`/`$ne`/`$in`/`$nin` compare strings, numbers, booleans exactly (no type coercion).
 * - `$ne` and `$nin` also match records that lack the field.
 * - `$gt $gte $lt $lte` take numbers only and match only numeric fields.
 * - `$exists: true` matches fields that are present and not null; `false` the opposite.
 */
export type FilterScalar = string | number | boolean;

export type ComparisonOperator = "$eq" | "$ne" | "$in" | "$nin" | "$gt" | "$gte" | "$lt" | "$lte" | "$exists";
export type LogicalOperator = "$and" | "$or";
export type FilterOperator = ComparisonOperator | LogicalOperator;

export const ALL_FILTER_OPERATORS: readonly FilterOperator[] = [
  "$eq",
  "$ne",
  "$in",
  "$nin",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$exists",
  "$and",
  "$or",
];

export interface FieldCondition {
  $eq?: FilterScalar;
  $ne?: FilterScalar;
  $in?: FilterScalar[];
  $nin?: FilterScalar[];
  $gt?: number;
  $gte?: number;
  $lt?: number;
  $lte?: number;
  $exists?: boolean;
}

export type Filter = {
  $and?: Filter[];
  $or?: Filter[];
  [field: string]: FilterScalar | FieldCondition | Filter[] | undefined;
};

/** Normalised filter tree that translators walk. */
export type FilterNode =
  | { type: "and"; children: FilterNode[] }
  | { type: "or"; children: FilterNode[] }
  | { type: "compare"; field: string; op: "$eq" | "$ne"; value: FilterScalar }
  | { type: "compare"; field: string; op: "$gt" | "$gte" | "$lt" | "$lte"; value: number }
  | { type: "set"; field: string; op: "$in" | "$nin"; values: FilterScalar[] }
  | { type: "exists"; field: string; exists: boolean };
