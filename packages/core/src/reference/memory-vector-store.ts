import { throwIfAborted } from "../errors.js";
import { matchesFilter } from "../filter/match.js";
import type { Filter } from "../filter/types.js";
import { ALL_FILTER_OPERATORS } from "../filter/types.js";
import type { CallOptions } from "../types/common.js";
import type {
  StoredVector,
  VectorCapabilities,
  VectorIndexInfo,
  VectorMatch,
  VectorMetric,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from "../types/vector.js";
import {
  type CheckedRecord,
  checkDeleteFilter,
  checkIds,
  checkIndexInfo,
  checkQuery,
  checkUpsert,
  METRICS,
  similarity,
} from "./vector-rules.js";

export const MEMORY_VECTOR_CAPABILITIES: VectorCapabilities = {
  filterOperators: ALL_FILTER_OPERATORS,
  metrics: METRICS,
  maxDimension: 65_536,
  exact: true,
  persistent: false,
  deleteByFilter: true,
};

const BACKEND = "memory";

/**
 * Exact brute-force vector store: the ground truth for recall measurements and the reference for the
 * filter semantics. Fine up to ~100k vectors of a few hundred dimensions.
 */
export class InMemoryVectorStore implements VectorStore {
  readonly backend = BACKEND;
  readonly capabilities = MEMORY_VECTOR_CAPABILITIES;
  readonly index: VectorIndexInfo;
  readonly #records = new Map<string, CheckedRecord>();

  constructor(options: { dimension: number; metric?: VectorMetric; name?: string }) {
    this.index = {
      name: options.name ?? "memory",
      dimension: options.dimension,
      metric: options.metric ?? "cosine",
    };
    checkIndexInfo(this.index, this.capabilities, BACKEND);
  }

  async setup(): Promise<void> {}

  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    for (const record of checkUpsert(records, this.index.dimension, BACKEND))
      this.#records.set(record.id, record);
  }

  async query(query: VectorQuery, options?: CallOptions): Promise<VectorMatch[]> {
    throwIfAborted(options?.signal, BACKEND);
    const q = checkQuery(query, this.index.dimension, this.capabilities, BACKEND);
    const scored: { record: CheckedRecord; score: number }[] = [];
    for (const record of this.#records.values()) {
      if (!matchesFilter(record.metadata, q.filter)) continue;
      const score = similarity(this.index.metric, q.vector, record.vector);
      if (q.minScore !== undefined && score < q.minScore) continue;
      scored.push({ record, score });
    }
    scored.sort((a, b) => b.score - a.score || (a.record.id < b.record.id ? -1 : 1));
    return scored.slice(0, q.topK).map(({ record, score }) => ({
      id: record.id,
      score,
      metadata: structuredClone(record.metadata),
      document: record.document,
      ...(q.includeVectors ? { vector: record.vector.slice() } : {}),
    }));
  }

  async get(ids: string[], options?: CallOptions): Promise<StoredVector[]> {
    throwIfAborted(options?.signal, BACKEND);
    checkIds(ids, BACKEND);
    return ids.flatMap((id) => {
      const r = this.#records.get(id);
      return r
        ? [
            {
              id: r.id,
              vector: r.vector.slice(),
              metadata: structuredClone(r.metadata),
              document: r.document,
            },
          ]
        : [];
    });
  }

  async delete(ids: string[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    checkIds(ids, BACKEND);
    for (const id of ids) this.#records.delete(id);
  }

  async deleteByFilter(filter: Filter, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    const node = checkDeleteFilter(filter, this.capabilities, BACKEND);
    for (const [id, r] of this.#records) if (matchesFilter(r.metadata, node)) this.#records.delete(id);
  }

  async count(): Promise<number> {
    return this.#records.size;
  }

  async drop(): Promise<void> {
    this.#records.clear();
  }

  async close(): Promise<void> {}
}
