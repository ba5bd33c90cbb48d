import type { Filter, VectorMetadata } from "@langswarm/memory-core";
import fc from "fast-check";

/** Metadata and filters that exercise every corner of the DSL's semantics on three fields. */
const FIELDS = ["a", "b", "c"] as const;
const scalar = fc.oneof(
  fc.constantFrom("x", "y", "7", "true", ""),
  fc.constantFrom(0, -0, 1, 7, 2.5, -3, 2 ** 60, 1e21),
  fc.boolean(),
);
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom("x", "y", "7"), { maxLength: 2 }) },
);
export const metadata: fc.Arbitrary<VectorMetadata> = fc
  .record({ a: value, b: value, c: value }, { requiredKeys: [] })
  .map((m) => m as VectorMetadata);

const field = fc.constantFrom(...FIELDS);
const leaf: fc.Arbitrary<Filter> = fc.oneof(
  fc.tuple(field, scalar).map(([f, v]) => ({ [f]: v }) as Filter),
  fc.tuple(field, scalar).map(([f, v]) => ({ [f]: { $ne: v } }) as Filter),
  fc.tuple(field, fc.array(scalar, { maxLength: 4 })).map(([f, v]) => ({ [f]: { $in: v } }) as Filter),
  fc.tuple(field, fc.array(scalar, { maxLength: 4 })).map(([f, v]) => ({ [f]: { $nin: v } }) as Filter),
  fc
    .tuple(field, fc.constantFrom("$gt", "$gte", "$lt", "$lte"), fc.constantFrom(-3, 0, 1, 2.5, 7, 2 ** 60))
    .map(([f, op, v]) => ({ [f]: { [op]: v } }) as Filter),
  fc.tuple(field, fc.boolean()).map(([f, v]) => ({ [f]: { $exists: v } }) as Filter),
);
export const filter: fc.Arbitrary<Filter> = fc.letrec<{ node: Filter }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((children) => ({ $and: children }) as Filter),
    fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((children) => ({ $or: children }) as Filter),
  ),
})).node;
