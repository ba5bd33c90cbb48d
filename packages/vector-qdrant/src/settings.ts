import {
  ConfigError,
  METADATA_KEY_PATTERN,
  type SettingsSchema,
  type VectorCreateContext,
  type VectorMetric,
  validateSettings,
} from "@langswarm/memory-core";
import type { QdrantClient } from "@qdrant/js-client-rest";
import { BACKEND } from "./errors.js";

export type FieldType = "keyword" | "integer" | "float" | "bool";
export type QdrantDistance = "Cosine" | "Euclid" | "Dot";

export const DEFAULT_COLLECTION = "langswarm_memory";
export const DEFAULT_PORT = 6333;
/** Qdrant's dense vector limit. */
export const MAX_DIMENSION = 65_535;
/**
 * Collection names: a subset of what Qdrant accepts (1–255 characters, none of `<>:"/\|?*`, NUL or
 * control characters), restricted further to what is safe in a URL path and a file name: letters,
 * digits, `_`, `-`, `.`, not starting with a dot (so never `.` or `..`).
 */
export const COLLECTION_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$/;

export const DISTANCE_OF: Readonly<Record<VectorMetric, QdrantDistance>> = {
  cosine: "Cosine",
  euclidean: "Euclid",
  dot: "Dot",
};

/** LangSwarm's snake_case `vector_store.connection_params` for `store_type: "qdrant"`. */
export const settingsSchema: SettingsSchema = {
  url: {
    type: "string",
    secret: true,
    description:
      "server URL, http:// or https:// (e.g. https://xyz.cloud.qdrant.io:6333); instead of host/port",
  },
  host: { type: "string", description: "server host name, without scheme or port (default 127.0.0.1)" },
  port: { type: "integer", min: 1, max: 65_535, description: `REST port (default ${DEFAULT_PORT})` },
  https: { type: "boolean", description: "use TLS with host/port (default: true when api_key is set)" },
  prefix: { type: "string", description: "path prefix when Qdrant sits behind a proxy (e.g. /qdrant)" },
  api_key: { type: "string", secret: true, description: "API key (sent as the api-key header)" },
  client: {
    type: "instance",
    description: "a QdrantClient you own (@qdrant/js-client-rest); close() leaves it alone",
  },
  collection_name: {
    type: "string",
    pattern: COLLECTION_NAME_PATTERN,
    default: DEFAULT_COLLECTION,
    description:
      "collection of this index (letters, digits, _ - .; a second index of the manager, e.g. lessons, gets _<name> appended)",
  },
  dimension: {
    type: "integer",
    min: 1,
    max: MAX_DIMENSION,
    description: "vector size (default: the embedding provider's; never guessed)",
  },
  metric: {
    type: "string",
    enum: ["cosine", "euclidean", "dot"],
    description: "cosine -> Cosine, euclidean -> Euclid, dot -> Dot (default: the manager's, else cosine)",
  },
  on_disk: {
    type: "boolean",
    default: false,
    description: "keep the vectors on disk (memmap) instead of in RAM, for collections larger than memory",
  },
  hnsw_m: { type: "integer", min: 0, max: 512, description: "HNSW links per node (Qdrant's default 16)" },
  hnsw_ef_construct: {
    type: "integer",
    min: 4,
    max: 100_000,
    description: "HNSW candidate list while building (Qdrant's default 100)",
  },
  ef: {
    type: "integer",
    min: 1,
    max: 100_000,
    description:
      "HNSW candidate list per query (hnsw_ef); default: Qdrant's (ef_construct); never below topK",
  },
  exact: {
    type: "boolean",
    default: false,
    description: "exact (brute-force) search instead of HNSW: recall 1, cost linear in the collection",
  },
  filterable_fields: {
    type: "object",
    description:
      'metadata fields to index for filtering, { name: "keyword" | "integer" | "float" | "bool" } (payload indexes created by setup())',
  },
  batch_size: {
    type: "integer",
    min: 1,
    max: 10_000,
    default: 256,
    description: "points per upsert request (each request waits until Qdrant applied it)",
  },
  timeout_ms: {
    type: "integer",
    min: 1,
    default: 30_000,
    description: "fail a request with BackendUnavailableError after this long without an answer",
  },
};

export interface ResolvedSettings {
  url: string | undefined;
  host: string | undefined;
  port: number | undefined;
  https: boolean | undefined;
  prefix: string | undefined;
  apiKey: string | undefined;
  client: QdrantClient | undefined;
  collection: string;
  dimension: number;
  metric: VectorMetric;
  distance: QdrantDistance;
  onDisk: boolean;
  hnswM: number | undefined;
  hnswEfConstruct: number | undefined;
  ef: number | undefined;
  exact: boolean;
  filterableFields: Readonly<Record<string, FieldType>>;
  batchSize: number;
  timeoutMs: number;
  /** scheme://host:port[/prefix] for messages: never the key, never URL credentials. */
  target: string;
}

const FIELD_TYPES: readonly FieldType[] = ["keyword", "integer", "float", "bool"];

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

  let collection = s.collection_name as string;
  if (context.indexName !== undefined) {
    collection = `${collection}_${context.indexName}`;
    if (!COLLECTION_NAME_PATTERN.test(collection))
      fail(
        "collection_name",
        `with the suffix "${context.indexName}" the name must match ${COLLECTION_NAME_PATTERN}`,
      );
  }

  const client = s.client as QdrantClient | undefined;
  const connectionKeys = ["url", "host", "port", "https", "prefix", "api_key"].filter(given);
  if (client !== undefined) {
    if (connectionKeys.length > 0)
      fail(
        "client",
        `give either client or connection settings (${connectionKeys.join(", ")}), not both: the client has its connection`,
      );
    if (typeof (client as { api?: unknown }).api !== "function")
      fail("client", "expected a QdrantClient from @qdrant/js-client-rest (an object with api())");
  }
  const url = s.url as string | undefined;
  const host = s.host as string | undefined;
  if (url !== undefined) {
    if (given("host") || given("port") || given("https"))
      fail("url", "give either url or host/port/https, not both");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return fail("url", "is not a valid URL (expected http://host:port or https://host:port)");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      fail("url", "must start with http:// or https://");
    if (given("prefix") && parsed.pathname !== "/")
      fail("prefix", "give the path either in url or in prefix");
  }
  if (host !== undefined && (/^[a-z]+:\/\//i.test(host) || /:\d+$/.test(host) || host.includes("/")))
    fail("host", "is a host name only (no scheme, port or path); use url for a full address");

  const filterableFields = given("filterable_fields") ? checkFilterableFields(s.filterable_fields, fail) : {};

  return {
    url,
    host,
    port: s.port as number | undefined,
    https: s.https as boolean | undefined,
    prefix: s.prefix as string | undefined,
    apiKey: s.api_key as string | undefined,
    client,
    collection,
    dimension: dimension!,
    metric,
    distance: DISTANCE_OF[metric],
    onDisk: s.on_disk as boolean,
    hnswM: s.hnsw_m as number | undefined,
    hnswEfConstruct: s.hnsw_ef_construct as number | undefined,
    ef: s.ef as number | undefined,
    exact: s.exact as boolean,
    filterableFields,
    batchSize: s.batch_size as number,
    timeoutMs: s.timeout_ms as number,
    target: client
      ? "a caller-supplied QdrantClient"
      : describeTarget(url, host, s.port as number | undefined, s.https as boolean | undefined, s.api_key),
  };
}

/** Where we connect, for messages: scheme, host, port and path; user info and query are dropped. */
export function describeTarget(
  url: string | undefined,
  host: string | undefined,
  port: number | undefined,
  https: boolean | undefined,
  apiKey: unknown,
): string {
  if (url !== undefined) {
    const u = new URL(url);
    // Without a port the client connects to 6333 (Qdrant's REST port), not the scheme's default.
    return `${u.protocol}//${u.hostname}:${u.port || DEFAULT_PORT}${u.pathname === "/" ? "" : u.pathname}`;
  }
  const scheme = (https ?? typeof apiKey === "string") ? "https" : "http";
  return `${scheme}://${host ?? "127.0.0.1"}:${port ?? DEFAULT_PORT}`;
}

function checkFilterableFields(
  value: unknown,
  fail: (key: string, message: string) => never,
): Record<string, FieldType> {
  const out: Record<string, FieldType> = {};
  for (const [name, type] of Object.entries(value as Record<string, unknown>)) {
    if (!METADATA_KEY_PATTERN.test(name))
      fail(
        "filterable_fields",
        `field name ${JSON.stringify(name.slice(0, 80))} must match ${METADATA_KEY_PATTERN} (a metadata key)`,
      );
    if (!FIELD_TYPES.includes(type as FieldType))
      fail(
        `filterable_fields.${name}`,
        `must be one of ${FIELD_TYPES.map((t) => `"${t}"`).join(", ")}, got ${JSON.stringify(type)}`,
      );
    out[name] = type as FieldType;
  }
  return out;
}
