import { ConfigError } from "@langswarm/memory-core";
import type { SearchBackend } from "./backend.js";
import { BACKEND } from "./settings.js";

/** Bump when the mappings or the document layout change; setup() refuses a newer schema. */
export const SCHEMA_VERSION = 1;

export interface IndexNames {
  sessions: string;
  messages: string;
  /** Small documents read by id: the schema meta doc and the per-message dedupe records. */
  keys: string;
}

export function indexNames(prefix: string): IndexNames {
  return { sessions: `${prefix}sessions`, messages: `${prefix}messages`, keys: `${prefix}keys` };
}

const keyword = { type: "keyword" } as const;
/** Stored in _source, never indexed: user metadata (as a JSON string), summaries, pending batches. */
const storedOnly = { type: "keyword", index: false, doc_values: false } as const;
const notIndexed = { type: "object", enabled: false } as const;

const SESSIONS = {
  settings: { number_of_shards: 1, auto_expand_replicas: "0-1" },
  mappings: {
    dynamic: "strict",
    properties: {
      session_id: keyword,
      gen: keyword,
      user_id: keyword,
      agent_id: keyword,
      status: keyword,
      metadata: storedOnly,
      created_at: { type: "long" },
      updated_at: { type: "long" },
      expires_at: { type: "long" },
      last_seq: { type: "long" },
      summary: notIndexed,
      watermarks: storedOnly,
      pending: notIndexed,
    },
  },
};

const MESSAGES = {
  settings: {
    number_of_shards: 1,
    auto_expand_replicas: "0-1",
    // Highlighting refuses documents longer than this (default 1M chars); contents go up to 1 MiB.
    "index.highlight.max_analyzed_offset": 2_000_000,
  },
  mappings: {
    dynamic: "strict",
    properties: {
      doc_key: keyword,
      session_id: keyword,
      gen: keyword,
      user_id: keyword,
      agent_id: keyword,
      seq: { type: "long" },
      message_id: keyword,
      role: keyword,
      content: { type: "text" },
      metadata: storedOnly,
      created_at: { type: "long" },
    },
  },
};

const KEYS = {
  settings: { number_of_shards: 1, auto_expand_replicas: "0-1" },
  mappings: {
    dynamic: "strict",
    properties: { kind: keyword, gen: keyword, seq: { type: "long" }, schema_version: { type: "long" } },
  },
};

const META_ID = "schema";

/**
 * Create the three indices with explicit mappings (an existing index is left alone: two processes may
 * race here, and "already exists" is success), then record the schema version with `op_type=create`.
 * A meta doc with a newer version means a newer package wrote this data: refuse rather than corrupt it.
 */
export async function setupIndices(backend: SearchBackend, names: IndexNames): Promise<void> {
  await backend.createIndex(names.keys, KEYS);
  const meta = await backend.get<{ schema_version: number }>(names.keys, META_ID);
  if (meta && meta.source.schema_version > SCHEMA_VERSION) {
    throw new ConfigError(
      `indices with prefix of ${names.sessions} hold schema version ${meta.source.schema_version}, newer than this package's ${SCHEMA_VERSION}: upgrade @langswarm/session-elasticsearch`,
      { backend: BACKEND, key: "index_prefix" },
    );
  }
  if (meta && meta.source.schema_version === SCHEMA_VERSION) return;
  await backend.createIndex(names.sessions, SESSIONS);
  await backend.createIndex(names.messages, MESSAGES);
  try {
    await backend.index(
      names.keys,
      META_ID,
      { kind: "meta", schema_version: SCHEMA_VERSION },
      { opType: "create" },
    );
  } catch (error) {
    if ((error as Error).name !== "VersionConflict") throw error; // another process recorded it first
  }
}

export const MAPPINGS = { SESSIONS, MESSAGES, KEYS };
