import { Redis } from "ioredis";
import type { LuaScript } from "./scripts.js";

/**
 * The part of an ioredis client this store uses. Typed structurally so a caller's client from another
 * ioredis major (5.x or 6.x) is accepted.
 */
export interface RedisClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
  hget(key: string, field: string): Promise<string | null>;
  zrangebyscore(key: string, min: number | string, max: number | string, ...args: (string | number)[]): Promise<unknown[]>;
  zrevrangebyscore(key: string, max: number | string, min: number | string, ...args: (string | number)[]): Promise<unknown[]>;
  script(subcommand: "LOAD", source: string): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * A client the store owns. ioredis retries forever by default; here a command waits for at most one
 * reconnection attempt (maxRetriesPerRequest 1, reconnect delay <= 500 ms) before it fails, so a dead
 * server surfaces as BackendUnavailableError within about a second, and the client keeps reconnecting
 * in the background so the store heals by itself when the server comes back.
 */
export function createOwnedClient(options: { url: string; db?: number; connectTimeoutMs: number; commandTimeoutMs: number }): Redis {
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

/** EVALSHA, falling back to EVAL when the server does not have the script (restart, SCRIPT FLUSH). */
export async function runScript(client: RedisClient, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown[]> {
  try {
    return (await client.evalsha(script.sha, keys.length, ...keys, ...args)) as unknown[];
  } catch (error) {
    if (!String((error as Error)?.message ?? "").startsWith("NOSCRIPT")) throw error;
    return (await client.eval(script.source, keys.length, ...keys, ...args)) as unknown[];
  }
}

/** ZREVRANGEBYSCORE ... WITHSCORES as pairs, for RESP2 (flat) and RESP3 (nested pairs) replies alike. */
export function scorePairs(reply: unknown[]): { member: string; score: number }[] {
  const out: { member: string; score: number }[] = [];
  if (reply.length > 0 && Array.isArray(reply[0])) {
    for (const pair of reply as [string, string | number][]) out.push({ member: String(pair[0]), score: Number(pair[1]) });
    return out;
  }
  for (let i = 0; i + 1 < reply.length; i += 2) out.push({ member: String(reply[i]), score: Number(reply[i + 1]) });
  return out;
}
