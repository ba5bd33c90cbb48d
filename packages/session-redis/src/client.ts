import { Redis } from "ioredis";
import type { LuaScript } from "./scripts.js";

/**
 * The part of an ioredis client this store uses: `call` (generic command), `quit`, `disconnect`.
 * Typed structurally so a caller's client from another ioredis major (5.x or 6.x) is accepted.
 */
export interface RedisClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  /** Several commands in one write (used when present). */
  pipeline?(commands: (string | number)[][]): { exec(): Promise<[Error | null, unknown][] | null> };
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Typed wrappers over `call` for the commands used outside scripts. */
export const commands = {
  hmget: (c: RedisClient, key: string, fields: readonly string[]) =>
    c.call("HMGET", key, ...fields) as Promise<(string | null)[]>,
  hget: (c: RedisClient, key: string, field: string) => c.call("HGET", key, field) as Promise<string | null>,
  scriptLoad: (c: RedisClient, source: string) => c.call("SCRIPT", "LOAD", source),
  zrangeByScore: (
    c: RedisClient,
    key: string,
    min: string | number,
    max: string | number,
    offset: number,
    count: number,
  ) => c.call("ZRANGEBYSCORE", key, min, max, "LIMIT", offset, count) as Promise<string[]>,
  zrevrangeByScoreWithScores: (
    c: RedisClient,
    key: string,
    max: string | number,
    min: string | number,
    offset: number,
    count: number,
  ) => c.call("ZREVRANGEBYSCORE", key, max, min, "WITHSCORES", "LIMIT", offset, count) as Promise<unknown[]>,
};

/**
 * A client the store owns. ioredis retries forever by default; here a command waits for at most one
 * reconnection attempt (maxRetriesPerRequest 1, reconnect delay <= 500 ms) before it fails, so a dead
 * server surfaces as BackendUnavailableError within about a second, and the client keeps reconnecting
 * in the background so the store heals by itself when the server comes back.
 */
export function createOwnedClient(options: {
  url: string;
  db?: number;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}): Redis {
  const client = new Redis(options.url, {
    ...(options.db !== undefined ? { db: options.db } : {}),
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    ...(options.commandTimeoutMs > 0 ? { commandTimeout: options.commandTimeoutMs } : {}),
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 500),
    // Connection errors reach callers through the failed commands; without a listener ioredis would
    // also print each one.
    showFriendlyErrorStack: false,
  });
  client.on("error", () => {});
  return client;
}

/** Send several commands in one write when the client can pipeline; results in order, first error thrown. */
export async function batch(client: RedisClient, commands: (string | number)[][]): Promise<unknown[]> {
  if (commands.length === 0) return [];
  if (!client.pipeline || commands.length === 1)
    return Promise.all(commands.map(([name, ...args]) => client.call(String(name), ...args)));
  const results = await client.pipeline(commands).exec();
  if (!results) throw new Error("Connection is closed.");
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** EVALSHA, falling back to EVAL when the server does not have the script (restart, SCRIPT FLUSH). */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown[]> {
  try {
    return (await client.call("EVALSHA", script.sha, keys.length, ...keys, ...args)) as unknown[];
  } catch (error) {
    if (!String((error as Error)?.message ?? "").startsWith("NOSCRIPT")) throw error;
    return (await client.call("EVAL", script.source, keys.length, ...keys, ...args)) as unknown[];
  }
}

/** ZREVRANGEBYSCORE ... WITHSCORES as pairs, for RESP2 (flat) and RESP3 (nested pairs) replies alike. */
export function scorePairs(reply: unknown[]): { member: string; score: number }[] {
  const out: { member: string; score: number }[] = [];
  if (reply.length > 0 && Array.isArray(reply[0])) {
    for (const pair of reply as [string, string | number][])
      out.push({ member: String(pair[0]), score: Number(pair[1]) });
    return out;
  }
  for (let i = 0; i + 1 < reply.length; i += 2)
    out.push({ member: String(reply[i]), score: Number(reply[i + 1]) });
  return out;
}
