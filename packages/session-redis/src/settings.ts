import { ConfigError, KEY_PREFIX_PATTERN, type SettingsSchema } from "@langswarm/memory-core";
import type { RedisClient } from "./client.js";

export const BACKEND = "redis";
export const DEFAULT_URL = "redis://localhost:6379";
export const DEFAULT_KEY_PREFIX = "langswarm:";

/** LangSwarm's settings (snake_case, as in its Python docs) plus the connection knobs this adapter adds. */
export const settingsSchema: SettingsSchema = {
  url: {
    type: "string",
    secret: true,
    description: `Redis URL, redis:// or rediss:// (default ${DEFAULT_URL}); may carry user, password and /db`,
  },
  key_prefix: {
    type: "string",
    pattern: KEY_PREFIX_PATTERN,
    default: DEFAULT_KEY_PREFIX,
    description: "prefix of every key this store writes (letters, digits, _ . : -; at most 64)",
  },
  ttl: {
    type: "integer",
    min: 1,
    description:
      "seconds: new sessions expire this long after creation, and every append pushes the expiry to now + ttl (sliding)",
  },
  db: {
    type: "integer",
    min: 0,
    max: 65535,
    description: "logical database number (overrides the URL's /db)",
  },
  client: { type: "instance", description: "an ioredis client you own; close() leaves it open" },
  connect_timeout_ms: {
    type: "integer",
    min: 1,
    default: 5000,
    description: "give up a connection attempt after this long",
  },
  command_timeout_ms: {
    type: "integer",
    min: 0,
    default: 10_000,
    description:
      "fail a command with BackendUnavailableError after this long without a reply (0: wait forever)",
  },
};

export interface RedisSessionStoreOptions {
  /** Redis URL (ignored when `client` is given). Default redis://localhost:6379. */
  url?: string;
  /** Prefix of every key; must match KEY_PREFIX_PATTERN. Default "langswarm:". */
  keyPrefix?: string;
  /** Sliding TTL in seconds: sessions created without `expiresAt` expire after it; appends extend it. */
  ttl?: number;
  db?: number;
  /** A caller-owned ioredis client (standalone or Sentinel). `close()` leaves it open. */
  client?: RedisClient;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Clock for timestamps and expiry checks (tests). */
  now?: () => Date;
}

/** Settings (already validated against `settingsSchema`) to constructor options. */
export function optionsFromSettings(settings: Record<string, unknown>): RedisSessionStoreOptions {
  const options: RedisSessionStoreOptions = {};
  if (settings.url !== undefined) options.url = settings.url as string;
  if (settings.key_prefix !== undefined) options.keyPrefix = settings.key_prefix as string;
  if (settings.ttl !== undefined) options.ttl = settings.ttl as number;
  if (settings.db !== undefined) options.db = settings.db as number;
  if (settings.client !== undefined) options.client = settings.client as RedisClient;
  if (settings.connect_timeout_ms !== undefined)
    options.connectTimeoutMs = settings.connect_timeout_ms as number;
  if (settings.command_timeout_ms !== undefined)
    options.commandTimeoutMs = settings.command_timeout_ms as number;
  return options;
}

/** Checks the constructor does itself, so direct construction is as safe as the descriptor path. */
export function checkOptions(options: RedisSessionStoreOptions): void {
  const fail = (key: string, message: string) =>
    new ConfigError(`${key}: ${message}`, { backend: BACKEND, key });
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof prefix !== "string" || !KEY_PREFIX_PATTERN.test(prefix)) {
    throw fail(
      "key_prefix",
      `must match ${KEY_PREFIX_PATTERN}, got ${JSON.stringify(String(prefix).slice(0, 80))}`,
    );
  }
  if (options.ttl !== undefined && (!Number.isSafeInteger(options.ttl) || options.ttl < 1))
    throw fail("ttl", "must be a positive integer (seconds)");
  if (options.db !== undefined && (!Number.isSafeInteger(options.db) || options.db < 0))
    throw fail("db", "must be a non-negative integer");
  if (options.client !== undefined) {
    if (options.url !== undefined || options.db !== undefined) {
      throw fail("client", "give either client or url/db, not both (the client already has its connection)");
    }
    const c = options.client as unknown as Record<string, unknown>;
    if (typeof c !== "object" || c === null || typeof c.call !== "function" || typeof c.quit !== "function") {
      throw fail("client", "expected an ioredis client (Redis instance)");
    }
    if (c.isCluster === true) {
      throw fail(
        "client",
        "Redis Cluster clients are not supported: the listing indexes and the expiry schedule are store-wide keys that the session scripts update atomically, which Cluster forbids across slots (see the README, 'Redis Cluster')",
      );
    }
  }
  if (options.url !== undefined && !/^rediss?:\/\//i.test(options.url))
    throw fail("url", "must start with redis:// or rediss://");
}
