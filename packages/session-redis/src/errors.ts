import {
  AbortError,
  BackendError,
  BackendUnavailableError,
  isMemoryError,
  type MemoryError,
} from "@langswarm/memory-core";
import { BACKEND } from "./settings.js";

/** Reply errors that mean "the server is there but cannot serve right now": safe to retry. */
const UNAVAILABLE_REPLIES = [
  "LOADING",
  "BUSY",
  "MASTERDOWN",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "READONLY",
  "NOREPLICAS",
];
/** Socket-level failures (Node error codes) and ioredis' own connection messages. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
const UNAVAILABLE_MESSAGES = [
  /connection is closed/i,
  /stream isn't writeable/i,
  /command timed out/i,
  /reached the max retries/i,
  /connect etimedout/i,
  /command aborted due to connection close/i,
];

/**
 * Map a driver failure to a typed error: connection trouble -> BackendUnavailableError, everything else
 * -> BackendError. URLs with credentials are scrubbed from any message we pass on.
 */
export function mapError(error: unknown, action: string): MemoryError {
  if (isMemoryError(error)) return error;
  const err = error as { name?: string; code?: string; message?: string };
  const message = scrub(String(err?.message ?? error));
  const cause = error;
  if (
    err?.name === "MaxRetriesPerRequestError" ||
    (err?.code && UNAVAILABLE_CODES.has(err.code)) ||
    UNAVAILABLE_MESSAGES.some((re) => re.test(message))
  ) {
    return new BackendUnavailableError(`${action}: Redis is unreachable (${message})`, {
      backend: BACKEND,
      cause,
    });
  }
  if (err?.name === "ReplyError" && UNAVAILABLE_REPLIES.some((word) => message.startsWith(word))) {
    return new BackendUnavailableError(`${action}: Redis cannot serve right now (${message})`, {
      backend: BACKEND,
      cause,
    });
  }
  return new BackendError(`${action} failed: ${message}`, { backend: BACKEND, cause });
}

/** Remove `user:password@` from anything that looks like a URL. */
export function scrub(text: string): string {
  return text.replace(/(rediss?:\/\/)[^@/\s]*@/gi, "$1***@");
}

/**
 * Stop waiting for a read when the signal fires. Redis cannot cancel a command already sent, so this is
 * only used for reads: a write that was sent is left to finish, and its outcome is reported.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortError({ backend: BACKEND }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError({ backend: BACKEND }));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
