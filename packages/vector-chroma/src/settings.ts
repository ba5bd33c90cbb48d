import {
  ConfigError,
  type SettingsSchema,
  type VectorCreateContext,
  type VectorMetric,
  validateSettings,
} from "@langswarm/memory-core";
import type { ChromaClient } from "chromadb";
import { BACKEND } from "./errors.js";
import { assertCollectionName } from "./names.js";

/** LangSwarm's snake_case `vector_store.connection_params` for `store_type: "chroma"` / "chromadb". */
export interface ChromaSettings {
  url?: string;
  host?: string;
  port?: number;
  ssl?: boolean;
  collection_name?: string;
  tenant?: string;
  database?: string;
  dimension?: number;
  metric?: VectorMetric;
  headers?: Record<string, string>;
  api_key?: string;
  upsert_batch_size?: number;
  /** A caller-owned ChromaClient: the store uses it and never closes it. */
  client?: ChromaClient;
}

export const DEFAULT_COLLECTION = "langswarm_vectors";
/** Chroma's HNSW has no hard limit; this is the bound we check and document. */
export const MAX_DIMENSION = 65_536;

export const settingsSchema: SettingsSchema = {
  url: { type: "string", description: "server URL, e.g. http://localhost:8000 (default)" },
  host: { type: "string", description: "server host (instead of url; default localhost)" },
  port: { type: "integer", min: 1, max: 65535, description: "server port (instead of url; default 8000)" },
  ssl: { type: "boolean", description: "use https (instead of url; default false)" },
  collection_name: {
    type: "string",
    default: DEFAULT_COLLECTION,
    description: "collection holding the vectors (Chroma's naming rules apply)",
  },
  tenant: { type: "string", description: "Chroma tenant (default: the server's default_tenant)" },
  database: { type: "string", description: "Chroma database (default: the server's default_database)" },
  dimension: {
    type: "integer",
    min: 1,
    max: MAX_DIMENSION,
    description: "vector dimension (default: the embedding provider's; never guessed)",
  },
  metric: {
    type: "string",
    enum: ["cosine", "euclidean", "dot"],
    description: "similarity metric: cosine, euclidean (Chroma l2) or dot (Chroma ip)",
  },
  headers: { type: "object", secret: true, description: "extra HTTP headers sent with every request" },
  api_key: { type: "string", secret: true, description: "token sent as the x-chroma-token header" },
  upsert_batch_size: {
    type: "integer",
    min: 1,
    max: 100_000,
    description: "records per upsert request (default and upper bound: the server's max batch size)",
  },
  client: { type: "instance", description: "a ChromaClient you own; the store uses it and never closes it" },
};

const CONNECTION_KEYS = ["url", "host", "port", "ssl", "tenant", "database", "headers", "api_key"] as const;

export interface ResolvedSettings {
  collection: string;
  dimension: number;
  metric: VectorMetric;
  upsertBatchSize: number | undefined;
  client: ChromaClient | undefined;
  clientArgs: {
    host: string;
    port: number;
    ssl: boolean;
    tenant?: string;
    database?: string;
    headers?: Record<string, string>;
  };
  secrets: string[];
}

export function resolveSettings(
  input: ChromaSettings | Record<string, unknown>,
  context: VectorCreateContext = {},
): ResolvedSettings {
  const s = validateSettings(settingsSchema, input, { backend: BACKEND }) as unknown as ChromaSettings & {
    collection_name: string;
  };
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${key}: ${message}`, { backend: BACKEND, key });
  };

  if (s.dimension !== undefined && context.dimension !== undefined && s.dimension !== context.dimension)
    fail(
      "dimension",
      `is ${s.dimension}, but the embedding provider makes ${context.dimension}-dimensional vectors`,
    );
  const dimension = s.dimension ?? context.dimension;
  if (dimension === undefined)
    fail("dimension", "is required when no embedding provider gives it (it is never guessed)");
  if (s.metric !== undefined && context.metric !== undefined && s.metric !== context.metric)
    fail("metric", `is ${s.metric}, but the manager asks for ${context.metric}`);
  const metric = s.metric ?? context.metric ?? "cosine";

  const collection =
    context.indexName !== undefined ? `${s.collection_name}_${context.indexName}` : s.collection_name;
  assertCollectionName(collection);

  const headers: Record<string, string> = {};
  if (s.headers !== undefined) {
    for (const [k, v] of Object.entries(s.headers)) {
      if (typeof v !== "string") fail("headers", `header ${JSON.stringify(k)} must be a string`);
      headers[k] = v;
    }
  }
  if (s.api_key !== undefined) headers["x-chroma-token"] = s.api_key;
  const secrets = [s.api_key, ...Object.values(headers)].filter(
    (v): v is string => typeof v === "string" && v.length >= 4,
  );

  const given = (key: string) => (input as Record<string, unknown>)[key] !== undefined;
  if (s.client !== undefined) {
    const c = s.client as unknown as Record<string, unknown>;
    if (typeof c.createCollection !== "function" || typeof c.getCollection !== "function")
      fail("client", "must be a ChromaClient from the chromadb package");
    const clash = CONNECTION_KEYS.filter(given);
    if (clash.length > 0)
      fail(clash[0]!, `cannot be given with client (${clash.join(", ")}): configure your client instead`);
  }

  let host = s.host ?? "localhost";
  let port = s.port ?? 8000;
  let ssl = s.ssl ?? false;
  if (s.url !== undefined) {
    const clash = (["host", "port", "ssl"] as const).filter(given);
    if (clash.length > 0) fail(clash[0]!, "give url or host/port/ssl, not both");
    let parsed: URL;
    try {
      parsed = new URL(s.url);
    } catch {
      return fail("url", "is not a valid URL (expected http://host:port)");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      fail("url", "must start with http:// or https://");
    if (parsed.username || parsed.password) fail("url", "must not carry credentials: use api_key or headers");
    if (parsed.pathname !== "/" && parsed.pathname !== "")
      fail("url", "must not have a path (the client adds /api/v2)");
    ssl = parsed.protocol === "https:";
    host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
    port = parsed.port ? Number(parsed.port) : ssl ? 443 : 80;
  }

  return {
    collection,
    dimension: dimension!,
    metric,
    upsertBatchSize: s.upsert_batch_size,
    client: s.client,
    clientArgs: {
      host,
      port,
      ssl,
      ...(s.tenant !== undefined ? { tenant: s.tenant } : {}),
      ...(s.database !== undefined ? { database: s.database } : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    },
    secrets,
  };
}

export function makeScrubber(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join("***");
    return out;
  };
}
