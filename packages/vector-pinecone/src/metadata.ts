import type { FilterNode, FilterScalar, MetadataValue, VectorMetadata } from "@langswarm/memory-core";

/**
 * Pinecone metadata holds strings, numbers, booleans and string lists, but no null, and `$eq` on a
 * list matches any element. So each user field is stored under a prefixed key chosen by its kind:
 * scalars under `s:<field>`, string lists under `l:<field>`, and null fields listed in `__ls_nulls`.
 * Scalar filters then only ever see scalars, and the prefix keeps user keys apart from ours.
 */
export const SCALAR = "s:";
export const LIST = "l:";
export const NULLS = "__ls_nulls";
export const DOCUMENT = "__ls_document";
/** A key no record carries: a filter on it matches nothing. */
const NEVER = "__ls_never";

export type PineconeMetadata = Record<string, string | number | boolean | string[]>;
export type PineconeFilter = Record<string, unknown>;

export function encodeMetadata(
  metadata: VectorMetadata,
  document: string | null | undefined,
): PineconeMetadata {
  const out: PineconeMetadata = {};
  const nulls: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (value === null) nulls.push(key);
    else if (Array.isArray(value)) out[LIST + key] = [...value];
    else out[SCALAR + key] = value;
  }
  if (nulls.length > 0) out[NULLS] = nulls;
  if (document !== undefined && document !== null) out[DOCUMENT] = document;
  return out;
}

export function decodeMetadata(stored: Record<string, unknown> | undefined): {
  metadata: VectorMetadata;
  document: string | null;
} {
  const metadata: VectorMetadata = {};
  let document: string | null = null;
  for (const [key, value] of Object.entries(stored ?? {})) {
    if (key.startsWith(SCALAR)) metadata[key.slice(SCALAR.length)] = value as MetadataValue;
    else if (key.startsWith(LIST)) metadata[key.slice(LIST.length)] = [...(value as string[])];
    else if (key === NULLS) for (const k of value as string[]) metadata[k] = null;
    else if (key === DOCUMENT) document = value as string;
  }
  return { metadata, document };
}

const eq = (field: string, value: FilterScalar) => ({ [SCALAR + field]: { $eq: value } });
const missing = (field: string) => ({ [SCALAR + field]: { $exists: false } });

/**
 * Parsed filter -> Pinecone metadata filter with the reference semantics (core's matchesFilter):
 * `$ne`/`$nin` also match records without the field (or with a null or list value), so they are
 * written as "field absent OR ..." and never rely on how Pinecone treats missing fields; `$in` is
 * expanded into `$eq`s so booleans and mixed types compare exactly; ranges only see numbers.
 */
export function filterToPinecone(node: FilterNode | null): PineconeFilter | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case "and":
      return { $and: node.children.map((c) => filterToPinecone(c)!) };
    case "or":
      return { $or: node.children.map((c) => filterToPinecone(c)!) };
    case "exists":
      // Null fields are not stored under s:/l:, so "present" = a scalar or a list is stored.
      return node.exists
        ? { $or: [{ [SCALAR + node.field]: { $exists: true } }, { [LIST + node.field]: { $exists: true } }] }
        : { $and: [missing(node.field), { [LIST + node.field]: { $exists: false } }] };
    case "set":
      if (node.op === "$in")
        return node.values.length === 0
          ? { [NEVER]: { $exists: true } }
          : { $or: node.values.map((v) => eq(node.field, v)) };
      if (node.values.length === 0) return { [NEVER]: { $exists: false } };
      return {
        $or: [missing(node.field), { $and: node.values.map((v) => ({ [SCALAR + node.field]: { $ne: v } })) }],
      };
    case "compare":
      if (node.op === "$eq") return eq(node.field, node.value);
      if (node.op === "$ne")
        return { $or: [missing(node.field), { [SCALAR + node.field]: { $ne: node.value } }] };
      return { [SCALAR + node.field]: { [node.op]: node.value } };
  }
}
