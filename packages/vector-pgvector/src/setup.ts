import { ConfigError, DimensionMismatchError, type VectorMetric } from "@langswarm/memory-core";
import type { Session } from "./connection.js";
import { BACKEND } from "./errors.js";
import type { Names } from "./names.js";
import type { IndexSpec, IterativeScan } from "./settings.js";
import type { Statements } from "./sql.js";

/**
 * The table layout version this code writes. Each migration moves a table from `version - 1` to
 * `version`; setup() applies the missing ones in order, under the setup lock, and records the result
 * in the table's meta row. Version 1 is the first layout (nothing to migrate yet).
 */
export const LAYOUT_VERSION = 1;

export interface Migration {
  version: number;
  description: string;
  statements: (names: Names, statements: Statements) => string[];
}

export const MIGRATIONS: readonly Migration[] = [];

/**
 * One advisory lock for every setup() of this package in the database: setups are rare, and one key
 * also serializes CREATE EXTENSION and CREATE SCHEMA (which race across tables, not only within one).
 */
export const SETUP_LOCK_KEY = 0x6c73_7667n; // "lsvg"

export interface TableSpec {
  dimension: number;
  metric: VectorMetric;
  index: IndexSpec;
  iterativeScan: IterativeScan;
  metadataIndex: boolean;
}

export interface SetupResult {
  created: boolean;
  pgvectorVersion: string;
  layoutVersion: number;
  migrated: number[];
  /** False while an IVFFlat index waits for enough rows to train its lists. */
  embeddingIndexBuilt: boolean;
}

interface MetaRow {
  dimension: number;
  metric: string;
  index_type: string;
  halfvec: boolean;
  layout_version: number;
}

/**
 * Create or check the vector table, inside one transaction holding the setup lock:
 * the extension (with a precise ConfigError when it is missing or may not be created), the schema,
 * the meta table, then either a new table + indexes + meta row, or a check of the existing meta row
 * against the config (DimensionMismatchError / ConfigError) and the pending migrations.
 */
export async function runSetup(
  session: Session,
  names: Names,
  statements: Statements,
  spec: TableSpec,
  installExtension: (session: Session) => Promise<string>,
): Promise<SetupResult> {
  return session.transaction(async () => {
    await session.query("SELECT pg_advisory_xact_lock($1::bigint)", [SETUP_LOCK_KEY.toString()]);
    const version = await installExtension(session);
    checkPgvectorVersion(version, spec);

    const schemaExists = await session.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [
      names.raw.schema,
    ]);
    if (schemaExists.rowCount === 0) await session.query(`CREATE SCHEMA IF NOT EXISTS ${names.schema}`);
    await session.query(`CREATE TABLE IF NOT EXISTS ${names.meta} (
  table_name text PRIMARY KEY,
  layout_version integer NOT NULL,
  dimension integer NOT NULL,
  metric text NOT NULL,
  index_type text NOT NULL,
  halfvec boolean NOT NULL,
  index_options jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
)`);

    const found = await session.query<MetaRow>(
      `SELECT dimension, metric, index_type, halfvec, layout_version FROM ${names.meta} WHERE table_name = $1`,
      [names.raw.table],
    );
    const tableExists =
      (await session.query("SELECT to_regclass($1) IS NOT NULL AS exists", [names.table])).rows[0]?.exists ===
      true;
    let meta = found.rows[0];
    if (meta && !tableExists) {
      // The table was dropped behind our back: forget its record and create it afresh.
      await session.query(`DELETE FROM ${names.meta} WHERE table_name = $1`, [names.raw.table]);
      meta = undefined;
    }

    let created = false;
    const migrated: number[] = [];
    if (!meta) {
      if (tableExists) {
        throw new ConfigError(
          `table ${names.raw.schema}.${names.raw.table} exists but was not created by this store (no record in ${names.raw.schema}.langswarm_vector_tables); choose another table_name or schema`,
          { backend: BACKEND, key: "table_name" },
        );
      }
      await session.query(statements.createTable());
      const index = statements.createEmbeddingIndex();
      // IVFFlat trains its lists on the rows present at build time: an empty table gives useless lists.
      if (index && spec.index.type === "hnsw") await session.query(index);
      await session.query(
        `INSERT INTO ${names.meta} (table_name, layout_version, dimension, metric, index_type, halfvec, index_options)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
        [
          names.raw.table,
          LAYOUT_VERSION,
          spec.dimension,
          spec.metric,
          spec.index.type,
          spec.index.halfvec,
          JSON.stringify(indexOptions(spec.index)),
        ],
      );
      created = true;
    } else {
      checkExisting(meta, spec, `${names.raw.schema}.${names.raw.table}`);
      for (const migration of MIGRATIONS) {
        if (migration.version <= meta.layout_version || migration.version > LAYOUT_VERSION) continue;
        for (const sql of migration.statements(names, statements)) await session.query(sql);
        migrated.push(migration.version);
      }
      if (migrated.length > 0) {
        await session.query(
          `UPDATE ${names.meta} SET layout_version = $2, updated_at = now() WHERE table_name = $1`,
          [names.raw.table, LAYOUT_VERSION],
        );
      }
    }
    if (spec.metadataIndex) await session.query(statements.createMetadataIndex());
    const built = await ensureEmbeddingIndex(session, names, statements, spec.index);
    return {
      created,
      pgvectorVersion: version,
      layoutVersion: Math.max(meta?.layout_version ?? LAYOUT_VERSION, ...migrated),
      migrated,
      embeddingIndexBuilt: built,
    };
  });
}

/**
 * HNSW indexes are created with the table. An IVFFlat index is built once the table holds at least
 * `lists` rows (pgvector's minimum to train every list); until then queries are exact scans.
 */
export async function ensureEmbeddingIndex(
  session: Session,
  names: Names,
  statements: Statements,
  index: IndexSpec,
): Promise<boolean> {
  const sql = statements.createEmbeddingIndex();
  if (!sql) return false;
  const exists = await session.query("SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2", [
    names.raw.schema,
    names.raw.embeddingIndex,
  ]);
  if (exists.rowCount > 0) return true;
  if (index.type === "ivfflat") {
    const rows = await session.query<{ enough: boolean }>(
      `SELECT count(*) >= $1 AS enough FROM (SELECT 1 FROM ${names.table} LIMIT $1) s`,
      [index.lists],
    );
    if (rows.rows[0]?.enough !== true) return false;
  }
  await session.query(sql);
  return true;
}

function checkExisting(meta: MetaRow, spec: TableSpec, where: string): void {
  if (meta.dimension !== spec.dimension) {
    throw new DimensionMismatchError(meta.dimension, spec.dimension, {
      backend: BACKEND,
      what: `the config for table ${where}`,
    });
  }
  const fix = `use another table_name, or drop() the table and re-index`;
  if (meta.metric !== spec.metric) {
    throw new ConfigError(
      `table ${where} was created for metric "${meta.metric}", but the config asks for "${spec.metric}"; ${fix}`,
      { backend: BACKEND, key: "metric" },
    );
  }
  if (meta.index_type !== spec.index.type) {
    throw new ConfigError(
      `table ${where} was created with index_type "${meta.index_type}", but the config asks for "${spec.index.type}"; ${fix}`,
      {
        backend: BACKEND,
        key: "index_type",
      },
    );
  }
  if (meta.halfvec !== spec.index.halfvec) {
    throw new ConfigError(
      `table ${where} was created with halfvec ${meta.halfvec}, but the config resolves to ${spec.index.halfvec}; ${fix}`,
      {
        backend: BACKEND,
        key: "halfvec",
      },
    );
  }
  if (meta.layout_version > LAYOUT_VERSION) {
    throw new ConfigError(
      `table ${where} has layout version ${meta.layout_version}, newer than this package understands (${LAYOUT_VERSION}); upgrade @langswarm/vector-pgvector`,
      {
        backend: BACKEND,
      },
    );
  }
}

function indexOptions(index: IndexSpec): Record<string, number> {
  if (index.type === "hnsw") return { m: index.m, ef_construction: index.efConstruction };
  if (index.type === "ivfflat") return { lists: index.lists };
  return {};
}

/** pgvector features by version: HNSW 0.5.0, halfvec 0.7.0, iterative index scans 0.8.0. */
export function checkPgvectorVersion(version: string, spec: TableSpec): void {
  const [major = 0, minor = 0] = version.split(".").map((p) => Number.parseInt(p, 10));
  const atLeast = (a: number, b: number) => major > a || (major === a && minor >= b);
  const upgrade = "upgrade pgvector on the server, then run ALTER EXTENSION vector UPDATE";
  if (spec.index.type === "hnsw" && !atLeast(0, 5)) {
    throw new ConfigError(
      `pgvector ${version} has no HNSW indexes (0.5.0+); ${upgrade}, or set index_type "ivfflat"`,
      { backend: BACKEND, key: "index_type" },
    );
  }
  if (spec.index.halfvec && !atLeast(0, 7)) {
    throw new ConfigError(`pgvector ${version} has no halfvec type (0.7.0+); ${upgrade}`, {
      backend: BACKEND,
      key: "halfvec",
    });
  }
  if (spec.index.type !== "none" && spec.iterativeScan !== "off" && !atLeast(0, 8)) {
    throw new ConfigError(
      `pgvector ${version} has no iterative index scans (0.8.0+), so a filtered query could return fewer than topK matches; ${upgrade}, or set iterative_scan "off" to accept that`,
      { backend: BACKEND, key: "iterative_scan" },
    );
  }
}
