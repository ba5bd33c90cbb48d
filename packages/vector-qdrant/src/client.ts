import { AbortError, BackendUnavailableError } from "@langswarm/memory-core";
import { QdrantClient } from "@qdrant/js-client-rest";
import { BACKEND, mapError } from "./errors.js";
import type { ResolvedSettings } from "./settings.js";

/** The generated REST API of @qdrant/js-client-rest: every method takes a per-call RequestInit. */
export type QdrantApi = ReturnType<QdrantClient["api"]>;

/** Build the client the store owns. Its own timeout middleware is off: ours runs per call (below). */
export function createOwnedClient(s: ResolvedSettings): QdrantClient {
  // The client drops a URL's path (it only reads scheme, host and port); pass it as the prefix.
  const url = s.url !== undefined ? new URL(s.url) : undefined;
  const prefix = s.prefix ?? (url && url.pathname !== "/" ? url.pathname.replace(/\/$/, "") : undefined);
  return new QdrantClient({
    ...(url ? { url: url.origin } : { host: s.host ?? "127.0.0.1" }),
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.https !== undefined ? { https: s.https } : {}),
    ...(prefix ? { prefix } : {}),
    ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}),
    // The client's middleware would replace our AbortSignal with its own; Infinity disables it.
    timeout: Number.POSITIVE_INFINITY,
    // setup() reads the server version itself (one request, and no console.warn from a library).
    checkCompatibility: false,
  });
}

/**
 * Runs REST calls with a timeout and the caller's AbortSignal, mapping every failure to a typed error.
 * The combined signal goes into fetch, so an abort or timeout cancels the HTTP request. (A
 * caller-supplied client with a finite `timeout` replaces that signal with its own; the call still
 * rejects at once on abort, but the request runs to its end in the background.)
 */
export class Requester {
  readonly api: QdrantApi;
  readonly #timeoutMs: number;
  readonly #target: string;
  readonly #scrub: (text: string) => string;
  #closed = false;

  constructor(client: QdrantClient, settings: ResolvedSettings) {
    this.api = client.api();
    this.#timeoutMs = settings.timeoutMs;
    this.#target = settings.target;
    const key = settings.apiKey;
    this.#scrub = key ? (text) => text.split(key).join("***") : (text) => text;
  }

  close(): void {
    this.#closed = true;
  }

  async call<T>(
    operation: string,
    fn: (init: { signal: AbortSignal }) => Promise<{ data: T }>,
    signal?: AbortSignal,
  ): Promise<T> {
    if (signal?.aborted) throw new AbortError({ backend: BACKEND });
    if (this.#closed)
      throw new BackendUnavailableError(`${operation}: the store was closed`, { backend: BACKEND });
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(combined.reason);
      combined.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const response = await Promise.race([fn({ signal: combined }), aborted]);
      return response.data;
    } catch (error) {
      throw mapError(error, {
        operation,
        target: this.#target,
        aborted: signal?.aborted === true,
        timedOut: timeout.signal.aborted && signal?.aborted !== true,
        scrub: this.#scrub,
      });
    } finally {
      clearTimeout(timer);
      if (onAbort) combined.removeEventListener("abort", onAbort);
    }
  }
}
