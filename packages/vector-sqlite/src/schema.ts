import {
  assertIdentifier,
  ConfigError,
  DimensionMismatchError,
  type VectorMetric,
} from "@langswarm/memory-core";
import type { Database, Statement } from "better-sqlite3";
import { literalPath } from "./filter-sql.js";

/**
 * One index = four tables named after `table_name`:
 * - `<t>`            pk, id (unique), metadata (JSONB), document: what filters and results read;
 * - `<t>_embeddings` pk, vector (float32 BLOB), is_zero: the canonical vectors;
 * - `<t>_meta`       key/value: schema version, dimension, metric, write generation;
 * - `<t>_knn`        a sqlite-vec `vec0` table over the same pks (only where sqlite-vec loads and the
 *                    metric is cosine or euclidean): a derived KNN index, rebuildable from `_embeddings`.
 * Metadata and vectors live apart so that a filter scans compact rows and a vector scan reads no JSON.
 */
export interface Tables {
  name: string;
  main: string;
  embeddings: string;
  meta: string;
  knn: string;
  knnBare: string;
  zeroIndex: string;
}

export function tableNames(name: string, backend: string): Tables {
  const quoted = (table: string) => {
    assertIdentifier(table, "table name", { backend });
    return `"${table}"`;
  };
  return {
    name,
    main: quoted(name),
    embeddings: quoted(`${name}_embeddings`),
    meta: quoted(`${name}_meta`),
    knn: quoted(`${name}_knn`),
    knnBare: `${name}_knn`,
    zeroIndex: quoted(`${name}_zero`),
  };
}

export const SCHEMA_VERSION = 1;

/** Keys of the meta table. `generation` counts committed writes; `knn_generation` is what `_knn` reflects. */
export const META = {
  version: "schema_version",
  dimension: "dimension",
  metric: "metric",
  generation: "generation",
  knnGeneration: "knn_generation",
} as const;

export interface IndexState {
  generation: number;
  /** null when there is no `_knn` table. */
  knnGeneration: number | null;
}

export function stateQuery(t: Tables): string {
  return `SELECT key, value FROM ${t.meta} WHERE key IN ('${META.generation}', '${META.knnGeneration}')`;
}

/** Read the write generations (pass the prepared `stateQuery` statement on hot paths). */
export function readState(db: Database, t: Tables, prepared?: Statement): IndexState {
  const rows = (prepared ?? db.prepare(stateQuery(t))).raw().all() as [string, number][];
  const map = new Map(rows);
  return { generation: map.get(META.generation) ?? 0, knnGeneration: map.get(META.knnGeneration) ?? null };
}

/**
 * Create the index, or check an existing one against the configuration. Runs in the caller's IMMEDIATE
 * transaction, so two processes doing it at once serialize and the second only checks.
 */
export function createOrCheck(
  db: Database,
  t: Tables,
  spec: { dimension: number; metric: VectorMetric },
  backend: string,
): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${t.meta} (key TEXT PRIMARY KEY, value ANY NOT NULL) WITHOUT ROWID`);
  const meta = new Map(
    db.prepare(`SELECT key, value FROM ${t.meta}`).raw().all() as [string, string | number][],
  );
  const version = meta.get(META.version);
  if (version === undefined) {
    db.exec(`
      CREATE TABLE ${t.main} (
        pk       INTEGER PRIMARY KEY,
        id       TEXT NOT NULL UNIQUE,
        metadata BLOB NOT NULL,
        document TEXT
      );
      CREATE TABLE ${t.embeddings} (
        pk      INTEGER PRIMARY KEY,
        vector  BLOB NOT NULL,
        is_zero INTEGER NOT NULL
      );
      CREATE INDEX ${t.zeroIndex} ON ${t.embeddings} (pk) WHERE is_zero = 1;
    `);
    const put = db.prepare(`INSERT INTO ${t.meta} (key, value) VALUES (?, ?)`);
    put.run(META.version, SCHEMA_VERSION);
    put.run(META.dimension, spec.dimension);
    put.run(META.metric, spec.metric);
    put.run(META.generation, 0);
    return;
  }
  if (Number(version) > SCHEMA_VERSION) {
    throw new ConfigError(
      `index ${JSON.stringify(t.name)} has schema version ${version}, newer than this package supports (${SCHEMA_VERSION}); upgrade @langswarm/vector-sqlite`,
      { backend, key: "settings.table_name" },
    );
  }
  const dimension = Number(meta.get(META.dimension));
  if (dimension !== spec.dimension) {
    throw new DimensionMismatchError(dimension, spec.dimension, {
      backend,
      what: `the configured index ${JSON.stringify(t.name)} (settings.dimension)`,
    });
  }
  const metric = String(meta.get(META.metric));
  if (metric !== spec.metric) {
    throw new ConfigError(
      `index ${JSON.stringify(t.name)} was created with metric "${metric}", the configuration says "${spec.metric}"`,
      { backend, key: "settings.metric" },
    );
  }
}

export function knnTableExists(db: Database, t: Tables): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE name = ?").pluck().get(t.knnBare) !== undefined;
}

/** vec0's own distance for the metric; dot product has none (the JS scan serves it). */
export function knnDistance(metric: VectorMetric): "cosine" | "l2" | null {
  return metric === "cosine" ? "cosine" : metric === "euclidean" ? "l2" : null;
}

/**
 * (Re)build `_knn` from `_embeddings` so it reflects `generation`. Called from setup() inside its
 * IMMEDIATE transaction: on first use with sqlite-vec, and when writers without sqlite-vec left it
 * behind. Cosine leaves out all-zero vectors: their similarity is defined as 0, vec0 would say NaN.
 */
export function rebuildKnn(db: Database, t: Tables, spec: { dimension: number; metric: VectorMetric }): void {
  const distance = knnDistance(spec.metric);
  if (!distance) return;
  if (knnTableExists(db, t)) db.exec(`DELETE FROM ${t.knn}`);
  else
    db.exec(
      `CREATE VIRTUAL TABLE ${t.knn} USING vec0(embedding float[${Math.trunc(spec.dimension)}] distance_metric=${distance})`,
    );
  const skipZero = spec.metric === "cosine" ? "WHERE is_zero = 0" : "";
  db.exec(`INSERT INTO ${t.knn} (rowid, embedding) SELECT pk, vector FROM ${t.embeddings} ${skipZero}`);
  const generation = readState(db, t).generation;
  db.prepare(
    `INSERT INTO ${t.meta} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(META.knnGeneration, generation);
}

/**
 * One expression index per indexed metadata field, on exactly the expressions the filter translator
 * emits for it (`metadata ->> '$."field"'` and its `json_type`). Created if missing; fields removed from the setting keep
 * their (harmless) index until the index is dropped.
 */
export function createFieldIndexes(db: Database, t: Tables, fields: Iterable<string>): void {
  for (const field of fields) {
    const name = `${t.name}_by_${field.replaceAll("-", "_")}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unexpected index name ${name}`);
    const path = literalPath(field);
    // Value and JSON type together: the filter checks both, and then never reads the table row.
    db.exec(
      `CREATE INDEX IF NOT EXISTS "${name}" ON ${t.main} ((metadata ->> ${path}), json_type(metadata, ${path}))`,
    );
  }
}

/** Drop every table of the index. `_knn` needs sqlite-vec loaded (SQLite asks the module to drop it). */
export function dropAll(db: Database, t: Tables): void {
  db.exec(`DROP TABLE IF EXISTS ${t.knn}`);
  db.exec(`DROP TABLE IF EXISTS ${t.embeddings}`);
  db.exec(`DROP TABLE IF EXISTS ${t.main}`);
  db.exec(`DROP TABLE IF EXISTS ${t.meta}`);
}
