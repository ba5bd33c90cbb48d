import { ConfigError, ValidationError } from "../errors.js";
import { parseFilter } from "../filter/parse.js";
import type { FilterNode } from "../filter/types.js";
import type {
  VectorCapabilities,
  VectorIndexInfo,
  VectorMetric,
  VectorQuery,
  VectorRecord,
} from "../types/vector.js";
import {
  assertId,
  assertStorableText,
  assertVectorMetadata,
  clampLimit,
  toVector,
} from "../util/validate.js";

/** Input checks and score conventions shared by every vector store. */

export const MAX_UPSERT = 10_000;
export const MAX_TOP_K = 1000;
export const METRICS: readonly VectorMetric[] = ["cosine", "euclidean", "dot"];

export interface CheckedRecord {
  id: string;
  vector: Float32Array;
  metadata: NonNullable<VectorRecord["metadata"]>;
  document: string | null;
}

export function checkIndexInfo(
  info: VectorIndexInfo,
  capabilities: VectorCapabilities,
  backend: string,
): void {
  if (
    !Number.isSafeInteger(info.dimension) ||
    info.dimension < 1 ||
    info.dimension > capabilities.maxDimension
  ) {
    throw new ConfigError(
      `dimension must be an integer between 1 and ${capabilities.maxDimension} (got ${String(info.dimension)}); it is never guessed`,
      {
        backend,
        key: "dimension",
      },
    );
  }
  if (!capabilities.metrics.includes(info.metric)) {
    throw new ConfigError(
      `metric must be one of ${capabilities.metrics.join(", ")} (got ${JSON.stringify(info.metric)})`,
      { backend, key: "metric" },
    );
  }
}

export function checkUpsert(records: VectorRecord[], dimension: number, backend: string): CheckedRecord[] {
  const ctx = { backend };
  if (!Array.isArray(records)) throw new ValidationError("upsert needs an array of records", ctx);
  if (records.length > MAX_UPSERT) throw new ValidationError(`at most ${MAX_UPSERT} records per upsert`, ctx);
  const seen = new Set<string>();
  return records.map((r, i) => {
    if (typeof r !== "object" || r === null)
      throw new ValidationError(`records[${i}] must be an object`, ctx);
    assertId(r.id, `records[${i}].id`, ctx);
    if (seen.has(r.id)) throw new ValidationError(`records[${i}].id repeats an id of the same upsert`, ctx);
    seen.add(r.id);
    const vector = toVector(r.vector, dimension, `records[${i}].vector`, ctx);
    const metadata = r.metadata ?? {};
    assertVectorMetadata(metadata, `records[${i}].metadata`, ctx);
    if (r.document !== undefined && r.document !== null)
      assertStorableText(r.document, `records[${i}].document`, ctx);
    return { id: r.id, vector, metadata, document: r.document ?? null };
  });
}

export interface CheckedQuery {
  vector: Float32Array;
  topK: number;
  minScore: number | undefined;
  filter: FilterNode | null;
  includeVectors: boolean;
}

export function checkQuery(
  query: VectorQuery,
  dimension: number,
  capabilities: VectorCapabilities,
  backend: string,
): CheckedQuery {
  const ctx = { backend };
  if (typeof query !== "object" || query === null) throw new ValidationError("query must be an object", ctx);
  const vector = toVector(query.vector, dimension, "query vector", ctx);
  const topK = clampLimit(query.topK, 10, MAX_TOP_K, "topK", ctx);
  if (
    query.minScore !== undefined &&
    (typeof query.minScore !== "number" || !Number.isFinite(query.minScore))
  ) {
    throw new ValidationError("minScore must be a finite number", ctx);
  }
  const filter = parseFilter(query.filter, { supported: capabilities.filterOperators, backend });
  return { vector, topK, minScore: query.minScore, filter, includeVectors: query.includeVectors === true };
}

/** deleteByFilter with an empty filter would wipe the index: require a real filter (use drop()). */
export function checkDeleteFilter(
  filter: unknown,
  capabilities: VectorCapabilities,
  backend: string,
): FilterNode {
  const node = parseFilter(filter, { supported: capabilities.filterOperators, backend });
  if (!node)
    throw new ValidationError("deleteByFilter needs a non-empty filter (use drop() to remove everything)", {
      backend,
    });
  return node;
}

export function checkIds(ids: string[], backend: string): void {
  if (!Array.isArray(ids)) throw new ValidationError("ids must be an array", { backend });
  for (const [i, id] of ids.entries()) assertId(id, `ids[${i}]`, { backend });
}

/** Similarity of two vectors under a metric, in the common score convention. */
export function similarity(metric: VectorMetric, a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    if (metric === "cosine") {
      na += x * x;
      nb += y * y;
    } else if (metric === "euclidean") {
      const d = x - y;
      sq += d * d;
    }
  }
  if (metric === "dot") return dot;
  if (metric === "euclidean") return euclideanScore(Math.sqrt(sq));
  const denom = Math.sqrt(na) * Math.sqrt(nb);
  return denom === 0 ? 0 : dot / denom;
}

/** Convert a store's native distance to the common score. */
export function euclideanScore(distance: number): number {
  return 1 / (1 + distance);
}
export function cosineScoreFromDistance(cosineDistance: number): number {
  return 1 - cosineDistance;
}
