import {
  AbortError,
  BackendError,
  BackendUnavailableError,
  isMemoryError,
  type MemoryError,
} from "@langswarm/memory-core";
import { BACKEND } from "./settings.js";

const UNAVAILABLE_NAMES = new Set(["ConnectionError", "TimeoutError", "NoLivingConnectionsError"]);
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);
/** HTTP statuses that mean "there, but cannot serve now" (overload, shard unavailable, gateway). */
const UNAVAILABLE_STATUS = new Set([429, 502, 503, 504]);

/** Map a driver failure: connection trouble -> BackendUnavailableError, anything else -> BackendError. */
export function mapError(error: unknown, action: string): MemoryError {
  if (isMemoryError(error)) return error;
  if ((error as { name?: string })?.name === "RequestAbortedError" || (error as Error)?.name === "AbortError")
    return new AbortError({ backend: BACKEND, cause: error });
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } } };
    statusCode?: number;
  };
  const status = e?.meta?.statusCode ?? e?.statusCode;
  const reason = e?.meta?.body?.error ? `${e.meta.body.error.type}: ${e.meta.body.error.reason}` : undefined;
  const message = scrub(reason ?? String(e?.message ?? error));
  if (
    (e?.name && UNAVAILABLE_NAMES.has(e.name)) ||
    (e?.code && UNAVAILABLE_CODES.has(e.code)) ||
    (status !== undefined && UNAVAILABLE_STATUS.has(status))
  ) {
    return new BackendUnavailableError(`${action}: the cluster is unreachable (${message})`, {
      backend: BACKEND,
      cause: error,
    });
  }
  return new BackendError(`${action} failed: ${message}`, { backend: BACKEND, cause: error });
}

/** Remove `user:password@` from anything that looks like a URL. */
export function scrub(text: string): string {
  return text.replace(/(https?:\/\/)[^@/\s]*@/gi, "$1***@");
}
