import { connect } from "node:net";
import { AbortError, isMemoryError, throwIfAborted } from "@langswarm/memory-core";
import type { Pool, PoolClient, QueryResultRow } from "pg";
import { BACKEND, isConnectionError, isRolledBack, mapError } from "./errors.js";

export interface Session {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
  /** Run `work` in a transaction (BEGIN ... COMMIT, ROLLBACK on error). */
  transaction<T>(work: () => Promise<T>, begin?: string): Promise<T>;
}

export interface ConnectionOptions {
  pool: Pool;
  owned: boolean;
  target: string;
  scrub: (text: string) => string;
  maxRetries: number;
}

class ConnectPhaseError extends Error {
  constructor(readonly original: unknown) {
    super("connect failed");
  }
}

/**
 * Runs work on a pooled client with typed errors, retries after connection failures (every vector
 * store call is idempotent: upserts and deletes are by id, reads are reads), and AbortSignal support
 * (a cancel request to the server, then AbortError).
 */
export class Connection {
  readonly pool: Pool;
  readonly owned: boolean;
  readonly #options: ConnectionOptions;
  #closed = false;

  constructor(options: ConnectionOptions) {
    this.pool = options.pool;
    this.owned = options.owned;
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async run<T>(
    operation: string,
    signal: AbortSignal | undefined,
    work: (session: Session) => Promise<T>,
  ): Promise<T> {
    throwIfAborted(signal, BACKEND);
    const { maxRetries, target, scrub } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(signal, work);
      } catch (thrown) {
        if (isMemoryError(thrown)) throw thrown;
        const connectFailed = thrown instanceof ConnectPhaseError;
        const error = connectFailed ? thrown.original : thrown;
        const aborted = signal?.aborted === true;
        const mapped = mapError(error, { operation, target, scrub, aborted });
        const retryable = connectFailed || isRolledBack(error) || isConnectionError(error);
        if (aborted || !retryable || attempt >= maxRetries || this.#closed) throw mapped;
        await sleep(backoff(attempt), signal);
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
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      cancelBackend(client, this.pool);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const query = async <R extends QueryResultRow>(text: string, values?: unknown[]) => {
      const result = values === undefined ? await client.query<R>(text) : await client.query<R>(text, values);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    };
    const transaction = async <T2>(inner: () => Promise<T2>, begin = "BEGIN"): Promise<T2> => {
      await client.query(begin);
      try {
        const result = await inner();
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    };
    try {
      return await work({ query, transaction });
    } catch (error) {
      // A dead connection, or an error that is not the server's (the protocol state is unknown):
      // drop the client rather than return it to the pool.
      if (isConnectionError(error) || typeof (error as { code?: unknown })?.code !== "string") broken = error;
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // After a cancel request the connection is closed, not pooled: the request travels on its own
      // socket and could otherwise land on the next user's statement.
      client.release(broken === undefined && !cancelled ? undefined : true);
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
      // A connection that arrives after the abort goes straight back to the pool.
      pending.then(
        (c) => c.release(),
        () => {},
      );
      throw error;
    } finally {
      signal.removeEventListener("abort", onAbort!);
    }
  }

  /** End the pool if the store created it; a caller's pool stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.owned) await this.pool.end();
  }
}

/**
 * Ask the server to cancel what the client is running: a protocol CancelRequest on its own socket
 * (needs no free pool connection, and no pg internals beyond the backend key). pg's TLS settings
 * cannot be reproduced on that socket, so with TLS fall back to pg_cancel_backend() on another pooled
 * connection. Best effort; the caller gets AbortError either way.
 */
function cancelBackend(client: PoolClient, pool: Pool): void {
  const c = client as PoolClient & {
    processID?: number | null;
    secretKey?: number | null;
    host?: string;
    port?: number;
    ssl?: unknown;
  };
  if (typeof c.processID !== "number") return;
  if (c.ssl || typeof c.secretKey !== "number") {
    pool.query("SELECT pg_cancel_backend($1)", [c.processID]).catch(() => {});
    return;
  }
  const host = c.host ?? "localhost";
  const port = c.port ?? 5432;
  try {
    const socket = host.startsWith("/") ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host);
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on("error", () => socket.destroy());
    socket.on("connect", () => {
      const request = Buffer.alloc(16);
      request.writeInt32BE(16, 0);
      request.writeInt32BE(80877102, 4); // CancelRequest code
      request.writeInt32BE(c.processID!, 8);
      request.writeInt32BE(c.secretKey!, 12);
      socket.end(request);
    });
  } catch {
    // Cancellation is an optimisation.
  }
}

function backoff(attempt: number): number {
  return Math.min(2_000, 50 * 4 ** attempt) * (0.75 + Math.random() / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError({ backend: BACKEND }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError({ backend: BACKEND }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
