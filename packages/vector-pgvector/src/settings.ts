import {
  ConfigError,
  IDENTIFIER_PATTERN,
  type SettingsSchema,
  type VectorCreateContext,
  type VectorMetric,
  validateSettings,
} from "@langswarm/memory-core";
import type { Pool, PoolConfig } from "pg";
import { parseIntoClientConfig } from "pg-connection-string";
import { BACKEND } from "./errors.js";

export type IndexType = "hnsw" | "ivfflat" | "none";
export type IterativeScan = "relaxed_order" | "strict_order" | "off";

/** LangSwarm's snake_case `vector_store.connection_params` for `store_type: "pgvector"`. */
export interface PgVectorSettings {
  url?: string;
  connection_string?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean | Record<string, unknown>;
  schema?: string;
  table_name?: string;
  dimension?: number;
  metric?: VectorMetric;
  index_type?: IndexType;
  hnsw_m?: number;
  hnsw_ef_construction?: number;
  ef_search?: number;
  ivfflat_lists?: number;
  ivfflat_probes?: number;
  iterative_scan?: IterativeScan;
  max_scan_tuples?: number;
  halfvec?: boolean | "auto";
  metadata_index?: boolean;
  upsert_batch_size?: number;
  pool_size?: number;
  connect_timeout_ms?: number;
  statement_timeout_ms?: number;
  application_name?: string;
  max_retries?: number;
  /** A caller-owned pg.Pool: the store uses it and never ends it. */
  pool?: Pool;
}

/** pgvector's limits: `vector` columns hold up to 16,000 dimensions, indexes take 2,000 (`halfvec` 4,000). */
export const MAX_DIMENSION = 16_000;
export const MAX_INDEXED_VECTOR = 2_000;
export const MAX_INDEXED_HALFVEC = 4_000;
export const DEFAULT_TABLE = "langswarm_vectors";
/** pgvector's own default for hnsw.ef_search. */
export const PGVECTOR_DEFAULT_EF_SEARCH = 40;

export const settingsSchema: SettingsSchema = {
  url: {
    type: "string",
    secret: true,
    description: "connection URL postgres://user:password@host:port/database",
  },
  connection_string: { type: "string", secret: true, description: "same as url (LangSwarm's spelling)" },
  host: {
    type: "string",
    description: "server host name, IP address or unix socket directory (default: PGHOST or localhost)",
  },
  port: { type: "integer", min: 1, max: 65535, description: "server port (default: PGPORT or 5432)" },
  database: { type: "string", description: "database name (default: PGDATABASE or the user name)" },
  user: { type: "string", description: "user name (default: PGUSER or the OS user)" },
  password: { type: "string", secret: true, description: "password (default: PGPASSWORD or ~/.pgpass)" },
  ssl: {
    type: ["boolean", "object"],
    description: "TLS: true, or node:tls options such as { ca, rejectUnauthorized }",
  },
  schema: {
    type: "string",
    pattern: IDENTIFIER_PATTERN,
    default: "public",
    description: "schema of the vector table (created by setup() if missing)",
  },
  table_name: {
    type: "string",
    pattern: IDENTIFIER_PATTERN,
    default: DEFAULT_TABLE,
    description: "table holding the vectors",
  },
  dimension: {
    type: "integer",
    min: 1,
    max: MAX_DIMENSION,
    description: "vector dimension (default: the embedding provider's; never guessed)",
  },
  metric: {
    type: "string",
    enum: ["cosine", "euclidean", "dot"],
    description: "similarity metric (default: the manager's, else cosine)",
  },
  index_type: {
    type: "string",
    enum: ["hnsw", "ivfflat", "none"],
    default: "hnsw",
    description: "ANN index; none = exact scans",
  },
  hnsw_m: {
    type: "integer",
    min: 2,
    max: 100,
    default: 16,
    description: "HNSW: connections per node (index build option m)",
  },
  hnsw_ef_construction: {
    type: "integer",
    min: 4,
    max: 1000,
    default: 64,
    description: "HNSW: candidate list size while building (ef_construction)",
  },
  ef_search: {
    type: "integer",
    min: 1,
    max: 1000,
    description:
      "HNSW: candidate list size per query (hnsw.ef_search; default 40, raised to topK when smaller)",
  },
  ivfflat_lists: {
    type: "integer",
    min: 1,
    max: 32768,
    default: 100,
    description: "IVFFlat: number of lists (rows / 1000 is a good start)",
  },
  ivfflat_probes: {
    type: "integer",
    min: 1,
    max: 32768,
    description: "IVFFlat: lists probed per query (default: sqrt(lists))",
  },
  iterative_scan: {
    type: "string",
    enum: ["relaxed_order", "strict_order", "off"],
    default: "relaxed_order",
    description:
      "pgvector 0.8 iterative index scans for filtered queries (off: a filtered query may return fewer than topK)",
  },
  max_scan_tuples: {
    type: "integer",
    min: 1,
    description:
      "HNSW: tuples an iterative scan visits at most (hnsw.max_scan_tuples; pgvector default 20000)",
  },
  halfvec: {
    type: ["boolean", "string"],
    pattern: /^auto$/,
    default: "auto",
    description: 'index in half precision: true, false or "auto" (on above 2000 dimensions)',
  },
  metadata_index: {
    type: "boolean",
    default: true,
    description: "GIN (jsonb_path_ops) index on metadata, so selective $eq/$in filters run as exact scans",
  },
  upsert_batch_size: {
    type: "integer",
    min: 1,
    max: 10_000,
    default: 500,
    description: "rows per INSERT statement (one round trip each)",
  },
  pool_size: {
    type: "integer",
    min: 1,
    max: 1000,
    default: 10,
    description: "maximum connections in the pool the store creates",
  },
  connect_timeout_ms: {
    type: "integer",
    min: 0,
    default: 10_000,
    description: "give up connecting after this long (0 = wait forever)",
  },
  statement_timeout_ms: {
    type: "integer",
    min: 0,
    description: "server-side statement_timeout for the store's connections (0 = none)",
  },
  application_name: { type: "string", default: "langswarm-memory", description: "shown in pg_stat_activity" },
  max_retries: {
    type: "integer",
    min: 0,
    max: 10,
    default: 2,
    description: "retries after a connection failure (every call is idempotent)",
  },
  pool: { type: "instance", description: "a pg.Pool you own; the store uses it and never ends it" },
};

const CONNECTION_KEYS = [
  "url",
  "connection_string",
  "host",
  "port",
  "database",
  "user",
  "password",
  "ssl",
  "pool_size",
  "connect_timeout_ms",
  "statement_timeout_ms",
  "application_name",
] as const;

export interface IndexSpec {
  type: IndexType;
  /** Index (and compare) in half precision: the column keeps full precision. */
  halfvec: boolean;
  m: number;
  efConstruction: number;
  lists: number;
}

export interface SearchSpec {
  /** undefined = leave the server's setting unless topK needs more. */
  efSearch: number | undefined;
  probes: number;
  iterativeScan: IterativeScan;
  maxScanTuples: number | undefined;
}

export interface ResolvedSettings {
  schema: string;
  table: string;
  dimension: number;
  metric: VectorMetric;
  index: IndexSpec;
  search: SearchSpec;
  metadataIndex: boolean;
  upsertBatchSize: number;
  maxRetries: number;
  pool: Pool | undefined;
  poolConfig: PoolConfig | undefined;
  /** host:port/database, for messages; never credentials. */
  target: string;
  database: string;
  secrets: string[];
}

/**
 * Validate settings (LangSwarm's keys) and the manager's context into what the store needs.
 * Throws ConfigError naming the key.
 */
export function resolveSettings(
  input: PgVectorSettings | Record<string, unknown>,
  context: VectorCreateContext = {},
): ResolvedSettings {
  const s = validateSettings(settingsSchema, input, { backend: BACKEND }) as unknown as Required<
    Pick<
      PgVectorSettings,
      | "schema"
      | "table_name"
      | "index_type"
      | "hnsw_m"
      | "hnsw_ef_construction"
      | "ivfflat_lists"
      | "iterative_scan"
      | "halfvec"
      | "metadata_index"
      | "upsert_batch_size"
      | "pool_size"
      | "connect_timeout_ms"
      | "application_name"
      | "max_retries"
    >
  > &
    PgVectorSettings;
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${key}: ${message}`, { backend: BACKEND, key });
  };

  const dimension = s.dimension ?? context.dimension;
  if (s.dimension !== undefined && context.dimension !== undefined && s.dimension !== context.dimension) {
    fail(
      "dimension",
      `is ${s.dimension}, but the embedding provider makes ${context.dimension}-dimensional vectors`,
    );
  }
  if (dimension === undefined)
    fail("dimension", "is required when no embedding provider gives it (it is never guessed)");
  if (!Number.isSafeInteger(dimension) || dimension! < 1 || dimension! > MAX_DIMENSION) {
    fail(
      "dimension",
      `must be an integer between 1 and ${MAX_DIMENSION} (pgvector's vector type), got ${String(dimension)}`,
    );
  }
  if (s.metric !== undefined && context.metric !== undefined && s.metric !== context.metric) {
    fail("metric", `is ${s.metric}, but the manager asks for ${context.metric}`);
  }
  const metric = s.metric ?? context.metric ?? "cosine";

  let table = s.table_name;
  if (context.indexName !== undefined) {
    table = `${s.table_name}_${context.indexName}`;
    if (!IDENTIFIER_PATTERN.test(table))
      fail(
        "table_name",
        `with the index suffix "${context.indexName}" the name ${JSON.stringify(table)} must match ${IDENTIFIER_PATTERN}`,
      );
  }

  // halfvec is about the index: without one, scans use the full-precision column.
  const halfvec =
    s.index_type !== "none" && (s.halfvec === "auto" ? dimension! > MAX_INDEXED_VECTOR : s.halfvec);
  if (s.index_type !== "none") {
    const limit = halfvec ? MAX_INDEXED_HALFVEC : MAX_INDEXED_VECTOR;
    if (dimension! > limit) {
      fail(
        halfvec ? "dimension" : "halfvec",
        halfvec
          ? `pgvector indexes halfvec up to ${MAX_INDEXED_HALFVEC} dimensions (got ${dimension}); use a smaller embedding or index_type "none" (exact scans)`
          : `pgvector indexes vector up to ${MAX_INDEXED_VECTOR} dimensions (got ${dimension}); set halfvec: true (up to ${MAX_INDEXED_HALFVEC}) or "auto"`,
      );
    }
  }
  if (s.ef_search !== undefined && s.index_type !== "hnsw")
    fail("ef_search", `applies to index_type "hnsw" only (index_type is "${s.index_type}")`);
  if (s.ivfflat_probes !== undefined && s.index_type !== "ivfflat")
    fail("ivfflat_probes", `applies to index_type "ivfflat" only (index_type is "${s.index_type}")`);
  if (s.ivfflat_probes !== undefined && s.ivfflat_probes > s.ivfflat_lists)
    fail("ivfflat_probes", `must not exceed ivfflat_lists (${s.ivfflat_lists})`);
  if (s.max_scan_tuples !== undefined && s.index_type !== "hnsw")
    fail("max_scan_tuples", `applies to index_type "hnsw" only (index_type is "${s.index_type}")`);
  if (s.iterative_scan === "strict_order" && s.index_type === "ivfflat") {
    fail(
      "iterative_scan",
      'IVFFlat scans support "relaxed_order" or "off" only (strict_order is HNSW-only in pgvector 0.8)',
    );
  }

  const common = {
    schema: s.schema,
    table,
    dimension: dimension!,
    metric,
    index: {
      type: s.index_type,
      halfvec,
      m: s.hnsw_m,
      efConstruction: s.hnsw_ef_construction,
      lists: s.ivfflat_lists,
    },
    search: {
      efSearch: s.ef_search,
      probes: s.ivfflat_probes ?? Math.max(1, Math.round(Math.sqrt(s.ivfflat_lists))),
      iterativeScan: s.iterative_scan,
      maxScanTuples: s.max_scan_tuples,
    },
    metadataIndex: s.metadata_index,
    upsertBatchSize: s.upsert_batch_size,
    maxRetries: s.max_retries,
  };

  const given = (key: string) => {
    const v = (input as Record<string, unknown>)[key];
    return v !== undefined && v !== null;
  };
  if (s.pool !== undefined) {
    if (typeof (s.pool as Pool).connect !== "function" || typeof (s.pool as Pool).query !== "function") {
      fail("pool", "must be a pg.Pool (an object with connect() and query())");
    }
    const clash = CONNECTION_KEYS.filter(given).filter((k) => !isDefaultOnly(k, input));
    if (clash.length > 0)
      fail(
        clash[0]!,
        `cannot be given with pool (${clash.join(", ")}): configure the connection on your pool`,
      );
    const opts = (s.pool as Pool & { options?: PoolConfig }).options ?? {};
    return {
      ...common,
      pool: s.pool,
      poolConfig: undefined,
      target: describeTarget(opts),
      database: databaseOf(opts),
      secrets: [],
    };
  }

  if (s.url !== undefined && s.connection_string !== undefined)
    fail("connection_string", "give url or connection_string, not both");
  const urlKey = s.url !== undefined ? "url" : "connection_string";
  const url = s.url ?? s.connection_string;
  let fromUrl: PoolConfig = {};
  if (url !== undefined) {
    try {
      fromUrl = parseIntoClientConfig(url) as PoolConfig;
    } catch {
      // The parser's own error would carry the whole URL, password included.
      fail(urlKey, "is not a valid PostgreSQL connection URL");
    }
  }
  const explicit: PoolConfig = {};
  if (s.host !== undefined) explicit.host = s.host;
  if (s.port !== undefined) explicit.port = s.port;
  if (s.database !== undefined) explicit.database = s.database;
  if (s.user !== undefined) explicit.user = s.user;
  if (s.password !== undefined) explicit.password = s.password;
  if (s.ssl !== undefined) explicit.ssl = s.ssl as PoolConfig["ssl"];
  // Settings given one by one win over the same part of the URL (e.g. a password from a secret store).
  const poolConfig: PoolConfig = {
    ...dropEmpty(fromUrl),
    ...explicit,
    max: s.pool_size,
    connectionTimeoutMillis: s.connect_timeout_ms,
    application_name: s.application_name,
  };
  if (s.statement_timeout_ms !== undefined && s.statement_timeout_ms > 0)
    poolConfig.statement_timeout = s.statement_timeout_ms;
  const password = typeof poolConfig.password === "string" ? poolConfig.password : undefined;
  return {
    ...common,
    pool: undefined,
    poolConfig,
    target: describeTarget(poolConfig),
    database: databaseOf(poolConfig),
    secrets: [password, url].filter((v): v is string => typeof v === "string" && v.length >= 4),
  };
}

/** Keys whose schema default the manager may have filled in: not a clash with a caller's pool. */
function isDefaultOnly(key: string, input: PgVectorSettings | Record<string, unknown>): boolean {
  const spec = settingsSchema[key];
  return spec?.default !== undefined && (input as Record<string, unknown>)[key] === spec.default;
}

function dropEmpty<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function databaseOf(config: { database?: string | undefined; user?: string | undefined }): string {
  return config.database ?? process.env.PGDATABASE ?? config.user ?? process.env.PGUSER ?? "";
}

/** host:port/database without user or password. */
export function describeTarget(config: {
  host?: string | undefined;
  port?: number | string | undefined;
  database?: string | undefined;
}): string {
  const host = config.host ?? process.env.PGHOST ?? "localhost";
  const port = config.port ?? process.env.PGPORT ?? 5432;
  return `${host}:${port}/${config.database ?? process.env.PGDATABASE ?? ""}`;
}

/** Replace every secret (and any password inside a URL) in a message. */
export function makeScrubber(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@");
    for (const secret of secrets) out = out.split(secret).join("***");
    return out;
  };
}
