import type { VectorMetric } from "@langswarm/memory-core";
import type { Names } from "./names.js";
import type { IndexSpec, SearchSpec } from "./settings.js";
import { PGVECTOR_DEFAULT_EF_SEARCH } from "./settings.js";

const OPERATOR: Record<VectorMetric, string> = { cosine: "<=>", euclidean: "<->", dot: "<#>" };
const OPCLASS: Record<VectorMetric, string> = { cosine: "cosine_ops", euclidean: "l2_ops", dot: "ip_ops" };

/**
 * The SQL of one vector table. Only validated, quoted identifiers and validated integers from the
 * settings are part of the text; every value a caller passes is a bound parameter.
 */
export class Statements {
  readonly #names: Names;
  readonly #dimension: number;
  readonly #metric: VectorMetric;
  readonly #index: IndexSpec;
  /** What the index covers: the column, or its half-precision cast. */
  readonly #indexed: string;
  readonly #queryCast: string;

  constructor(names: Names, dimension: number, metric: VectorMetric, index: IndexSpec) {
    if (!Number.isSafeInteger(dimension) || dimension < 1)
      throw new Error("dimension must be a positive integer");
    this.#names = names;
    this.#dimension = dimension;
    this.#metric = metric;
    this.#index = index;
    this.#indexed = index.halfvec ? `(embedding::halfvec(${dimension}))` : "embedding";
    // The query vector arrives in vector's binary format; a halfvec index compares halfvec.
    this.#queryCast = index.halfvec ? `vector(${dimension})::halfvec(${dimension})` : `vector(${dimension})`;
  }

  createTable(): string {
    // No IF NOT EXISTS: a table of that name that this store did not register is an error, not data.
    return `CREATE TABLE ${this.#names.table} (
  id text PRIMARY KEY,
  embedding vector(${this.#dimension}) NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  document text
)`;
  }

  /** null for index_type "none". */
  createEmbeddingIndex(): string | null {
    const { type, halfvec, m, efConstruction, lists } = this.#index;
    if (type === "none") return null;
    const opclass = `${halfvec ? "halfvec" : "vector"}_${OPCLASS[this.#metric]}`;
    const options =
      type === "hnsw" ? `WITH (m = ${m}, ef_construction = ${efConstruction})` : `WITH (lists = ${lists})`;
    return `CREATE INDEX IF NOT EXISTS ${this.#names.embeddingIndex} ON ${this.#names.table} USING ${type} (${this.#indexed} ${opclass}) ${options}`;
  }

  createMetadataIndex(): string {
    return `CREATE INDEX IF NOT EXISTS ${this.#names.metadataIndex} ON ${this.#names.table} USING gin (metadata jsonb_path_ops)`;
  }

  /** One batch: $1 ids, $2 vectors (binary vector[]), $3 metadata (JSON text), $4 documents. */
  upsert(): string {
    return `INSERT INTO ${this.#names.table} (id, embedding, metadata, document)
SELECT * FROM unnest($1::text[], $2::vector(${this.#dimension})[], $3::jsonb[], $4::text[])
ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata, document = EXCLUDED.document`;
  }

  get(): string {
    return `SELECT id, embedding::text AS embedding, metadata, document FROM ${this.#names.table} WHERE id = ANY($1::text[])`;
  }

  deleteIds(): string {
    return `DELETE FROM ${this.#names.table} WHERE id = ANY($1::text[])`;
  }

  deleteWhere(condition: string): string {
    return `DELETE FROM ${this.#names.table} WHERE ${condition}`;
  }

  count(): string {
    return `SELECT count(*)::bigint AS n FROM ${this.#names.table}`;
  }

  /** The distance the index orders by, against the query vector in `param`. */
  distance(param: string): string {
    return `(${this.#indexed} ${OPERATOR[this.#metric]} ${param}::${this.#queryCast})`;
  }

  /**
   * The common score convention from a distance: cosine 1 - d (NaN, from a zero vector, becomes 0
   * as in core's reference), dot -(negative inner product), euclidean 1 / (1 + d).
   */
  score(distance: string): string {
    switch (this.#metric) {
      case "cosine":
        return `COALESCE(NULLIF(1 - ${distance}, 'NaN'::float8), 0)`;
      case "dot":
        return `(${distance} * -1)`;
      case "euclidean":
        return `(1 / (1 + ${distance}))`;
    }
  }

  /**
   * Top-k search. The inner query is the form pgvector's index serves: the metadata filter in WHERE,
   * ORDER BY distance LIMIT k. With relaxed-order iterative scans its rows can come slightly out of
   * order, so the materialized outer query re-sorts the k rows (pgvector's documented pattern; `+ 0`
   * keeps PostgreSQL 17+ from skipping that sort), with the id as a stable tie-break.
   *
   * minScore is applied in the outer query. Every score is a decreasing function of the distance, so
   * "the k nearest, then those scoring >= minScore" is exactly "those scoring >= minScore, cut to k";
   * inside, the distance condition would make an iterative scan keep walking the index (up to
   * max_scan_tuples) for rows that can never qualify, which is why pgvector's docs put it outside.
   */
  query(options: {
    vectorParam: string;
    where: string | null;
    minScoreParam: string | null;
    limitParam: string;
    includeVectors: boolean;
  }): string {
    const where = options.where ? `\n  WHERE ${options.where}` : "";
    const outerWhere = options.minScoreParam
      ? `\nWHERE ${this.score("distance")} >= ${options.minScoreParam}::float8`
      : "";
    const vector = options.includeVectors ? ", embedding::text AS embedding" : "";
    return `WITH hits AS MATERIALIZED (
  SELECT id, metadata, document${vector}, ${this.distance(options.vectorParam)} AS distance
  FROM ${this.#names.table}${where}
  ORDER BY distance
  LIMIT ${options.limitParam}
)
SELECT id, metadata, document${options.includeVectors ? ", embedding" : ""}, ${this.score("distance")} AS score
FROM hits${outerWhere}
ORDER BY distance + 0, id`;
  }

  /**
   * The transaction start for one query: SET LOCAL of the scan settings it needs, or null when the
   * server's defaults serve it (then the query is one round trip). The values are validated integers
   * and enum members from the settings, never call input (SET takes no bound parameters).
   */
  searchSettings(search: SearchSpec, topK: number, filtered: boolean): string | null {
    const sets: string[] = [];
    if (this.#index.type === "hnsw") {
      // An HNSW scan yields at most ef_search rows, so ef_search below topK would cut the result.
      const ef =
        search.efSearch !== undefined
          ? Math.max(search.efSearch, topK)
          : topK > PGVECTOR_DEFAULT_EF_SEARCH
            ? topK
            : undefined;
      if (ef !== undefined) sets.push(`SET LOCAL hnsw.ef_search = ${Math.min(ef, 1000)}`);
      if (filtered && search.iterativeScan !== "off") {
        sets.push(`SET LOCAL hnsw.iterative_scan = ${search.iterativeScan}`);
        if (search.maxScanTuples !== undefined)
          sets.push(`SET LOCAL hnsw.max_scan_tuples = ${search.maxScanTuples}`);
      }
    } else if (this.#index.type === "ivfflat") {
      sets.push(`SET LOCAL ivfflat.probes = ${search.probes}`);
      if (filtered && search.iterativeScan !== "off")
        sets.push(`SET LOCAL ivfflat.iterative_scan = ${search.iterativeScan}`);
    }
    return sets.length > 0 ? `BEGIN READ ONLY; ${sets.join("; ")}` : null;
  }
}
