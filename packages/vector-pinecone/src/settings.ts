import {
  ConfigError,
  type SettingsSchema,
  type VectorCreateContext,
  type VectorMetric,
  validateSettings,
} from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";

export const DEFAULT_INDEX = "langswarm-memory";
/** Pinecone's dense vector limit. */
export const MAX_DIMENSION = 20_000;
/** Pinecone index names: lowercase letters, digits and hyphens, at most 45 characters. */
export const INDEX_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,43}[a-z0-9])?$/;

/** Our metric names -> Pinecone's. */
export const PINECONE_METRIC: Readonly<Record<VectorMetric, string>> = {
  cosine: "cosine",
  euclidean: "euclidean",
  dot: "dotproduct",
};

/** LangSwarm's snake_case `vector_store.connection_params` for `store_type: "pinecone"`. */
export const settingsSchema: SettingsSchema = {
  api_key: { type: "string", secret: true, description: "API key (default: env PINECONE_API_KEY)" },
  environment: {
    type: "string",
    description:
      "LangSwarm's pod environment (e.g. us-east-1-aws); accepted for compatibility: when cloud/region are not given it is read as <region>-<cloud> for serverless creation",
  },
  index_name: {
    type: "string",
    pattern: INDEX_NAME_PATTERN,
    default: DEFAULT_INDEX,
    description: "index name (lowercase letters, digits, hyphens; a second index gets -<name> appended)",
  },
  namespace: {
    type: "string",
    default: "",
    description: "namespace every call goes to; drop() and deleteByFilter() only touch it",
  },
  cloud: { type: "string", enum: ["aws", "gcp", "azure"], description: "serverless cloud (default aws)" },
  region: { type: "string", description: "serverless region (default us-east-1)" },
  dimension: { type: "integer", min: 1, max: MAX_DIMENSION, description: "vector size (never guessed)" },
  metric: {
    type: "string",
    enum: ["cosine", "euclidean", "dot", "dotproduct"],
    description: "cosine, euclidean, dot (= Pinecone's dotproduct)",
  },
  create_index: { type: "boolean", default: true, description: "setup() creates a missing index" },
  drop_index: {
    type: "boolean",
    default: false,
    description: "drop() deletes the whole index instead of the records of the namespace",
  },
  controller_host_url: {
    type: "string",
    description: "control-plane URL (Pinecone Local, e.g. http://localhost:5080)",
  },
  host: { type: "string", description: "data-plane URL of the index (skips the host lookup)" },
  batch_size: {
    type: "integer",
    min: 1,
    max: 1000,
    default: 100,
    description:
      "vectors per upsert request (Pinecone allows 1000 and 2 MB; requests are also split by size)",
  },
  max_retries: {
    type: "integer",
    min: 0,
    max: 10,
    default: 3,
    description: "retries with exponential backoff on 429, 5xx and network errors",
  },
};

export interface ResolvedSettings {
  apiKey: string;
  indexName: string;
  namespace: string;
  cloud: string;
  region: string;
  dimension: number;
  metric: VectorMetric;
  createIndex: boolean;
  dropIndex: boolean;
  controllerHostUrl: string | undefined;
  host: string | undefined;
  batchSize: number;
  maxRetries: number;
}

function fail(key: string, message: string): never {
  throw new ConfigError(`connection_params.${key} ${message}`, { backend: BACKEND, key });
}

export function resolveSettings(input: unknown, context: VectorCreateContext = {}): ResolvedSettings {
  const s = validateSettings(settingsSchema, input, { backend: BACKEND }) as Record<string, unknown>;
  const apiKey = (s.api_key as string | undefined) ?? process.env.PINECONE_API_KEY;
  if (!apiKey) fail("api_key", "is required (or set PINECONE_API_KEY)");
  const given = s.dimension as number | undefined;
  if (given !== undefined && context.dimension !== undefined && given !== context.dimension)
    fail(
      "dimension",
      `is ${given}, but the embedding provider makes ${context.dimension}-dimensional vectors`,
    );
  const dimension = given ?? context.dimension;
  if (dimension === undefined) fail("dimension", "is required when no embedding provider gives it");
  const rawMetric = s.metric as string | undefined;
  const configured = rawMetric === "dotproduct" ? "dot" : (rawMetric as VectorMetric | undefined);
  if (configured !== undefined && context.metric !== undefined && configured !== context.metric)
    fail("metric", `is ${configured}, but the manager asks for ${context.metric}`);
  const metric = configured ?? context.metric ?? "cosine";
  let indexName = s.index_name as string;
  if (context.indexName !== undefined) {
    indexName = `${indexName}-${context.indexName}`;
    if (!INDEX_NAME_PATTERN.test(indexName))
      fail("index_name", `with the suffix it must match ${INDEX_NAME_PATTERN}`);
  }
  // LangSwarm's `environment` ("us-east-1-aws") names region and cloud of a pod index.
  const env = s.environment as string | undefined;
  const envMatch = env ? /^(.+)-(aws|gcp|azure)$/.exec(env) : null;
  return {
    apiKey,
    indexName,
    namespace: s.namespace as string,
    cloud: (s.cloud as string | undefined) ?? envMatch?.[2] ?? "aws",
    region: (s.region as string | undefined) ?? envMatch?.[1] ?? "us-east-1",
    dimension,
    metric,
    createIndex: s.create_index as boolean,
    dropIndex: s.drop_index as boolean,
    controllerHostUrl: s.controller_host_url as string | undefined,
    host: s.host as string | undefined,
    batchSize: s.batch_size as number,
    maxRetries: s.max_retries as number,
  };
}
