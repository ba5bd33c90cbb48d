import { assertIdentifier } from "@langswarm/memory-core";
import { escapeIdentifier } from "pg";
import { BACKEND } from "./errors.js";

/** The store's bookkeeping table, one per schema: dimension, metric and index of every vector table. */
export const META_TABLE = "langswarm_vector_tables";

/**
 * Every SQL name the store uses, checked against the identifier allow-list and quoted once. Nothing
 * a caller passes at run time (ids, vectors, metadata, filter values) ever becomes SQL text.
 */
export interface Names {
  schema: string;
  table: string;
  meta: string;
  embeddingIndex: string;
  metadataIndex: string;
  /** For catalog lookups (bound as values). */
  raw: { schema: string; table: string; embeddingIndex: string; metadataIndex: string };
}

export function buildNames(schema: string, table: string): Names {
  const ctx = { backend: BACKEND };
  assertIdentifier(schema, "schema", ctx);
  assertIdentifier(table, "table_name", ctx);
  const q = (name: string) => `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;
  const embeddingIndex = `${table}_embedding_idx`;
  const metadataIndex = `${table}_metadata_idx`;
  return {
    schema: escapeIdentifier(schema),
    table: q(table),
    meta: q(META_TABLE),
    embeddingIndex: escapeIdentifier(embeddingIndex),
    metadataIndex: escapeIdentifier(metadataIndex),
    raw: { schema, table, embeddingIndex, metadataIndex },
  };
}
