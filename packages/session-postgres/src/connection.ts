import { createHash } from "node:crypto";
import { connect } from "node:net";
import { AbortError, isMemoryError, throwIfAborted } from "@langswarm/memory-core";
import type { Pool, PoolClient, QueryConfig, QueryResultRow } from "pg";
import { BACKEND, isConnectionError, isRolledBack, mapError } from "./errors.js";

/**
 * How safe a call is to repeat after a failure whose outcome is unknown (the connection died while
 * the statement may have run):
 * - "idempotent": repeating gives the same result (reads; appends, whose message ids are fixed
 *   before the first try; updates; raising a watermark);
 * - "once": repeating could report the wrong thing (createSession would see its own row as a
 *   conflict, putSummary would add a second version). Such calls are retried only when the
 *   server certainly did not run them (connecting failed, serialization failure, deadlock).
 */
export type Repeatable = "idempotent" | "once";

export interface RunOptions {
  operation: string;
  signal?: AbortSignal | undefined;
  repeat: Repeatable;
}

/** A query runner that knows the client it runs on (for cancellation and transactions). */
export interface Session {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
  client: PoolClient;
}

export interface ConnectionOptions {
  pool: Pool;
  owned: boolean;
  target: string;
  scrub: (text: string) => string;
  preparedStatements: boolean;
  maxRetries: number;
}

class ConnectPhaseError extends Error {
  constructor(readonly original: unknown) {
    super("connect failed");
  }
}

/**
 * Runs work on a pooled client with: typed errors, retries where they are safe (with backoff),
 * AbortSignal support (a cancel request to the server, then AbortError), and named prepared
 * statements keyed by a hash of their text (so stores with other schemas never collide on a name).
 */
export class Connection {
  readonly pool: Pool;
  readonly owned: boolean;
  readonly #options: ConnectionOptions;
  readonly #statementNames = new Map<string, string>();
  #closed = false;

  constructor(options: ConnectionOptions) {
    this.pool = options.pool;
    this.owned = options.owned;
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async run<T>(options: RunOptions, work: (session: Session) => Promise<T>): Promise<T> {
    throwIfAborted(options.signal, BACKEND);
    const { maxRetries, target, scrub } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(options.signal, work);
      } catch (thrown) {
        if (isMemoryError(thrown)) throw thrown; // already typed by our own code (NotFound, Abort...)
        const connectFailed = thrown instanceof ConnectPhaseError;
        const error = connectFailed ? thrown.original : thrown;
        const aborted = options.signal?.aborted === true;
        const mapped = mapError(error, { operation: options.operation, target, scrub, aborted });
        // Retry only transient failures (not a wrong password), and a call whose outcome is unknown
        // only when repeating it cannot change its answer.
        const transient = isConnectionError(error);
        const safe = isRolledBack(error) || (transient && (connectFailed || options.repeat === "idempotent"));
        if (aborted || !safe || attempt >= maxRetries || this.#closed) throw mapped;
        await sleep(backoff(attempt), options.signal);
      }
    }
  }

  async #once<T>(signal: AbortSignal | undefined, work: (session: Session) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#connect(signal);
    } catch (error) {
      if (error instanceof AbortError) throw error;
      throw new ConnectPhaseError(error);
    }
    let broken: unknown;
    // A checked-out client can emit 'error' between statements (e.g. the server announcing its
    // shutdown); without a listener that would crash the process. Note it and drop the client.
    const onClientError = (error: unknown) => {
      broken ??= error;
    };
    client.on("error", onClientError);
    const onAbort = () => cancelActiveQuery(client, this.pool);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await work({
        client,
        query: async <R extends QueryResultRow>(text: string, values?: unknown[]) => {
          const result = await client.query<R>(this.#config(text, values));
          return { rows: result.rows, rowCount: result.rowCount ?? 0 };
        },
      });
    } catch (error) {
      // A dead connection, or an error that is not the server's (it may have left the client in an
      // unknown protocol state): drop the client instead of returning it to the pool.
      if (isConnectionError(error) || typeof (error as { code?: unknown })?.code !== "string") broken = error;
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      client.off("error", onClientError);
      client.release(broken === undefined ? undefined : true);
    }
  }

  async #connect(signal: AbortSignal | undefined): Promise<PoolClient> {
    const pending = this.pool.connect();
    if (!signal) return pending;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new AbortError({ backend: BACKEND }));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([pending, aborted]);
    } catch (error) {
      // If the connection arrives after the abort, give it straight back.
      pending.then(
        (c) => c.release(),
        () => {},
      );
      throw error;
    } finally {
      signal.removeEventListener("abort", onAbort!);
    }
  }

  #config(text: string, values: unknown[] | undefined): QueryConfig {
    if (!this.#options.preparedStatements) return { text, values: values ?? [] };
    let name = this.#statementNames.get(text);
    if (name === undefined) {
      name = `lsm_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
      this.#statementNames.set(text, name);
    }
    return { name, text, values: values ?? [] };
  }

  /** End the pool if the store created it; a caller's pool is left alive. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.owned) await this.pool.end();
  }
}

/**
 * Ask the server to cancel whatever the client is running. Over plain TCP or a unix socket: the
 * protocol's CancelRequest on a separate socket (needs no free pool connection, no login). Over TLS
 * the server expects the request inside TLS, so fall back to pg_cancel_backend() on another pooled
 * connection. Best effort: the caller gets AbortError either way.
 */
function cancelActiveQuery(client: PoolClient, pool: Pool): void {
  const c = client as PoolClient & {
    processID?: number | null;
    secretKey?: number | null;
    host?: string;
    port?: number;
    ssl?: unknown;
    connectionParameters?: { ssl?: unknown };
  };
  if (typeof c.processID !== "number" || typeof c.secretKey !== "number") return;
  if (c.ssl || c.connectionParameters?.ssl) {
    pool.query("SELECT pg_cancel_backend($1)", [c.processID]).catch(() => {});
    return;
  }
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(80877102, 4); // the CancelRequest code
  request.writeInt32BE(c.processID, 8);
  request.writeInt32BE(c.secretKey, 12);
  const host = c.host ?? "localhost";
  const port = c.port ?? 5432;
  const socket = host.startsWith("/") ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host);
  socket.on("error", () => {});
  socket.setTimeout(5_000, () => socket.destroy());
  socket.on("connect", () => socket.end(request));
}

function backoff(attempt: number): number {
  const base = 50 * 4 ** attempt; // 50 ms, 200 ms, 800 ms...
  return Math.min(2_000, base) * (0.75 + Math.random() / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError({ backend: BACKEND }));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError({ backend: BACKEND }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
