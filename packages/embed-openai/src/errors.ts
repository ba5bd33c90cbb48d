import {
  AbortError,
  BackendError,
  BackendUnavailableError,
  ConfigError,
  isMemoryError,
  type MemoryError,
  ValidationError,
} from "@langswarm/memory-core";

export const BACKEND = "openai";

/** What the retry loop needs to know about a failed request. */
export interface Failure {
  /** Safe to send again (rate limit, overload, server error, lost connection, timeout). */
  retryable: boolean;
  /** The server said how long to wait (Retry-After / retry-after-ms), in ms. */
  retryAfterMs: number | undefined;
  /** The typed error to throw if we stop here. */
  error: MemoryError;
}

export interface ErrorContext {
  model: string;
  /** Host of the server, for messages. */
  target: string;
  secrets: readonly string[];
}

/** The SDK's APIError shape, read structurally so a caller's client from another SDK copy works too. */
interface ApiErrorLike {
  status?: unknown;
  headers?: { get(name: string): string | null } | Record<string, string> | undefined;
  code?: unknown;
  type?: unknown;
  error?: unknown;
  message?: unknown;
  name?: unknown;
}

/**
 * Errors for a request the server refused as too large as a whole (too many tokens per request, or
 * 413). Our token estimate is conservative but not a tokenizer; such a batch is split and resent.
 */
export const REQUEST_TOO_LARGE = new WeakSet<object>();

const CONNECTION_ERRORS = new Set(["APIConnectionError", "APIConnectionTimeoutError"]);

/** Classify anything the SDK (or fetch under it) threw into a retry decision and a typed error. */
export function classify(raw: unknown, ctx: ErrorContext, signal?: AbortSignal): Failure {
  const stop = (error: MemoryError): Failure => ({ retryable: false, retryAfterMs: undefined, error });
  if (signal?.aborted || isAbort(raw)) return stop(new AbortError({ backend: BACKEND }));
  if (isMemoryError(raw)) return stop(raw);

  const e = (raw ?? {}) as ApiErrorLike;
  const status = typeof e.status === "number" ? e.status : undefined;
  const kind = constructorName(raw);
  const serverMessage = redact(serverText(e), ctx.secrets);

  if (status === undefined) {
    if (CONNECTION_ERRORS.has(kind) || isNetworkError(raw)) {
      const what = kind === "APIConnectionTimeoutError" ? "timed out" : "could not be reached";
      return {
        retryable: true,
        retryAfterMs: undefined,
        error: new BackendUnavailableError(`${ctx.target} ${what}: ${redact(causeText(raw), ctx.secrets)}`, {
          backend: BACKEND,
        }),
      };
    }
    return stop(
      new BackendError(`unexpected failure: ${redact(String((raw as Error)?.message ?? raw), ctx.secrets)}`, {
        backend: BACKEND,
      }),
    );
  }

  const retryAfterMs = retryAfter(e.headers);
  const shouldRetry = header(e.headers, "x-should-retry");
  const code = typeof e.code === "string" ? e.code : undefined;

  if (status === 401) {
    // OpenAI's 401 text quotes part of the key: never pass it on.
    return stop(
      new ConfigError(`invalid API key: ${ctx.target} answered 401 Unauthorized; check api_key`, {
        backend: BACKEND,
        key: "api_key",
      }),
    );
  }
  if (status === 403) {
    return stop(
      new ConfigError(`permission denied by ${ctx.target} (403): ${serverMessage}`, {
        backend: BACKEND,
        key: "api_key",
      }),
    );
  }
  if (status === 404) {
    return stop(
      new ConfigError(
        `model "${ctx.model}" was not found at ${ctx.target} (404: ${serverMessage}); check model (and base_url / deployment)`,
        { backend: BACKEND, key: "model" },
      ),
    );
  }
  if (status === 429 && (code === "insufficient_quota" || e.type === "insufficient_quota")) {
    // Billing, not load: waiting does not help.
    return stop(
      new BackendUnavailableError(
        `quota exhausted at ${ctx.target} (429 insufficient_quota): ${serverMessage}`,
        { backend: BACKEND },
      ),
    );
  }
  const transient = status === 408 || status === 409 || status === 429 || status >= 500;
  const retryable = shouldRetry === "true" ? true : shouldRetry === "false" ? false : transient;
  if (transient || retryable) {
    const what = status === 429 ? "rate limited" : `answered ${status}`;
    return {
      retryable,
      retryAfterMs,
      error: new BackendUnavailableError(`${ctx.target} ${what}: ${serverMessage}`, { backend: BACKEND }),
    };
  }
  if (status === 400 || status === 413 || status === 422) {
    const error = new ValidationError(`${ctx.target} rejected the request (${status}): ${serverMessage}`, {
      backend: BACKEND,
    });
    if (status === 413 || code === "max_tokens_per_request" || /tokens per request/i.test(serverMessage))
      REQUEST_TOO_LARGE.add(error);
    return stop(error);
  }
  return stop(new BackendError(`${ctx.target} answered ${status}: ${serverMessage}`, { backend: BACKEND }));
}

/** Remove secrets (and anything shaped like an OpenAI key or a bearer token) from server text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("[redacted]");
  return out
    .replace(/\bsk-[A-Za-z0-9_*.-]{4,}/g, "sk-[redacted]")
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]")
    .slice(0, 500);
}

/** Milliseconds the server asked us to wait: `retry-after-ms`, else `retry-after` (seconds or HTTP date). */
export function retryAfter(headers: ApiErrorLike["headers"], now = Date.now()): number | undefined {
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined) {
    const value = Number.parseFloat(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = header(headers, "retry-after");
  if (after === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Number.parseFloat(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function header(headers: ApiErrorLike["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : record[key];
}

function serverText(e: ApiErrorLike): string {
  const body = e.error as { message?: unknown } | undefined;
  if (body && typeof body.message === "string") return body.message;
  if (typeof e.message === "string") return e.message.replace(/^\d{3}\s+/, "");
  return "no message";
}

function causeText(raw: unknown): string {
  const cause = (raw as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return String((raw as Error)?.message ?? raw);
}

function isAbort(raw: unknown): boolean {
  const name = constructorName(raw);
  return name === "APIUserAbortError" || (raw as Error)?.name === "AbortError";
}

function isNetworkError(raw: unknown): boolean {
  const code =
    (raw as { code?: unknown; cause?: { code?: unknown } })?.cause?.code ?? (raw as { code?: unknown })?.code;
  return typeof code === "string" && /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|UND_ERR)/.test(code);
}

function constructorName(raw: unknown): string {
  return (raw as { constructor?: { name?: string } })?.constructor?.name ?? "";
}
