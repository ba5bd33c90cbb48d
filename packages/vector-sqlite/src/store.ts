import {
  ALL_FILTER_OPERATORS,
  BackendUnavailableError,
  type CallOptions,
  ConfigError,
  type Filter,
  type FilterNode,
  type StoredVector,
  throwIfAborted,
  type VectorCapabilities,
  type VectorCreateContext,
  type VectorIndexInfo,
  type VectorMatch,
  type VectorMetadata,
  type VectorQuery,
  type VectorRecord,
  type VectorStore,
  vectorRules,
} from "@langswarm/memory-core";
import type { Database, Statement } from "better-sqlite3";
import { assertSqliteVersion, loadSqliteVec, openDatabase, type SqliteVecState } from "./connection.js";
import { toMemoryError } from "./errors.js";
import { filterToSql, type SqlFilter, usesIndexedField } from "./filter-sql.js";
import { VectorCache } from "./js-scan.js";
import {
  createFieldIndexes,
  createOrCheck,
  dropAll,
  knnDistance,
  knnTableExists,
  META,
  readState,
  rebuildKnn,
  stateQuery,
  type Tables,
  tableNames,
} from "./schema.js";
import { BACKEND, resolveSettings, type SqliteVectorSettings } from "./settings.js";

export const SQLITE_VECTOR_CAPABILITIES: VectorCapabilities = {
  filterOperators: ALL_FILTER_OPERATORS,
  metrics: vectorRules.METRICS,
  maxDimension: 8192,
  exact: true,
  persistent: true,
  deleteByFilter: true,
};

/** vec0 refuses k above 4096. */
const MAX_KNN_K = 4096;
/**
 * Candidates fetched from a float32 engine before exact rescoring: a few beyond topK absorb float32
 * misorderings at the edge; a tie wider than that is caught by the window check in query().
 */
const candidateCount = (topK: number) => Math.min(MAX_KNN_K, topK + 10);
/** Filters keeping less than this share of rows are prefiltered instead of postfiltered. */
const MIN_POSTFILTER_SHARE = 0.25;
const SAMPLE_SIZE = 256;
const MIN_SAMPLE_HITS = 32;
/** Scores this close are treated as tied when checking the edge of a float32 window. */
const TIE_MARGIN = 1e-5;
/** Prepared filter statements kept per connection (the SQL varies with the filter's shape). */
const STATEMENT_CACHE = 64;

/** Which code path answers queries; see the README for when each is used. */
export type VectorEngine = "sqlite-vec" | "js";

/**
 * How the last query was answered (for tuning and tests): `knn` the vec0 table; `knn-postfilter`
 * vec0 windows filtered in SQL; `prefilter-scan` filter first, then sqlite-vec distances;
 * `js-scan` the in-memory exact scan; `by-id` a zero cosine query; a `+exact` suffix means the
 * float32 window ended in a tie and the exact scan settled it.
 */
export type QueryPlan = "knn" | "knn-postfilter" | "prefilter-scan" | "js-scan" | "by-id" | `${string}+exact`;

export interface SqliteVectorStoreOptions {
  /** What the manager knows: the embedding dimension, a metric, a second index's name. */
  context?: VectorCreateContext;
}

interface Scored {
  row: Row;
  stored: Float32Array;
  score: number;
}

interface Row {
  pk: number;
  id: string;
  metadata: string;
  document: string | null;
  vector: Buffer;
}

/**
 * A vector index in SQLite. Vectors are float32 BLOBs, metadata is JSONB filtered in SQL with bound
 * values. Search is exact either way:
 * - with sqlite-vec: a `vec0` KNN table for unfiltered queries, and for filtered ones a scan of the
 *   prefiltered rows with sqlite-vec's SIMD distance functions;
 * - without it (or for the dot metric, which vec0 lacks): an in-memory Float32Array scan.
 * Both engines only nominate candidates; every returned score is recomputed with core's
 * `similarity()`, so scores and tie order are the reference store's.
 */
export class SqliteVectorStore implements VectorStore {
  readonly backend = BACKEND;
  readonly capabilities: VectorCapabilities;
  readonly index: VectorIndexInfo;
  readonly #db: Database;
  readonly #owned: boolean;
  readonly #t: Tables;
  readonly #useSqliteVec: "auto" | boolean;
  readonly #indexedFields: ReadonlySet<string>;
  readonly #transaction: ReturnType<typeof wrapTransactions>;
  readonly #filterStatements = new Map<string, Statement>();
  #sqliteVec: SqliteVecState | null = null;
  /** setup() ran on this instance (it loads sqlite-vec and checks the stored dimension and metric). */
  #ready = false;
  #knn = false;
  #sql: Statements | undefined;
  #cache: VectorCache | null = null;
  #lastPlan: QueryPlan | null = null;
  #closed = false;

  constructor(settings: SqliteVectorSettings = {}, options: SqliteVectorStoreOptions = {}) {
    const s = resolveSettings(settings, options.context);
    this.#t = tableNames(s.tableName, BACKEND);
    this.index = { name: s.tableName, dimension: s.dimension, metric: s.metric };
    this.#useSqliteVec = s.useSqliteVec;
    this.#indexedFields = s.indexedFields;
    if (s.useSqliteVec === true && knnDistance(s.metric) === null) {
      throw new ConfigError(
        'settings.use_sqlite_vec is true, but sqlite-vec has no dot-product distance: use metric "cosine" or "euclidean", or use_sqlite_vec "auto"',
        { backend: BACKEND, key: "settings.use_sqlite_vec" },
      );
    }
    if (s.database) {
      this.#db = s.database;
      this.#owned = false;
    } else {
      this.#db = openDatabase({ path: s.path, busyTimeoutMs: s.busyTimeoutMs, wal: s.wal, backend: BACKEND });
      this.#owned = true;
    }
    this.#transaction = wrapTransactions(this.#db);
    this.capabilities = { ...SQLITE_VECTOR_CAPABILITIES, persistent: !this.#db.memory };
    vectorRules.checkIndexInfo(this.index, this.capabilities, BACKEND);
  }

  /** The engine answering queries (known after setup()). */
  get engine(): VectorEngine {
    return this.#sqliteVec?.loaded && knnDistance(this.index.metric) ? "sqlite-vec" : "js";
  }

  /** How the most recent query was answered. */
  get lastPlan(): QueryPlan | null {
    return this.#lastPlan;
  }

  /** Why sqlite-vec is not in use, if it is not. */
  get sqliteVecStatus(): SqliteVecState | null {
    return this.#sqliteVec;
  }

  /** The underlying connection (yours if you passed `database`). */
  get database(): Database {
    return this.#db;
  }

  async setup(options?: CallOptions): Promise<void> {
    this.#begin(options);
    this.#run("checking the SQLite version", () => assertSqliteVersion(this.#db, BACKEND));
    if (this.#useSqliteVec !== false && this.#sqliteVec === null) {
      this.#sqliteVec = await loadSqliteVec(this.#db);
      if (!this.#sqliteVec.loaded && this.#useSqliteVec === true) {
        throw new ConfigError(
          `settings.use_sqlite_vec is true, but sqlite-vec did not load: ${this.#sqliteVec.reason}`,
          {
            backend: BACKEND,
            key: "settings.use_sqlite_vec",
          },
        );
      }
    }
    const vecReady = this.#sqliteVec?.loaded === true && knnDistance(this.index.metric) !== null;
    this.#write("setting up the index", () => {
      createOrCheck(this.#db, this.#t, this.index, BACKEND);
      createFieldIndexes(this.#db, this.#t, this.#indexedFields);
      if (!vecReady) return;
      const state = readState(this.#db, this.#t);
      // Build the KNN table on first use, or rebuild it if writers without sqlite-vec left it behind.
      if (state.knnGeneration !== state.generation || !knnTableExists(this.#db, this.#t)) {
        rebuildKnn(this.#db, this.#t, this.index);
      }
    });
    this.#knn = vecReady;
    this.#ready = true;
    this.#sql = undefined;
    this.#filterStatements.clear();
    this.#cache = null;
  }

  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    this.#begin(options);
    const checked = vectorRules.checkUpsert(records, this.index.dimension, BACKEND);
    if (checked.length === 0) return;
    const sql = this.#statements();
    const rows = checked.map((r) => ({
      ...r,
      metadataJson: JSON.stringify(r.metadata),
      blob: Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength),
      isZero: r.vector.every((x) => x === 0),
    }));
    const written = this.#write("upserting vectors", () => {
      const before = this.#bumpGeneration(sql);
      // Replacing a vector means removing its KNN entry first; new ids (the common case) skip that.
      const existing = before.knnLive
        ? new Set(sql.existingIds.all(JSON.stringify(rows.map((r) => r.id))) as string[])
        : null;
      const pks = rows.map((r) => {
        const pk = sql.upsertMain.get(r.id, r.metadataJson, r.document) as number;
        sql.upsertEmbedding.run(pk, r.blob, r.isZero ? 1 : 0);
        if (existing) {
          if (existing.has(r.id)) sql.deleteKnn!.run(pk);
          if (!(r.isZero && this.index.metric === "cosine")) sql.insertKnn!.run(pk, r.blob);
        }
        return pk;
      });
      return { before, pks };
    });
    this.#afterWrite(written.before.generation, (cache) => {
      for (const [i, r] of rows.entries()) cache.set(written.pks[i]!, r.id, r.vector);
    });
  }

  async query(query: VectorQuery, options?: CallOptions): Promise<VectorMatch[]> {
    this.#begin(options);
    const q = vectorRules.checkQuery(query, this.index.dimension, this.capabilities, BACKEND);
    const sql = this.#statements();
    return this.#read("querying vectors", () => {
      const state = readState(this.#db, this.#t, sql.state);
      const candidates = this.#candidates(
        sql,
        q.vector,
        q.topK,
        q.filter,
        state.generation,
        state.knnGeneration,
      );
      let scored = this.#score(sql, q.vector, candidates.pks);
      // sqlite-vec ranks in float32. When its window was full, rows outside it score at most the
      // window's worst; if that is within float32 noise of the k-th best (a run of equal or nearly
      // equal vectors), settle the top k with the exact scan instead.
      if (candidates.windowFull && scored.length >= q.topK) {
        const kth = scored[q.topK - 1]!.score;
        const worst = scored[scored.length - 1]!.score;
        if (worst >= kth - TIE_MARGIN) {
          this.#lastPlan = `${this.#lastPlan}+exact`;
          scored = this.#score(
            sql,
            q.vector,
            this.#scanJs(sql, q.vector, q.topK, q.filter, state.generation),
          );
        }
      }
      const kept = q.minScore === undefined ? scored : scored.filter((m) => m.score >= q.minScore!);
      return kept.slice(0, q.topK).map((m) => this.#toMatch(m, q.includeVectors));
    });
  }

  async get(ids: string[], options?: CallOptions): Promise<StoredVector[]> {
    this.#begin(options);
    vectorRules.checkIds(ids, BACKEND);
    if (ids.length === 0) return [];
    const sql = this.#statements();
    const rows = this.#run("reading vectors", () => sql.rowsByIds.all(JSON.stringify(ids)) as Row[]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row
        ? [
            {
              id,
              vector: toFloat32(row.vector),
              metadata: JSON.parse(row.metadata) as VectorMetadata,
              document: row.document,
            },
          ]
        : [];
    });
  }

  async delete(ids: string[], options?: CallOptions): Promise<void> {
    this.#begin(options);
    vectorRules.checkIds(ids, BACKEND);
    if (ids.length === 0) return;
    const sql = this.#statements();
    this.#deleteWhere("deleting vectors", sql.deleteByIds, [JSON.stringify(ids)]);
  }

  async deleteByFilter(filter: Filter, options?: CallOptions): Promise<void> {
    this.#begin(options);
    const node = vectorRules.checkDeleteFilter(filter, this.capabilities, BACKEND);
    const where = this.#where(node, "metadata");
    const statement = this.#filterStatement(`DELETE FROM ${this.#t.main} WHERE ${where.sql} RETURNING pk`);
    this.#deleteWhere("deleting vectors by filter", statement, where.params);
  }

  async count(options?: CallOptions): Promise<number> {
    this.#begin(options);
    const sql = this.#statements();
    return this.#run("counting vectors", () => sql.count.get() as number);
  }

  /** Remove the index's tables. A later setup() creates it again. */
  async drop(options?: CallOptions): Promise<void> {
    this.#begin(options);
    this.#write("dropping the index", () => {
      if (knnTableExists(this.#db, this.#t) && this.#sqliteVec?.loaded !== true) {
        throw new ConfigError(
          `index ${JSON.stringify(this.#t.name)} has a sqlite-vec table; drop it where sqlite-vec loads (use_sqlite_vec "auto" or true)`,
          { backend: BACKEND, key: "settings.use_sqlite_vec" },
        );
      }
      dropAll(this.#db, this.#t);
    });
    this.#ready = false;
    this.#sql = undefined;
    this.#filterStatements.clear();
    this.#cache = null;
  }

  /** Close the connection if the store opened it; a caller-supplied `database` stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sql = undefined;
    this.#filterStatements.clear();
    this.#cache = null;
    if (this.#owned && this.#db.open) this.#db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Nominate candidate pks for a query. JS scans (and a zero cosine query) give the exact top k;
   * sqlite-vec gives a padded window of its float32 ranking, and `windowFull` says rows may remain
   * outside it (the caller checks the window's edge). Plans, cheapest first:
   * - no filter: the vec0 KNN table;
   * - a filter an expression index narrows (`indexed_fields`): prefilter through the index, then
   *   sqlite-vec's distance over the matching rows;
   * - any other filter: estimate its selectivity on a random sample of rows; if it keeps a good
   *   share, KNN windows sized for it, filtered in SQL, until enough rows pass (exact: the best
   *   filtered rows are among the nearest overall); otherwise, or if the largest window (4096)
   *   is not enough, the prefilter scan.
   */
  #candidates(
    sql: Statements,
    vector: Float32Array,
    topK: number,
    filter: FilterNode | null,
    generation: number,
    knnGeneration: number | null,
  ): { pks: number[]; windowFull: boolean } {
    const plan = (name: QueryPlan) => {
      this.#lastPlan = name;
    };
    const metric = this.index.metric;
    const where = filter ? this.#where(filter, "t.metadata") : null;
    // Cosine against a zero vector is 0 for every row: the reference order is then by id alone.
    if (metric === "cosine" && vector.every((x) => x === 0)) {
      const statement = this.#filterStatement(
        `SELECT pk FROM ${this.#t.main} AS t ${where ? `WHERE ${where.sql}` : ""} ORDER BY id LIMIT ?`,
      );
      plan("by-id");
      return {
        pks: statement.pluck().all(...(where?.params ?? []), candidateCount(topK)) as number[],
        windowFull: false,
      };
    }
    const distance = this.#sqliteVec?.loaded ? knnDistance(metric) : null;
    if (!distance) {
      plan("js-scan");
      return { pks: this.#scanJs(sql, vector, topK, filter, generation), windowFull: false };
    }

    const window = candidateCount(topK);
    const blob = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const knnLive = this.#knn && knnGeneration === generation;
    const share =
      knnLive && where && !usesIndexedField(filter!, this.#indexedFields) ? this.#sampleShare(sql, where) : 0;
    if (knnLive && (!where || share >= MIN_POSTFILTER_SHARE)) {
      const first = where ? Math.min(MAX_KNN_K, Math.ceil((window / share) * 1.5)) : window;
      for (let size = first; ; size = Math.min(MAX_KNN_K, size * 4)) {
        const nearest = sql.knn!.all(blob, size) as number[];
        let windowFull = nearest.length === size;
        if (metric === "cosine") {
          // All-zero vectors stay out of the KNN table (cosine 0 by definition, vec0 would say NaN):
          // offer the first of them by id, which is how the reference orders equal scores.
          const zeros = sql.zeroVectors.all(size) as number[];
          windowFull ||= zeros.length === size;
          nearest.push(...zeros);
        }
        plan(where ? "knn-postfilter" : "knn");
        if (!where) return { pks: nearest, windowFull };
        const passing = this.#filterStatement(
          `SELECT pk FROM ${this.#t.main} AS t WHERE pk IN (SELECT value FROM json_each(?)) AND ${where.sql}`,
        )
          .pluck()
          .all(JSON.stringify(nearest), ...where.params) as number[];
        if (passing.length >= window || !windowFull) return { pks: passing, windowFull };
        if (size === MAX_KNN_K) break;
      }
    }
    // Prefilter, then an exact scan of the matching rows with sqlite-vec's distance function.
    plan("prefilter-scan");
    const fn =
      distance === "cosine"
        ? "coalesce(vec_distance_cosine(e.vector, ?), 1.0)"
        : "vec_distance_l2(e.vector, ?)";
    const statement = this.#filterStatement(
      `SELECT t.pk FROM ${this.#t.main} AS t JOIN ${this.#t.embeddings} AS e ON e.pk = t.pk
       ${where ? `WHERE ${where.sql}` : ""} ORDER BY ${fn} LIMIT ?`,
    );
    const pks = statement.pluck().all(...(where?.params ?? []), blob, window) as number[];
    return { pks, windowFull: pks.length === window };
  }

  /**
   * The share of rows a filter keeps, estimated on up to 256 random rows (0 when the index is too
   * small or sparse to tell: the prefilter scan is cheap there anyway). Only picks a plan; every
   * plan returns the same exact results.
   */
  #sampleShare(sql: Statements, where: SqlFilter): number {
    const maxPk = sql.maxPk.get() as number | null;
    if (!maxPk) return 0;
    const probes = Array.from({ length: SAMPLE_SIZE }, () => 1 + Math.floor(Math.random() * maxPk));
    const hits = this.#filterStatement(
      `SELECT (${where.sql}) FROM ${this.#t.main} AS t WHERE pk IN (SELECT value FROM json_each(?))`,
    )
      .pluck()
      .all(...where.params, JSON.stringify(probes)) as number[];
    if (hits.length < MIN_SAMPLE_HITS) return 0;
    return hits.reduce((a, b) => a + b, 0) / hits.length;
  }

  /** Exact scan in JavaScript over the cached vectors (loaded or refreshed for this generation). */
  #scanJs(
    sql: Statements,
    vector: Float32Array,
    topK: number,
    filter: FilterNode | null,
    generation: number,
  ): number[] {
    const cache = this.#freshCache(sql, generation);
    let only: number[] | undefined;
    if (filter) {
      const where = this.#where(filter, "metadata");
      only = this.#filterStatement(`SELECT pk FROM ${this.#t.main} WHERE ${where.sql}`)
        .pluck()
        .all(...where.params) as number[];
    }
    return cache.topK(vector, topK, only).map((c) => c.pk);
  }

  #where(filter: FilterNode, column: string): SqlFilter {
    return filterToSql(filter, { column, indexedFields: this.#indexedFields });
  }

  #freshCache(sql: Statements, generation: number): VectorCache {
    if (this.#cache && this.#cache.generation === generation) return this.#cache;
    const cache = new VectorCache(
      this.index.dimension,
      this.index.metric,
      generation,
      sql.count.get() as number,
    );
    for (const [pk, id, blob] of sql.allVectors.iterate() as IterableIterator<[number, string, Buffer]>) {
      cache.set(pk, id, toFloat32(blob));
    }
    this.#cache = cache;
    return cache;
  }

  /** Read the candidates and score them exactly as the reference does, best first (ties by id). */
  #score(sql: Statements, vector: Float32Array, pks: number[]): Scored[] {
    if (pks.length === 0) return [];
    const rows = sql.rowsByPks.all(JSON.stringify([...new Set(pks)])) as Row[];
    const scored = rows.map((row) => {
      const stored = toFloat32(row.vector);
      return { row, stored, score: vectorRules.similarity(this.index.metric, vector, stored) };
    });
    return scored.sort(
      (a, b) => b.score - a.score || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0),
    );
  }

  /** Only the returned matches pay for parsing their metadata. */
  #toMatch({ row, stored, score }: Scored, includeVectors: boolean): VectorMatch {
    const match: VectorMatch = {
      id: row.id,
      score,
      metadata: JSON.parse(row.metadata) as VectorMetadata,
      document: row.document,
    };
    if (includeVectors) match.vector = stored;
    return match;
  }

  #deleteWhere(action: string, statement: Statement, params: unknown[]): void {
    const sql = this.#statements();
    const written = this.#write(action, () => {
      const before = this.#bumpGeneration(sql);
      const pks = statement.pluck().all(...params) as number[];
      if (pks.length > 0) {
        const list = JSON.stringify(pks);
        sql.deleteEmbeddings.run(list);
        if (before.knnLive) sql.deleteKnnMany!.run(list);
      }
      return { before, pks };
    });
    this.#afterWrite(written.before.generation, (cache) => {
      for (const pk of written.pks) cache.delete(pk);
    });
  }

  /** Inside a write transaction: advance the generation (and the KNN table's, if it is kept in step). */
  #bumpGeneration(sql: Statements): { generation: number; knnLive: boolean } {
    const state = readState(this.#db, this.#t, sql.state);
    const knnLive = this.#knn && state.knnGeneration === state.generation;
    sql.setMeta.run(META.generation, state.generation + 1);
    if (knnLive) sql.setMeta.run(META.knnGeneration, state.generation + 1);
    return { generation: state.generation, knnLive };
  }

  /** Keep the JS copy in step with this connection's own write, or drop it if others wrote meanwhile. */
  #afterWrite(generationBefore: number, apply: (cache: VectorCache) => void): void {
    const cache = this.#cache;
    if (!cache) return;
    if (cache.generation !== generationBefore) {
      this.#cache = null;
      return;
    }
    apply(cache);
    cache.generation = generationBefore + 1;
  }

  #filterStatement(source: string): Statement {
    let statement = this.#filterStatements.get(source);
    if (statement) {
      // Refresh its place in the LRU order.
      this.#filterStatements.delete(source);
    } else {
      statement = this.#run("preparing a query", () => this.#db.prepare(source));
      if (this.#filterStatements.size >= STATEMENT_CACHE) {
        this.#filterStatements.delete(this.#filterStatements.keys().next().value!);
      }
    }
    this.#filterStatements.set(source, statement);
    return statement;
  }

  #begin(options: CallOptions | undefined): void {
    throwIfAborted(options?.signal, BACKEND);
    if (this.#closed) throw new BackendUnavailableError("the store is closed", { backend: BACKEND });
  }

  #statements(): Statements {
    if (this.#sql) return this.#sql;
    if (!this.#ready) {
      throw new ConfigError(`index ${JSON.stringify(this.#t.name)} is not set up: call setup() first`, {
        backend: BACKEND,
      });
    }
    this.#sql = this.#run("preparing statements", () => new Statements(this.#db, this.#t, this.#knn));
    return this.#sql;
  }

  #run<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toMemoryError(error, BACKEND, action);
    }
  }

  #write<T>(action: string, fn: () => T): T {
    return this.#run(action, () => this.#transaction.immediate(fn) as T);
  }

  #read<T>(action: string, fn: () => T): T {
    return this.#run(action, () => this.#transaction.deferred(fn) as T);
  }
}

/** Statements prepared once per connection; values are always bound. */
class Statements {
  readonly upsertMain: Statement;
  readonly upsertEmbedding: Statement;
  readonly insertKnn: Statement | null;
  readonly deleteKnn: Statement | null;
  readonly deleteKnnMany: Statement | null;
  readonly knn: Statement | null;
  readonly zeroVectors: Statement;
  readonly rowsByPks: Statement;
  readonly rowsByIds: Statement;
  readonly deleteByIds: Statement;
  readonly existingIds: Statement;
  readonly deleteEmbeddings: Statement;
  readonly allVectors: Statement;
  readonly count: Statement;
  readonly maxPk: Statement;
  readonly setMeta: Statement;
  readonly state: Statement;

  constructor(db: Database, t: Tables, knn: boolean) {
    this.state = db.prepare(stateQuery(t));
    this.upsertMain = db
      .prepare(
        `INSERT INTO ${t.main} (id, metadata, document) VALUES (?, jsonb(?), ?)
         ON CONFLICT (id) DO UPDATE SET metadata = excluded.metadata, document = excluded.document RETURNING pk`,
      )
      .pluck();
    this.upsertEmbedding = db.prepare(
      `INSERT OR REPLACE INTO ${t.embeddings} (pk, vector, is_zero) VALUES (?, ?, ?)`,
    );
    // vec0 takes only integer rowids; better-sqlite3 binds JS numbers as REAL, hence the casts.
    this.insertKnn = knn
      ? db.prepare(`INSERT INTO ${t.knn} (rowid, embedding) VALUES (CAST(? AS INTEGER), ?)`)
      : null;
    this.deleteKnn = knn ? db.prepare(`DELETE FROM ${t.knn} WHERE rowid = CAST(? AS INTEGER)`) : null;
    this.deleteKnnMany = knn
      ? db.prepare(`DELETE FROM ${t.knn} WHERE rowid IN (SELECT CAST(value AS INTEGER) FROM json_each(?))`)
      : null;
    this.knn = knn
      ? db.prepare(`SELECT rowid FROM ${t.knn} WHERE embedding MATCH ? AND k = ?`).pluck()
      : null;
    this.zeroVectors = db
      .prepare(
        `SELECT e.pk FROM ${t.embeddings} AS e JOIN ${t.main} AS m ON m.pk = e.pk WHERE e.is_zero = 1 ORDER BY m.id LIMIT ?`,
      )
      .pluck();
    const rowColumns = `m.pk AS pk, m.id AS id, json(m.metadata) AS metadata, m.document AS document, e.vector AS vector`;
    this.rowsByPks = db.prepare(
      `SELECT ${rowColumns} FROM ${t.main} AS m JOIN ${t.embeddings} AS e ON e.pk = m.pk
       WHERE m.pk IN (SELECT value FROM json_each(?))`,
    );
    this.rowsByIds = db.prepare(
      `SELECT ${rowColumns} FROM ${t.main} AS m JOIN ${t.embeddings} AS e ON e.pk = m.pk
       WHERE m.id IN (SELECT value FROM json_each(?))`,
    );
    this.existingIds = db
      .prepare(`SELECT id FROM ${t.main} WHERE id IN (SELECT value FROM json_each(?))`)
      .pluck();
    this.deleteByIds = db.prepare(
      `DELETE FROM ${t.main} WHERE id IN (SELECT value FROM json_each(?)) RETURNING pk`,
    );
    this.deleteEmbeddings = db.prepare(
      `DELETE FROM ${t.embeddings} WHERE pk IN (SELECT value FROM json_each(?))`,
    );
    this.allVectors = db
      .prepare(`SELECT e.pk, m.id, e.vector FROM ${t.embeddings} AS e JOIN ${t.main} AS m ON m.pk = e.pk`)
      .raw();
    this.count = db.prepare(`SELECT count(*) FROM ${t.main}`).pluck();
    this.maxPk = db.prepare(`SELECT max(pk) FROM ${t.main}`).pluck();
    this.setMeta = db.prepare(
      `INSERT INTO ${t.meta} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
  }
}

function toFloat32(blob: Buffer): Float32Array {
  // better-sqlite3 gives each BLOB a Buffer of its own: view it in place when it owns its whole,
  // aligned ArrayBuffer; otherwise (a pooled or unaligned Buffer) copy, so no one else's bytes alias it.
  if (blob.byteOffset === 0 && blob.buffer.byteLength === blob.byteLength && blob.byteLength % 4 === 0) {
    return new Float32Array(blob.buffer, 0, blob.byteLength / 4);
  }
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

function wrapTransactions(db: Database) {
  return db.transaction((fn: () => unknown) => fn());
}
