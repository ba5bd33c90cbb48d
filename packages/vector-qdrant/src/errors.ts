import {
  AbortError,
  BackendError,
  BackendUnavailableError,
  ConfigError,
  MemoryError,
  NotFoundError,
  ValidationError,
} from "@langswarm/memory-core";

export const BACKEND = "qdrant";

/** Node/undici socket errors that mean "the server is not there (any more)". */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** HTTP statuses of a server that is overloaded, restarting or behind a failing proxy. */
const UNAVAILABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export interface ErrorContext {
  operation: string;
  /** scheme://host:port, never the API key. */
  target: string;
  /** The caller's signal fired (an abort is not an outage). */
  aborted?: boolean;
  /** Our own timeout fired. */
  timedOut?: boolean;
  /** Removes secrets a message might echo. */
  scrub: (text: string) => string;
}

/** What an error from @qdrant/js-client-rest (or fetch below it) carries. */
interface HttpFailure {
  status?: number;
  data?: unknown;
  name?: string;
  message?: string;
  cause?: unknown;
}

/** Qdrant's own error text: `{ "status": { "error": "..." } }`. */
export function serverMessage(data: unknown): string | undefined {
  const status = (data as { status?: unknown } | null | undefined)?.status;
  const text = (status as { error?: unknown } | null | undefined)?.error;
  if (typeof text === "string") return text;
  if (typeof data === "string" && data.length > 0) return data.slice(0, 300);
  return undefined;
}

export function httpStatus(error: unknown): number | undefined {
  const status = (error as HttpFailure | null)?.status;
  if (typeof status === "number") return status;
  // QdrantClientUnexpectedResponseError carries the status only in its message.
  const message = (error as HttpFailure | null)?.message;
  if (typeof message === "string") {
    const m = /^Unexpected Response: (\d{3})\b/.exec(message);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function socketCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as HttpFailure).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && SOCKET_CODES.has(code)) return code;
  }
  return undefined;
}

/** True when the server could not be reached, went away, or answered "try later". */
export function isUnavailable(error: unknown): boolean {
  const status = httpStatus(error);
  if (status !== undefined) return UNAVAILABLE_STATUSES.has(status);
  if (socketCode(error)) return true;
  const name = (error as HttpFailure | null)?.name;
  if (name === "QdrantClientTimeoutError" || name === "TimeoutError") return true;
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

/**
 * Driver errors to core's typed errors. Connection failures, timeouts, 5xx and 429 are
 * BackendUnavailableError (safe to retry: every call is idempotent); 401/403 a ConfigError that never
 * repeats the key; 404 NotFoundError (setup() not run, or drop()); 400/422 the server refusing input;
 * anything else BackendError.
 */
export function mapError(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof MemoryError) return error;
  const options = { backend: BACKEND, cause: error };
  if (ctx.aborted) return new AbortError(options);
  const status = httpStatus(error);
  const detail = ctx.scrub(
    serverMessage((error as HttpFailure | null)?.data) ??
      (error instanceof Error ? error.message : String(error)),
  );
  if (ctx.timedOut) {
    return new BackendUnavailableError(
      `${ctx.operation}: Qdrant at ${ctx.target} did not answer within timeout_ms`,
      options,
    );
  }
  if (status === undefined) {
    if (isUnavailable(error)) {
      const code = socketCode(error);
      return new BackendUnavailableError(
        `${ctx.operation}: Qdrant at ${ctx.target} is unavailable${code ? ` (${code})` : ""}: ${detail}`,
        options,
      );
    }
    return new BackendError(`${ctx.operation} failed: ${detail}`, options);
  }
  if (status === 401 || status === 403) {
    return new ConfigError(
      `${ctx.operation}: Qdrant at ${ctx.target} refused the request (HTTP ${status}): check api_key (and that it may ${status === 403 ? "write to this collection" : "access this server"})`,
      { ...options, key: "api_key" },
    );
  }
  if (UNAVAILABLE_STATUSES.has(status)) {
    return new BackendUnavailableError(
      `${ctx.operation}: Qdrant at ${ctx.target} answered HTTP ${status}: ${detail}`,
      options,
    );
  }
  if (status === 404) {
    return new NotFoundError(
      `${ctx.operation}: ${detail}; call setup() to create the collection (again after drop())`,
      options,
    );
  }
  if (status === 400 || status === 422) {
    // Strict mode ("unindexed_filtering_retrieve: false") refuses filters on fields without an index.
    if (/index required/i.test(detail)) {
      return new ConfigError(
        `${ctx.operation}: Qdrant's strict mode wants a payload index for this filter: ${detail} (declare the field in filterable_fields and run setup())`,
        { ...options, key: "filterable_fields" },
      );
    }
    // Everything the caller sends is checked before it leaves, so a refusal is Qdrant's limit on
    // the input (payload size, strict-mode limits): a ValidationError that names Qdrant's reason.
    return new ValidationError(`${ctx.operation}: Qdrant refused the request: ${detail}`, options);
  }
  return new BackendError(`${ctx.operation} failed (HTTP ${status}): ${detail}`, options);
}
