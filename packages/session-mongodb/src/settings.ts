import {
  ConfigError,
  IDENTIFIER_PATTERN,
  type SettingsSchema,
  validateSettings,
} from "@langswarm/memory-core";
import type { MongoClient } from "mongodb";

export const BACKEND = "mongodb";
export const DEFAULT_URI = "mongodb://localhost:27017";
export const DEFAULT_DATABASE = "langswarm";
export const DEFAULT_PREFIX = "ls_";
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10_000;

/** MongoDB database names: no `/\. "$*<>:|?`, at most 63 bytes. */
export const DATABASE_PATTERN = /^[A-Za-z0-9_-]{1,63}$/;

/** LangSwarm-style (snake_case) settings, validated with core's `validateSettings`. */
export const settingsSchema: SettingsSchema = {
  uri: {
    type: "string",
    secret: true,
    description: `MongoDB connection string (mongodb:// or mongodb+srv://); default ${DEFAULT_URI}`,
  },
  url: { type: "string", secret: true, description: "alias of uri" },
  database: {
    type: "string",
    pattern: DATABASE_PATTERN,
    description: `database name; default: the one in the URI, else "${DEFAULT_DATABASE}"`,
  },
  collection_prefix: {
    type: "string",
    pattern: IDENTIFIER_PATTERN,
    default: DEFAULT_PREFIX,
    description: "prefix of the collection names (<prefix>sessions, <prefix>messages, ...)",
  },
  server_selection_timeout_ms: {
    type: "integer",
    min: 1,
    max: 600_000,
    default: DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
    description: "how long a call waits for a reachable server before failing with BackendUnavailableError",
  },
  ttl_index: {
    type: "boolean",
    default: true,
    description:
      "create a TTL index that lets MongoDB reclaim expired sessions (skipped where the server has none)",
  },
  client: {
    type: "instance",
    description: "a connected-or-not MongoClient you own; close() leaves it open",
  },
};

/** Options of `new MongoSessionStore(...)` (the settings above, camelCased). */
export interface MongoSessionStoreOptions {
  /** Connection string. Ignored when `client` is given. */
  uri?: string;
  /** A MongoClient owned by the caller: the store never closes it. */
  client?: MongoClient;
  database?: string;
  collectionPrefix?: string;
  serverSelectionTimeoutMS?: number;
  ttlIndex?: boolean;
}

/** Validate LangSwarm settings (snake_case) and turn them into store options. */
export function optionsFromSettings(settings: Record<string, unknown>): MongoSessionStoreOptions {
  const s = validateSettings(settingsSchema, settings, { backend: BACKEND });
  if (s.uri !== undefined && s.url !== undefined && s.uri !== s.url) {
    throw new ConfigError("settings.uri and settings.url are aliases; give only one", {
      backend: BACKEND,
      key: "settings.url",
    });
  }
  const uri = (s.uri ?? s.url) as string | undefined;
  if (s.client !== undefined && uri !== undefined) {
    throw new ConfigError("give either settings.client or settings.uri, not both", {
      backend: BACKEND,
      key: "settings.client",
    });
  }
  const options: MongoSessionStoreOptions = {
    collectionPrefix: s.collection_prefix as string,
    serverSelectionTimeoutMS: s.server_selection_timeout_ms as number,
    ttlIndex: s.ttl_index as boolean,
  };
  if (uri !== undefined) options.uri = uri;
  if (s.client !== undefined) options.client = s.client as MongoClient;
  if (s.database !== undefined) options.database = s.database as string;
  return options;
}

/** Check options given to the constructor directly (the same rules as the settings). */
export function checkOptions(options: MongoSessionStoreOptions): void {
  const fail = (key: string, message: string) => {
    throw new ConfigError(`${key} ${message}`, { backend: BACKEND, key });
  };
  if (typeof options !== "object" || options === null) fail("options", "must be an object");
  if (options.client !== undefined) {
    if (typeof options.client !== "object" || typeof (options.client as { db?: unknown }).db !== "function") {
      fail("client", "must be a MongoClient");
    }
    if (options.uri !== undefined) fail("client", "and uri are exclusive; give one");
  }
  if (
    options.uri !== undefined &&
    (typeof options.uri !== "string" || !/^mongodb(\+srv)?:\/\//.test(options.uri))
  ) {
    fail("uri", "must be a mongodb:// or mongodb+srv:// connection string");
  }
  if (
    options.database !== undefined &&
    (typeof options.database !== "string" || !DATABASE_PATTERN.test(options.database))
  ) {
    fail("database", `must match ${DATABASE_PATTERN}`);
  }
  if (options.collectionPrefix !== undefined && !IDENTIFIER_PATTERN.test(String(options.collectionPrefix))) {
    fail("collectionPrefix", `must match ${IDENTIFIER_PATTERN}`);
  }
  const t = options.serverSelectionTimeoutMS;
  if (t !== undefined && (!Number.isSafeInteger(t) || t < 1))
    fail("serverSelectionTimeoutMS", "must be a positive integer");
}

/** The database named in a connection string's path, if any. */
export function databaseFromUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]*)/.exec(uri);
  const name = match?.[1] ? decodeURIComponent(match[1]) : "";
  return name === "" ? undefined : name;
}

/** The password inside a connection string (to scrub it from any message), if any. */
export function secretsOfUri(uri: string | undefined): string[] {
  if (!uri) return [];
  const match = /^mongodb(?:\+srv)?:\/\/([^@/]*)@/.exec(uri);
  if (!match) return [];
  const userinfo = match[1]!;
  const colon = userinfo.indexOf(":");
  if (colon < 0) return [];
  const raw = userinfo.slice(colon + 1);
  const out = new Set([raw]);
  try {
    out.add(decodeURIComponent(raw));
  } catch {
    // a malformed escape: the raw form is scrubbed anyway
  }
  return [...out].filter((s) => s.length > 0);
}
