import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { RedisSessionStore, type RedisSessionStoreOptions } from "../src/index.js";

export const REDIS_ENV = "LANGSWARM_TEST_REDIS_URL";
export const redisUrl = process.env[REDIS_ENV];

/** A key prefix no other test uses. */
export function uniquePrefix(): string {
  return `lstest:${randomBytes(6).toString("hex")}:`;
}

export function newStore(options: RedisSessionStoreOptions = {}): RedisSessionStore {
  return new RedisSessionStore({ url: redisUrl, keyPrefix: uniquePrefix(), ...options });
}

/** Delete every key under a prefix. SCAN is fine here: tests only, never in the adapter. */
export async function dropPrefix(prefix: string, url = redisUrl): Promise<number> {
  if (!url) return 0;
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on("error", () => {});
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
    let cursor = "0";
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
    return deleted;
  } finally {
    redis.disconnect();
  }
}
