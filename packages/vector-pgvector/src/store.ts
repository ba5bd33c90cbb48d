import {
  ALL_FILTER_OPERATORS,
  BackendUnavailableError,
  type CallOptions,
  type Filter,
  type StoredVector,
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
import pg from "pg";
import { encodeVector, encodeVectorArray, parseVectorText } from "./codec.js";
import { Connection, type Session } from "./connection.js";
import { BACKEND, extensionError, sqlstate } from "./errors.js";
import { filterToSql, Params } from "./filter.js";
import { buildNames, type Names } from "./names.js";
import {
  MAX_DIMENSION,
  makeScrubber,
  type PgVectorSettings,
  type ResolvedSettings,
  resolveSettings,
} from "./settings.js";
import { ensureEmbeddingIndex, runSetup, SETUP_LOCK_KEY, type SetupResult } from "./setup.js";
import { Statements } from "./sql.js";

/** What the descriptor advertises. A store built with index_type "none" reports `exact: true`. */
export const PGVECTOR_CAPABILITIES: VectorCapabilities = {
  filterOperators: ALL_FILTER_OPERATORS,
  metrics: vectorRules.METRICS,
  maxDimension: MAX_DIMENSION,
  exact: false,
  persistent: true,
  deleteByFilter: true,
};

interface Row {
  id: string;
  metadata: VectorMetadata;
  document: string | null;
  embedding?: string;
  score?: number;
}

/**
 * A vector index in one PostgreSQL table (pgvector): `id text PRIMARY KEY, embedding vector(d),
 * metadata jsonb, document text`, with an HNSW (default) or IVFFlat index and a GIN index on the
 * metadata. setup() creates or checks it; every other call is one statement (or one transaction).
 */
export class PgVectorStore implements VectorStore {
  readonly backend = BACKEND;
  readonly capabilities: VectorCapabilities;
  readonly index: VectorIndexInfo;
  readonly settings: ResolvedSettings;
  readonly #conn: Connection;
  readonly #names: Names;
  readonly #sql: Statements;
  readonly #scrub: (text: string) => string;
  #setup: SetupResult | undefined;
  /** OID of pgvector's `vector` type, needed to send vector[] in binary (it differs per database). */
  #vectorTypeOid: number | undefined;

  /**
   * `settings` are LangSwarm's `connection_params` (snake_case, validated here); `context` is what the
   * manager knows (the embedding dimension, the metric, an index-name suffix).
   */
  constructor(settings: PgVectorSettings | Record<string, unknown>, context: VectorCreateContext = {}) {
    const resolved = resolveSettings(settings, context);
    this.settings = resolved;
    this.capabilities = { ...PGVECTOR_CAPABILITIES, exact: resolved.index.type === "none" };
    this.index = {
      name: `${resolved.schema}.${resolved.table}`,
      dimension: resolved.dimension,
      metric: resolved.metric,
    };
    vectorRules.checkIndexInfo(this.index, this.capabilities, BACKEND);
    this.#names = buildNames(resolved.schema, resolved.table);
    this.#sql = new Statements(this.#names, resolved.dimension, resolved.metric, resolved.index);
    this.#scrub = makeScrubber(resolved.secrets);
    const owned = resolved.pool === undefined;
    const pool = resolved.pool ?? new pg.Pool(resolved.poolConfig);
    // An idle pooled connection that dies must not crash the process; the next call reconnects.
    if (owned) pool.on("error", () => {});
    this.#conn = new Connection({
      pool,
      owned,
      target: resolved.target,
      scrub: this.#scrub,
      maxRetries: resolved.maxRetries,
    });
  }

  /** The result of the last setup(): pgvector version, layout version, whether the index exists. */
  get setupResult(): SetupResult | undefined {
    return this.#setup;
  }

  async setup(options?: CallOptions): Promise<void> {
    const s = this.settings;
    this.#setup = await this.#run("setup", options, (session) =>
      runSetup(
        session,
        this.#names,
        this.#sql,
        {
          dimension: s.dimension,
          metric: s.metric,
          index: s.index,
          iterativeScan: s.search.iterativeScan,
          metadataIndex: s.metadataIndex,
        },
        (inner) => this.#installExtension(inner),
      ),
    );
  }

  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    const checked = vectorRules.checkUpsert(records, this.index.dimension, BACKEND);
    if (checked.length === 0) return;
    const size = this.settings.upsertBatchSize;
    const text = this.#sql.upsert();
    await this.#run("upsert", options, async (session) => {
      const oid = await this.#vectorOid(session);
      const write = async (from: number) => {
        const batch = checked.slice(from, from + size);
        await session.query(text, [
          batch.map((r) => r.id),
          encodeVectorArray(
            batch.map((r) => r.vector),
            oid,
          ),
          batch.map((r) => JSON.stringify(r.metadata)),
          batch.map((r) => r.document),
        ]);
      };
      try {
        if (checked.length <= size) return await write(0);
        // Several statements: one transaction, so the upsert stays all-or-nothing.
        return await session.transaction(async () => {
          for (let from = 0; from < checked.length; from += size) await write(from);
        });
      } catch (error) {
        // "wrong element type": the extension was re-created under another type OID. Forget the
        // cached one; the next call looks it up again.
        if (sqlstate(error) === "42804") this.#vectorTypeOid = undefined;
        throw error;
      }
    });
  }

  async query(query: VectorQuery, options?: CallOptions): Promise<VectorMatch[]> {
    const q = vectorRules.checkQuery(query, this.index.dimension, this.capabilities, BACKEND);
    const params = new Params([encodeVector(q.vector)]);
    const where = q.filter ? filterToSql(q.filter, params) : null;
    const minScoreParam = q.minScore !== undefined ? params.add(q.minScore) : null;
    const limitParam = params.add(q.topK);
    const text = this.#sql.query({
      vectorParam: "$1",
      where,
      minScoreParam,
      limitParam,
      includeVectors: q.includeVectors,
    });
    // A metadata filter drops rows after the index produced them: let pgvector keep scanning.
    const begin = this.#sql.searchSettings(this.settings.search, q.topK, where !== null);
    const rows = await this.#run("query", options, (session) =>
      begin
        ? session.transaction(() => session.query<Row>(text, params.values), begin)
        : session.query<Row>(text, params.values),
    );
    return rows.rows.map((row) => ({
      id: row.id,
      score: Number(row.score),
      metadata: row.metadata,
      document: row.document,
      ...(q.includeVectors ? { vector: parseVectorText(row.embedding, this.index.dimension) } : {}),
    }));
  }

  async get(ids: string[], options?: CallOptions): Promise<StoredVector[]> {
    vectorRules.checkIds(ids, BACKEND);
    if (ids.length === 0) return [];
    const result = await this.#run("get", options, (session) =>
      session.query<Row>(this.#sql.get(), [[...new Set(ids)]]),
    );
    const byId = new Map(result.rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      return [
        {
          id,
          vector: parseVectorText(row.embedding, this.index.dimension),
          metadata: structuredClone(row.metadata),
          document: row.document,
        },
      ];
    });
  }

  async delete(ids: string[], options?: CallOptions): Promise<void> {
    vectorRules.checkIds(ids, BACKEND);
    if (ids.length === 0) return;
    await this.#run("delete", options, (session) =>
      session.query(this.#sql.deleteIds(), [[...new Set(ids)]]),
    );
  }

  async deleteByFilter(filter: Filter, options?: CallOptions): Promise<void> {
    const node = vectorRules.checkDeleteFilter(filter, this.capabilities, BACKEND);
    const params = new Params();
    const text = this.#sql.deleteWhere(filterToSql(node, params));
    await this.#run("deleteByFilter", options, (session) => session.query(text, params.values));
  }

  async count(options?: CallOptions): Promise<number> {
    const result = await this.#run("count", options, (session) =>
      session.query<{ n: string }>(this.#sql.count()),
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  /** Drop the table and its meta record. setup() creates it again. */
  async drop(options?: CallOptions): Promise<void> {
    await this.#run("drop", options, (session) =>
      session.transaction(async () => {
        await session.query("SELECT pg_advisory_xact_lock($1::bigint)", [SETUP_LOCK_KEY.toString()]);
        await session.query(`DROP TABLE IF EXISTS ${this.#names.table}`);
        const meta = await session.query("SELECT to_regclass($1) IS NOT NULL AS exists", [this.#names.meta]);
        if (meta.rows[0]?.exists === true)
          await session.query(`DELETE FROM ${this.#names.meta} WHERE table_name = $1`, [
            this.#names.raw.table,
          ]);
      }),
    );
    this.#setup = undefined;
  }

  /**
   * Rebuild the embedding index (after a large load into an IVFFlat table, whose lists are trained
   * on the rows present at build time), or build an IVFFlat index setup() deferred for lack of rows.
   */
  async reindex(options?: CallOptions): Promise<void> {
    await this.#run("reindex", options, (session) =>
      session.transaction(async () => {
        await session.query("SELECT pg_advisory_xact_lock($1::bigint)", [SETUP_LOCK_KEY.toString()]);
        const built = await session.query(
          "SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2",
          [this.#names.raw.schema, this.#names.raw.embeddingIndex],
        );
        if (built.rowCount > 0)
          await session.query(`REINDEX INDEX ${this.#names.schema}.${this.#names.embeddingIndex}`);
        else await ensureEmbeddingIndex(session, this.#names, this.#sql, this.settings.index);
      }),
    );
  }

  /** Ends the pool the store created; a pool passed in settings stays open. */
  async close(): Promise<void> {
    await this.#conn.close();
  }

  async #installExtension(session: Session): Promise<string> {
    const installed = await session.query<{ extversion: string }>(
      "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
    );
    if (installed.rows[0]) return installed.rows[0].extversion;
    try {
      await session.query("CREATE EXTENSION IF NOT EXISTS vector");
    } catch (error) {
      const state = sqlstate(error);
      if (state === "58P01" || state === "0A000" || state === "42501") {
        throw extensionError(error, {
          operation: "setup",
          target: this.settings.target,
          scrub: this.#scrub,
          database: this.settings.database,
        });
      }
      throw error;
    }
    const after = await session.query<{ extversion: string }>(
      "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
    );
    return after.rows[0]?.extversion ?? "0";
  }

  async #vectorOid(session: Session): Promise<number> {
    if (this.#vectorTypeOid === undefined) {
      const found = await session.query<{ oid: number }>("SELECT 'vector'::regtype::oid AS oid");
      this.#vectorTypeOid = Number(found.rows[0]?.oid);
    }
    return this.#vectorTypeOid;
  }

  #run<T>(
    operation: string,
    options: CallOptions | undefined,
    work: (session: Session) => Promise<T>,
  ): Promise<T> {
    if (this.#conn.closed)
      return Promise.reject(
        new BackendUnavailableError(`${operation}: the store was closed`, { backend: BACKEND }),
      );
    return this.#conn.run(operation, options?.signal, work);
  }
}
