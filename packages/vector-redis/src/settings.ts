import {
  ConfigError,
  KEY_PREFIX_PATTERN,
  type SettingsSchema,
  type VectorCreateContext,
  type VectorMetric,
  validateSettings,
} from "@langswarm/memory-core";
import type { RedisClient } from "./client.js";
import { BACKEND } from "./errors.js";

export type EngineChoice = "auto" | "vectorset" | "redisearch";
export type Engine = Exclude<EngineChoice, "auto">;
/** Vector Sets storage: `none` = NOQUANT (float32, best recall), `q8` = int8, `bin` = 1 bit. */
export type Quantization = "none" | "q8" | "bin";
export type Algorithm = "hnsw" | "flat";
export type FieldKind = "tag" | "numeric";

export const DEFAULT_URL = "redis://localhost:6379";
export const DEFAULT_KEY_PREFIX = "langswarm:";
export const DEFAULT_INDEX_NAME = "vectors";
/** Index names: identifiers, hyphens allowed (LangSwarm configs use names such as "agent-memory"). */
export const INDEX_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,47}$/;
/** Metadata field names, as core's filter parser accepts them. */
const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
export const VECTORSET_MAX_DIMENSION = 65_536;
export const REDISEARCH_MAX_DIMENSION = 32_768;

/**
 * RediSearch indexes only the metadata fields it is told about. Without `filterable_fields` the
 * store indexes the fields the memory manager writes and filters on.
 */
export const DEFAULT_FILTERABLE_FIELDS: Readonly<Record<string, FieldKind>> = {
  kind: "tag",
  sessionId: "tag",
  messageId: "tag",
  userId: "tag",
  agentId: "tag",
  role: "tag",
  seq: "numeric",
  time: "numeric",
};

/** LangSwarm's snake_case `vector_store.connection_params` for `store_type: "redis"`. */
export const settingsSchema: SettingsSchema = {
  url: {
    type: "string",
    secret: true,
    description: `Redis URL, redis:// or rediss:// (default ${DEFAULT_URL}); may carry user, password and /db`,
  },
  db: {
    type: "integer",
    min: 0,
    max: 65535,
    description: "logical database number (overrides the URL's /db)",
  },
  client: { type: "instance", description: "an ioredis client you own; close() leaves it open" },
  key_prefix: {
    type: "string",
    pattern: KEY_PREFIX_PATTERN,
    default: DEFAULT_KEY_PREFIX,
    description: "prefix of every key the store writes (letters, digits, _ . : -; at most 64)",
  },
  index_name: {
    type: "string",
    pattern: INDEX_NAME_PATTERN,
    default: DEFAULT_INDEX_NAME,
    description: "name of the index inside the prefix (keys <key_prefix>{<index_name>}:...)",
  },
  engine: {
    type: "string",
    enum: ["auto", "vectorset", "redisearch"],
    default: "auto",
    description:
      "vectorset = Redis 8 Vector Sets (VADD/VSIM), redisearch = FT.CREATE ... VECTOR; auto = what the index was created with, else what the server offers",
  },
  dimension: {
    type: "integer",
    min: 1,
    max: VECTORSET_MAX_DIMENSION,
    description: "vector dimension (default: the embedding provider's; never guessed)",
  },
  metric: {
    type: "string",
    enum: ["cosine", "euclidean", "dot"],
    description: "similarity metric (default: the manager's, else cosine); Vector Sets support cosine only",
  },
  quantization: {
    type: "string",
    enum: ["none", "q8", "bin"],
    default: "none",
    description:
      "Vector Sets: none = NOQUANT float32 (best recall), q8 = int8 (4x less memory), bin = 1 bit (32x less, much lower recall)",
  },
  algorithm: {
    type: "string",
    enum: ["hnsw", "flat"],
    default: "hnsw",
    description: "RediSearch: hnsw (approximate) or flat (exact brute force)",
  },
  m: {
    type: "integer",
    min: 4,
    max: 512,
    default: 16,
    description: "HNSW links per node (VADD M / RediSearch M)",
  },
  ef_construction: {
    type: "integer",
    min: 1,
    max: 100_000,
    default: 200,
    description: "HNSW candidate list while inserting (VADD EF / RediSearch EF_CONSTRUCTION)",
  },
  ef_runtime: {
    type: "integer",
    min: 1,
    max: 100_000,
    description:
      "HNSW candidate list per query (VSIM EF / RediSearch EF_RUNTIME); default: Vector Sets 200 unfiltered and the server's 100 filtered, RediSearch 200; never below topK",
  },
  filter_ef: {
    type: "integer",
    min: 1,
    description: "Vector Sets: nodes a filtered VSIM may visit (FILTER-EF); default max(topK x 200, 2000)",
  },
  exhaustive_fallback: {
    type: "boolean",
    default: true,
    description:
      "Vector Sets: when a filtered VSIM returns fewer than topK, repeat it as an exact scan (VSIM TRUTH) so rare filters still return every match",
  },
  filterable_fields: {
    type: "object",
    description:
      'RediSearch: metadata fields to index, { name: "tag" | "numeric" } (numeric also allows $gt/$gte/$lt/$lte); default: the memory manager\'s fields',
  },
  connect_timeout_ms: {
    type: "integer",
    min: 1,
    default: 5000,
    description: "give up a connection attempt after this long",
  },
  command_timeout_ms: {
    type: "integer",
    min: 0,
    default: 30_000,
    description: "fail a command with BackendUnavailableError after this long without a reply (0: never)",
  },
};

export interface ResolvedSettings {
  url: string;
  db: number | undefined;
  client: RedisClient | undefined;
  keyPrefix: string;
  indexName: string;
  engine: EngineChoice;
  dimension: number;
  metric: VectorMetric;
  quantization: Quantization;
  algorithm: Algorithm;
  m: number;
  efConstruction: number;
  efRuntime: number | undefined;
  filterEf: number | undefined;
  exhaustiveFallback: boolean;
  filterableFields: Readonly<Record<string, FieldKind>>;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Engine-specific settings given with a non-default value (what `engine: "auto"` must honour). */
  engineHints: Record<Engine, string[]>;
}

/** Keys whose setting only makes sense for one engine (a clear error beats a silently ignored knob). */
const ENGINE_ONLY: Record<string, Engine> = {
  quantization: "vectorset",
  filter_ef: "vectorset",
  exhaustive_fallback: "vectorset",
  algorithm: "redisearch",
  filterable_fields: "redisearch",
};

/**
 * Validate settings (LangSwarm's keys) plus what the manager knows (dimension, metric, an index-name
 * suffix) into what the store needs. Throws ConfigError naming the key.
 */
export function resolveSettings(
  input: Record<string, unknown>,
  context: VectorCreateContext = {},
): ResolvedSettings {
  const s = validateSettings(settingsSchema, input, { backend: BACKEND });
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${key}: ${message}`, { backend: BACKEND, key });
  };
  const given = (key: string) => input[key] !== undefined && input[key] !== null;

  const dimension = (s.dimension as number | undefined) ?? context.dimension;
  if (given("dimension") && context.dimension !== undefined && s.dimension !== context.dimension) {
    fail(
      "dimension",
      `is ${s.dimension}, but the embedding provider makes ${context.dimension}-dimensional vectors`,
    );
  }
  if (dimension === undefined)
    fail("dimension", "is required when no embedding provider gives it (it is never guessed)");
  const metric = (s.metric as VectorMetric | undefined) ?? context.metric ?? "cosine";
  if (given("metric") && context.metric !== undefined && s.metric !== context.metric) {
    fail("metric", `is ${String(s.metric)}, but the manager asks for ${context.metric}`);
  }

  let indexName = s.index_name as string;
  if (context.indexName !== undefined) {
    indexName = `${indexName}_${context.indexName}`;
    if (!INDEX_NAME_PATTERN.test(indexName))
      fail("index_name", `with the suffix "${context.indexName}" the name must match ${INDEX_NAME_PATTERN}`);
  }

  const engine = s.engine as EngineChoice;
  const engineHints: Record<Engine, string[]> = { vectorset: [], redisearch: [] };
  for (const [key, owner] of Object.entries(ENGINE_ONLY)) {
    if (given(key) && input[key] !== settingsSchema[key]!.default) engineHints[owner].push(key);
  }
  if (engine !== "auto") {
    const wrong = engineHints[engine === "vectorset" ? "redisearch" : "vectorset"];
    if (wrong.length > 0)
      fail(
        wrong[0]!,
        `applies to engine "${engine === "vectorset" ? "redisearch" : "vectorset"}" only (engine is "${engine}")`,
      );
  } else if (engineHints.vectorset.length > 0 && engineHints.redisearch.length > 0) {
    fail(
      engineHints.redisearch[0]!,
      `is a RediSearch setting, but ${engineHints.vectorset[0]} is a Vector Sets setting; set engine to say which one you want`,
    );
  }
  if (engine === "vectorset" && metric !== "cosine") {
    fail(
      "metric",
      `Redis Vector Sets compare by cosine similarity only (got "${metric}"); use metric "cosine", or engine "redisearch" on a server with the query engine`,
    );
  }
  if (engine === "redisearch" && dimension! > REDISEARCH_MAX_DIMENSION) {
    fail(
      "dimension",
      `RediSearch vector fields take at most ${REDISEARCH_MAX_DIMENSION} dimensions (got ${dimension})`,
    );
  }

  const filterableFields = given("filterable_fields")
    ? checkFilterableFields(s.filterable_fields, fail)
    : DEFAULT_FILTERABLE_FIELDS;

  const client = s.client as RedisClient | undefined;
  if (client !== undefined) {
    if (given("url") || given("db"))
      fail("client", "give either client or url/db, not both (the client has its connection)");
    const c = client as unknown as Record<string, unknown>;
    if (typeof c.call !== "function" || typeof c.callBuffer !== "function")
      fail("client", "expected an ioredis client (an object with call() and callBuffer())");
  }
  const url = (s.url as string | undefined) ?? DEFAULT_URL;
  if (!/^rediss?:\/\//i.test(url)) fail("url", "must start with redis:// or rediss://");

  return {
    url,
    db: s.db as number | undefined,
    client,
    keyPrefix: s.key_prefix as string,
    indexName,
    engine,
    dimension: dimension!,
    metric,
    quantization: s.quantization as Quantization,
    algorithm: s.algorithm as Algorithm,
    m: s.m as number,
    efConstruction: s.ef_construction as number,
    efRuntime: s.ef_runtime as number | undefined,
    filterEf: s.filter_ef as number | undefined,
    exhaustiveFallback: s.exhaustive_fallback as boolean,
    filterableFields,
    connectTimeoutMs: s.connect_timeout_ms as number,
    commandTimeoutMs: s.command_timeout_ms as number,
    engineHints,
  };
}

function checkFilterableFields(
  value: unknown,
  fail: (key: string, message: string) => never,
): Record<string, FieldKind> {
  const out: Record<string, FieldKind> = {};
  for (const [name, kind] of Object.entries(value as Record<string, unknown>)) {
    if (!FIELD_NAME_PATTERN.test(name))
      fail(
        "filterable_fields",
        `field name ${JSON.stringify(name.slice(0, 80))} must match ${FIELD_NAME_PATTERN}`,
      );
    if (kind !== "tag" && kind !== "numeric")
      fail(`filterable_fields.${name}`, `must be "tag" or "numeric", got ${JSON.stringify(kind)}`);
    out[name] = kind as FieldKind;
  }
  return out;
}
