import {
  ALL_FILTER_OPERATORS,
  type CallOptions,
  type Filter,
  type StoredVector,
  type VectorCapabilities,
  type VectorCreateContext,
  type VectorIndexInfo,
  type VectorMatch,
  type VectorMetric,
  type VectorQuery,
  type VectorRecord,
  type VectorStore,
  vectorRules,
} from "@langswarm/memory-core";
import type { QdrantClient } from "@qdrant/js-client-rest";
import { createOwnedClient, Requester } from "./client.js";
import { ensureCollection, type SetupOutcome } from "./collection.js";
import { BACKEND } from "./errors.js";
import { filterToQdrant } from "./filter.js";
import { pointId } from "./ids.js";
import { decodePayload, decodeVector, encodePayload, ID_KEY, toJsonArray } from "./payload.js";
import { MAX_DIMENSION, type ResolvedSettings, resolveSettings } from "./settings.js";

/**
 * Every operator of the DSL translates exactly (see filter.ts), all three metrics map to Qdrant
 * distances. A store built with `exact: true` searches by brute force and reports `exact: true`.
 */
export const QDRANT_CAPABILITIES: VectorCapabilities = {
  filterOperators: ALL_FILTER_OPERATORS,
  metrics: vectorRules.METRICS,
  maxDimension: MAX_DIMENSION,
  exact: false,
  persistent: true,
  deleteByFilter: true,
};

/** Ids per retrieve / delete request. */
const IDS_PER_REQUEST = 1000;

interface ScoredPoint {
  id: string | number;
  score: number;
  payload?: Record<string, unknown> | null;
  vector?: unknown;
}

/**
 * One vector index = one Qdrant collection with a single unnamed vector per point. String ids map to
 * UUIDv5 point ids; the id, document and metadata travel in the payload (see payload.ts).
 */
export class QdrantVectorStore implements VectorStore {
  readonly backend = BACKEND;
  readonly capabilities: VectorCapabilities;
  readonly index: VectorIndexInfo;
  readonly settings: ResolvedSettings;
  /** The client in use (the caller's, or one this store made). */
  readonly client: QdrantClient;
  readonly #r: Requester;
  readonly #ownsClient: boolean;
  #setup: SetupOutcome | undefined;

  /**
   * `settings` are LangSwarm's `connection_params` (snake_case, validated here); `context` is what the
   * manager knows (the embedding dimension, the metric, an index-name suffix).
   */
  constructor(settings: Record<string, unknown>, context: VectorCreateContext = {}) {
    const s = resolveSettings(settings, context);
    this.settings = s;
    this.capabilities = { ...QDRANT_CAPABILITIES, exact: s.exact };
    this.index = { name: s.collection, dimension: s.dimension, metric: s.metric };
    vectorRules.checkIndexInfo(this.index, this.capabilities, BACKEND);
    this.#ownsClient = s.client === undefined;
    this.client = s.client ?? createOwnedClient(s);
    this.#r = new Requester(this.client, s);
  }

  /** What the last setup() found or did (created the collection, which indexes it added). */
  get setupOutcome(): SetupOutcome | undefined {
    return this.#setup;
  }

  async setup(options?: CallOptions): Promise<void> {
    this.#setup = await ensureCollection(this.#r, this.settings, options?.signal);
  }

  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    const checked = vectorRules.checkUpsert(records, this.index.dimension, BACKEND);
    const { collection, batchSize, metric } = this.settings;
    // Batches go one after another, each acknowledged only once applied (wait=true). Qdrant has no
    // multi-request transaction: a failure leaves earlier batches written, and repeating the upsert
    // is safe (it is idempotent by id).
    for (let i = 0; i < checked.length; i += batchSize) {
      const points = checked.slice(i, i + batchSize).map((r) => ({
        id: pointId(r.id),
        vector: toJsonArray(r.vector),
        payload: encodePayload(r, metric),
      }));
      await this.#r.call(
        "upsert",
        (init) => this.#r.api.upsertPoints({ collection_name: collection, wait: true, points }, init),
        options?.signal,
      );
    }
  }

  async query(query: VectorQuery, options?: CallOptions): Promise<VectorMatch[]> {
    const q = vectorRules.checkQuery(query, this.index.dimension, this.capabilities, BACKEND);
    const { metric, collection, ef, exact } = this.settings;
    const threshold = serverThreshold(metric, q.minScore);
    if (threshold === "none") return [];
    const filter = filterToQdrant(q.filter);
    const params = {
      ...(ef !== undefined ? { hnsw_ef: ef } : {}),
      ...(exact ? { exact: true } : {}),
    };
    const body = {
      query: toJsonArray(q.vector),
      limit: q.topK,
      with_payload: true,
      with_vector: q.includeVectors,
      ...(filter ? { filter } : {}),
      ...(threshold !== undefined ? { score_threshold: threshold } : {}),
      ...(Object.keys(params).length > 0 ? { params } : {}),
    };
    const data = await this.#r.call(
      "query",
      (init) => this.#r.api.queryPoints({ collection_name: collection, ...body }, init),
      options?.signal,
    );
    const points = ((data as { result?: { points?: ScoredPoint[] } }).result?.points ?? []) as ScoredPoint[];
    const matches: VectorMatch[] = [];
    for (const point of points) {
      const score = toScore(metric, point.score);
      // Qdrant's threshold is exclusive and in float32; the exact, inclusive cut is made here.
      if (q.minScore !== undefined && !(score >= q.minScore)) continue;
      const decoded = decodePayload(point.id, point.payload);
      matches.push({
        id: decoded.id,
        score,
        metadata: decoded.metadata,
        document: decoded.document,
        ...(q.includeVectors ? { vector: decodeVector(point.vector, point.payload, metric) } : {}),
      });
    }
    // Qdrant returns best first; equal scores are put in id order, like the reference store.
    return matches.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async get(ids: string[], options?: CallOptions): Promise<StoredVector[]> {
    vectorRules.checkIds(ids, BACKEND);
    const found = new Map<string, StoredVector>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += IDS_PER_REQUEST) {
      const chunk = unique.slice(i, i + IDS_PER_REQUEST);
      const data = await this.#r.call(
        "get",
        (init) =>
          this.#r.api.getPoints(
            {
              collection_name: this.settings.collection,
              ids: chunk.map(pointId),
              with_payload: true,
              with_vector: true,
            },
            init,
          ),
        options?.signal,
      );
      for (const point of ((data as { result?: ScoredPoint[] }).result ?? []) as ScoredPoint[]) {
        // The payload's id must be the one asked for: a point written by another tool under the
        // same UUID (or a hash collision) is not ours to return.
        if (point.payload?.[ID_KEY] === undefined) continue;
        const decoded = decodePayload(point.id, point.payload);
        found.set(decoded.id, {
          id: decoded.id,
          vector: decodeVector(point.vector, point.payload, this.settings.metric),
          metadata: decoded.metadata,
          document: decoded.document,
        });
      }
    }
    return ids.flatMap((id) => {
      const record = found.get(id);
      return record ? [cloneStored(record)] : [];
    });
  }

  async delete(ids: string[], options?: CallOptions): Promise<void> {
    vectorRules.checkIds(ids, BACKEND);
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += IDS_PER_REQUEST) {
      const points = unique.slice(i, i + IDS_PER_REQUEST).map(pointId);
      await this.#r.call(
        "delete",
        (init) =>
          this.#r.api.deletePoints({ collection_name: this.settings.collection, wait: true, points }, init),
        options?.signal,
      );
    }
  }

  async deleteByFilter(filter: Filter, options?: CallOptions): Promise<void> {
    const node = vectorRules.checkDeleteFilter(filter, this.capabilities, BACKEND);
    const qdrantFilter = filterToQdrant(node)!;
    await this.#r.call(
      "deleteByFilter",
      (init) =>
        this.#r.api.deletePoints(
          { collection_name: this.settings.collection, wait: true, filter: qdrantFilter },
          init,
        ),
      options?.signal,
    );
  }

  async count(options?: CallOptions): Promise<number> {
    const data = await this.#r.call(
      "count",
      (init) => this.#r.api.countPoints({ collection_name: this.settings.collection, exact: true }, init),
      options?.signal,
    );
    return Number((data as { result?: { count?: number } }).result?.count ?? 0);
  }

  async drop(options?: CallOptions): Promise<void> {
    try {
      await this.#r.call(
        "drop",
        (init) => this.#r.api.deleteCollection({ collection_name: this.settings.collection }, init),
        options?.signal,
      );
    } catch (error) {
      if ((error as { code?: string }).code !== "NOT_FOUND") throw error;
    }
    this.#setup = undefined;
  }

  /**
   * Stop using the client. A QdrantClient holds no connection that needs ending (its HTTP agent
   * closes idle sockets itself), so this only refuses later calls; a caller's client stays usable.
   */
  async close(): Promise<void> {
    this.#r.close();
  }

  /** True when this store made its client (and so owns it). */
  get ownsClient(): boolean {
    return this.#ownsClient;
  }
}

/**
 * Qdrant reports cosine similarity for Cosine, the inner product for Dot, and the L2 distance for
 * Euclid; the common convention wants 1 / (1 + distance) for euclidean.
 */
export function toScore(metric: VectorMetric, qdrantScore: number): number {
  return metric === "euclidean" ? vectorRules.euclideanScore(qdrantScore) : qdrantScore;
}

/** Relative slack so that a float32 threshold never drops a point exactly at minScore. */
const SLACK = 2 ** -20;

/**
 * `minScore` as Qdrant's `score_threshold`, loosened a little (Qdrant keeps scores strictly better than
 * the threshold, in float32); query() then cuts exactly. For Euclid the threshold is a distance:
 * score >= s  <=>  distance <= 1/s - 1. "none" = nothing can score that high (euclidean scores are ≤ 1).
 */
export function serverThreshold(
  metric: VectorMetric,
  minScore: number | undefined,
): number | undefined | "none" {
  if (minScore === undefined) return undefined;
  if (metric !== "euclidean") return minScore - Math.max(Math.abs(minScore), 1e-30) * SLACK;
  if (minScore <= 0) return undefined;
  if (minScore > 1) return "none";
  const maxDistance = 1 / minScore - 1;
  return maxDistance * (1 + SLACK) + 1e-12;
}

function cloneStored(r: StoredVector): StoredVector {
  return { id: r.id, vector: r.vector.slice(), metadata: structuredClone(r.metadata), document: r.document };
}
