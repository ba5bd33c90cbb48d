import { Redis, type RedisOptions } from "ioredis";

type Arg = string | number | Buffer;

/**
 * The part of an ioredis client the store uses. Typed structurally, so a caller's client from
 * another ioredis major (5.x or 6.x), or a test double, is accepted. Commands issued together are
 * written to the socket without waiting for each other's replies (pipelined by the connection).
 */
export interface RedisClient {
  call(command: string, ...args: Arg[]): Promise<unknown>;
  /** Like `call`, with bulk replies as Buffers (vectors are binary float32). */
  callBuffer(command: string, ...args: Arg[]): Promise<unknown>;
  quit?(): Promise<unknown>;
  disconnect?(): void;
}

/**
 * A client the store owns. ioredis retries forever by default; here a command waits for at most one
 * reconnection attempt (maxRetriesPerRequest 1, reconnect delay <= 500 ms) before it fails, so a dead
 * server surfaces as BackendUnavailableError quickly, while the client keeps reconnecting in the
 * background and the store heals by itself when the server is back. RESP2 keeps replies in the shapes
 * every Redis version documents (FT.SEARCH differs under RESP3).
 */
export function createOwnedClient(options: {
  url: string;
  db: number | undefined;
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
    protocol: 2,
    showFriendlyErrorStack: false,
  } as RedisOptions);
  // Connection errors reach callers through the failed commands; without a listener ioredis would
  // also print each one.
  client.on("error", () => {});
  return client;
}

export interface LuaScript {
  source: string;
  sha: string;
}

/** EVALSHA, falling back to EVAL when the server lacks the script (restart, SCRIPT FLUSH). */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly Arg[],
): Promise<unknown> {
  try {
    return await client.call("EVALSHA", script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!String((error as Error)?.message ?? "").startsWith("NOSCRIPT")) throw error;
    return await client.call("EVAL", script.source, keys.length, ...keys, ...args);
  }
}

/** A Buffer, string or number reply as text. */
export function text(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return String(value);
}

/**
 * A map-shaped reply (HGETALL, VINFO, FT.INFO, RESP3 maps) as entries: handles RESP2 flat arrays,
 * arrays of pairs, plain objects and Maps.
 */
export function entries(reply: unknown): [string, unknown][] {
  if (reply === null || reply === undefined) return [];
  if (reply instanceof Map) return [...reply.entries()].map(([k, v]) => [text(k), v]);
  if (Array.isArray(reply)) {
    if (reply.length > 0 && reply.every((item) => Array.isArray(item) && item.length === 2))
      return (reply as [unknown, unknown][]).map(([k, v]) => [text(k), v]);
    const out: [string, unknown][] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([text(reply[i]), reply[i + 1]]);
    return out;
  }
  if (typeof reply === "object" && !Buffer.isBuffer(reply)) return Object.entries(reply as object);
  return [];
}

export function toObject(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of entries(reply)) out[k] = v;
  return out;
}

/** Little-endian float32 bytes of a vector (the FP32 blob format of VADD/VSIM and RediSearch). */
export function f32Blob(vector: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i]!, i * 4);
  return out;
}

export function readF32(blob: Buffer, dimension: number): Float32Array {
  const out = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) out[i] = blob.readFloatLE(i * 4);
  return out;
}

/**
 * Run `work` over `items` with at most `limit` commands in flight. Pipelining everything at once would
 * make the last command of a 10,000-record batch wait behind all the others, long enough to trip the
 * command timeout on a slow server even though the server is healthy.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** Commands a store keeps in flight on its connection for one batch call. */
export const IN_FLIGHT = 128;
