import { ConfigError } from "@langswarm/memory-core";
import { type Collection, type Db, type IndexSpecification, MongoServerError } from "mongodb";
import type {
  BatchDoc,
  ClaimDoc,
  IntentDoc,
  MessageDoc,
  SessionDoc,
  SummaryDoc,
  WatermarkDoc,
} from "./documents.js";
import { isDuplicateKey } from "./errors.js";
import { BACKEND } from "./settings.js";

/** Bump when a migration is added; `setup()` refuses to run against a newer schema. */
export const SCHEMA_VERSION = 1;

export { TTL_GRACE_MS } from "./documents.js";

export interface MetaDoc {
  _id: string;
  version?: number;
  /** Whether the TTL index exists: true, false (not wanted) or "unsupported" (server has none). */
  ttl?: boolean | "unsupported";
  updatedAt?: Date;
}

export interface Collections {
  sessions: Collection<SessionDoc>;
  batches: Collection<BatchDoc>;
  claims: Collection<ClaimDoc>;
  messages: Collection<MessageDoc>;
  /** Bodies of batches too large to travel inside their batch document. */
  intents: Collection<IntentDoc>;
  summaries: Collection<SummaryDoc>;
  watermarks: Collection<WatermarkDoc>;
  meta: Collection<MetaDoc>;
}

type Name = keyof Collections;
const NAMES: readonly Name[] = [
  "sessions",
  "batches",
  "claims",
  "messages",
  "intents",
  "summaries",
  "watermarks",
  "meta",
];

export function collectionNames(prefix: string): Record<Name, string> {
  return Object.fromEntries(NAMES.map((n) => [n, `${prefix}${n}`])) as Record<Name, string>;
}

export function openCollections(db: Db, prefix: string): Collections {
  const names = collectionNames(prefix);
  return Object.fromEntries(NAMES.map((n) => [n, db.collection(names[n])])) as unknown as Collections;
}

interface IndexDef {
  key: IndexSpecification;
  name: string;
  unique?: boolean;
}

const INDEXES: Record<Exclude<Name, "meta">, IndexDef[]> = {
  sessions: [
    // One document per incarnation; the current one is the highest `inc`.
    { key: { sessionId: 1, inc: -1 }, name: "session_inc", unique: true },
    // listSessions: newest first (createdAt desc, sessionId desc), optionally by user / agent / status.
    { key: { createdAt: -1, sessionId: -1 }, name: "by_created" },
    { key: { userId: 1, createdAt: -1, sessionId: -1 }, name: "by_user" },
    { key: { agentId: 1, createdAt: -1, sessionId: -1 }, name: "by_agent" },
    { key: { status: 1, createdAt: -1, sessionId: -1 }, name: "by_status" },
    { key: { expiresAt: 1 }, name: "by_expiry" },
  ],
  batches: [
    // The commit point: exactly one batch k per incarnation.
    { key: { gen: 1, k: -1 }, name: "gen_k", unique: true },
    // A token commits (k > 0) or is aborted (k < 0), never both.
    { key: { token: 1 }, name: "token", unique: true },
    { key: { mat: 1, at: 1 }, name: "by_pending" },
  ],
  claims: [{ key: { gen: 1, messageId: 1 }, name: "gen_message_id", unique: true }],
  messages: [
    // One message per seq; also serves last-N and seq ranges.
    { key: { sessionId: 1, gen: 1, seq: 1 }, name: "session_seq", unique: true },
    // One message per id: idempotent appends.
    { key: { sessionId: 1, gen: 1, messageId: 1 }, name: "session_message_id", unique: true },
  ],
  intents: [
    { key: { token: 1, part: 1 }, name: "by_token" },
    { key: { gen: 1 }, name: "by_gen" },
    { key: { at: 1 }, name: "by_age" },
  ],
  summaries: [{ key: { gen: 1, version: -1 }, name: "gen_version", unique: true }],
  watermarks: [{ key: { gen: 1, name: 1, value: -1 }, name: "gen_name_value", unique: true }],
};

const NAMESPACE_EXISTS = 48;
const NOT_IMPLEMENTED = 238;
const INDEX_NOT_FOUND = 27;
const NAMESPACE_NOT_FOUND = 26;

interface Migration {
  version: number;
  description: string;
  up(db: Db, names: Record<Name, string>, cols: Collections): Promise<void>;
}

/**
 * Ordered, idempotent migrations. Every step tolerates a concurrent process doing the same thing
 * (an existing collection, an identical index), so two processes may run setup() at once.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "collections and indexes",
    async up(db, names, cols) {
      for (const name of Object.values(names)) {
        try {
          await db.createCollection(name);
        } catch (error) {
          if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
        }
      }
      for (const [collection, defs] of Object.entries(INDEXES) as [Exclude<Name, "meta">, IndexDef[]][]) {
        for (const def of defs) {
          await cols[collection].createIndex(def.key, {
            name: def.name,
            ...(def.unique ? { unique: true } : {}),
          });
        }
      }
    },
  },
];

/** Run the migrations this database lacks, then make the TTL index match `ttlIndex`. */
export async function runSetup(
  db: Db,
  prefix: string,
  cols: Collections,
  ttlIndex: boolean,
): Promise<MetaDoc> {
  const names = collectionNames(prefix);
  const current = (await cols.meta.findOne({ _id: "schema" }))?.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new ConfigError(
      `collections with prefix "${prefix}" use schema version ${current}, newer than this package supports (${SCHEMA_VERSION}); upgrade @langswarm/session-mongodb`,
      { backend: BACKEND, key: "collection_prefix" },
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version > current) await migration.up(db, names, cols);
  }
  const ttl = await ensureTtlIndex(cols, ttlIndex);
  await upsertWithRetry(() =>
    cols.meta.updateOne(
      { _id: "schema" },
      { $max: { version: SCHEMA_VERSION }, $set: { ttl, updatedAt: new Date() } },
      { upsert: true },
    ),
  );
  return { _id: "schema", version: SCHEMA_VERSION, ttl };
}

/**
 * The TTL index lives on `ttlAt` (= expiresAt + grace), not on `expiresAt`, so that turning it on or
 * off never conflicts with the plain `by_expiry` index prune() uses. FerretDB answers NotImplemented
 * for `expireAfterSeconds`: recorded as "unsupported"; expiry is still enforced on every read and by
 * prune().
 */
async function ensureTtlIndex(cols: Collections, wanted: boolean): Promise<boolean | "unsupported"> {
  if (!wanted) {
    try {
      await cols.sessions.dropIndex("ttl");
    } catch (error) {
      if (
        !(
          error instanceof MongoServerError &&
          (error.code === INDEX_NOT_FOUND || error.code === NAMESPACE_NOT_FOUND)
        )
      )
        throw error;
    }
    return false;
  }
  try {
    await cols.sessions.createIndex({ ttlAt: 1 }, { name: "ttl", expireAfterSeconds: 0 });
    return true;
  } catch (error) {
    if (error instanceof MongoServerError && error.code === NOT_IMPLEMENTED) return "unsupported";
    throw error;
  }
}

/** Two processes upserting the same _id at once: one gets a duplicate-key error; the retry updates. */
export async function upsertWithRetry<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isDuplicateKey(error)) return write();
    throw error;
  }
}
