import type { Filter, FilterOperator } from "../filter/types.js";
import type { CallOptions } from "./common.js";

/**
 * Distance metrics and the score each store must report (higher = closer, same for every store):
 * - `cosine`:    cosine similarity, in [-1, 1]
 * - `dot`:       the inner product (unbounded)
 * - `euclidean`: 1 / (1 + L2 distance), in (0, 1]
 */
export type VectorMetric = "cosine" | "euclidean" | "dot";

/** Metadata values a vector store can filter on. Arrays are stored but not filterable. */
export type MetadataValue = string | number | boolean | null | string[];
export type VectorMetadata = Record<string, MetadataValue>;

export interface VectorRecord {
  id: string;
  vector: ArrayLike<number>;
  metadata?: VectorMetadata;
  /** The text the vector was made from, if the caller wants it kept. */
  document?: string;
}

export interface StoredVector {
  id: string;
  vector: Float32Array;
  metadata: VectorMetadata;
  document: string | null;
}

export interface VectorQuery {
  vector: ArrayLike<number>;
  /** 1..1000, default 10. */
  topK?: number;
  /** Drop matches scoring below this before cutting to topK. */
  minScore?: number;
  filter?: Filter;
  includeVectors?: boolean;
}

export interface VectorMatch {
  id: string;
  score: number;
  metadata: VectorMetadata;
  document: string | null;
  vector?: Float32Array;
}

export interface VectorIndexInfo {
  /** Table / collection / index / key prefix the store writes to. */
  name: string;
  dimension: number;
  metric: VectorMetric;
}

export interface VectorCapabilities {
  /** Filter operators the store translates; the suite tests exactly these. */
  filterOperators: readonly FilterOperator[];
  metrics: readonly VectorMetric[];
  maxDimension: number;
  /** true when queries are exact (brute force); false for ANN indexes. */
  exact: boolean;
  persistent: boolean;
  /** `deleteByFilter` honours the full filter DSL subset above. */
  deleteByFilter: boolean;
}

/** One vector index with a fixed dimension and metric. */
export interface VectorStore {
  readonly backend: string;
  readonly capabilities: VectorCapabilities;
  readonly index: VectorIndexInfo;

  /**
   * Create the index if missing; if it exists, check its dimension and metric against the config
   * (DimensionMismatchError / ConfigError on a difference). Idempotent and race-safe.
   */
  setup(options?: CallOptions): Promise<void>;
  /** Insert or replace by id. Every vector must have the index dimension and finite values. */
  upsert(records: VectorRecord[], options?: CallOptions): Promise<void>;
  query(query: VectorQuery, options?: CallOptions): Promise<VectorMatch[]>;
  /** Records for the ids that exist, in the order asked; missing ids are left out. */
  get(ids: string[], options?: CallOptions): Promise<StoredVector[]>;
  delete(ids: string[], options?: CallOptions): Promise<void>;
  deleteByFilter(filter: Filter, options?: CallOptions): Promise<void>;
  count(options?: CallOptions): Promise<number>;
  /** Remove the whole index and its data. */
  drop(options?: CallOptions): Promise<void>;
  close(): Promise<void>;
}
