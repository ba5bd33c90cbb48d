import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { RedisVectorStore } from "../src/index.js";

/** Redis 8 with Vector Sets (scripts/services/start.sh redis8 exports it). */
export const REDIS8_ENV = "LANGSWARM_TEST_REDIS8_URL";
export const redis8Url = process.env[REDIS8_ENV];
export const SKIP_REASON = `set ${REDIS8_ENV} to a Redis 8 URL (bash scripts/services/start.sh redis8 starts one)`;

/** A key prefix no other test (or run) uses. */
export function uniquePrefix(label = "t"): string {
  return `lsvr:${label}:${randomBytes(5).toString("hex")}:`;
}

export function vectorSetStore(settings: Record<string, unknown> = {}): RedisVectorStore {
  return new RedisVectorStore({
    url: redis8Url,
    key_prefix: uniquePrefix(),
    engine: "vectorset",
    dimension: 8,
    ...settings,
  });
}

/** Delete every key under a prefix. SCAN is fine here: tests only, never in the adapter. */
export async function dropPrefix(prefix: string, url = redis8Url): Promise<number> {
  if (!url) return 0;
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on("error", () => {});
  try {
    const pattern = `${prefix.replace(/[*?[\]\\{}]/g, "\\$&")}*`;
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
