import {
  AbortError,
  BackendError,
  BackendUnavailableError,
  isMemoryError,
  type MemoryError,
  NotFoundError,
} from "@langswarm/memory-core";

export const BACKEND = "redis";

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
/** Socket-level failures (Node error codes). */
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
/** ioredis' own messages for a connection that is gone or never came. */
const UNAVAILABLE_MESSAGES = [
  /connection is closed/i,
  /stream isn't writeable/i,
  /command timed out/i,
  /reached the max retries/i,
  /connect etimedout/i,
  /command aborted due to connection close/i,
];

/** Remove `user:password@` from anything that looks like a Redis URL. */
export function scrub(text: string): string {
  return text.replace(/(rediss?:\/\/)[^@/\s]*@/gi, "$1***@");
}

export function errorMessage(error: unknown): string {
  return scrub(String((error as { message?: unknown } | null)?.message ?? error));
}

/** True for a reply error from the server (as opposed to a connection failure). */
export function isReplyError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "ReplyError";
}

/**
 * Map a driver failure to a typed error: connection trouble -> BackendUnavailableError, everything
 * else -> BackendError. Credentials in URLs are scrubbed from every message passed on.
 */
export function mapError(error: unknown, action: string): MemoryError {
  if (isMemoryError(error)) return error;
  const err = error as { name?: string; code?: string } | null;
  const message = errorMessage(error);
  if (
    err?.name === "MaxRetriesPerRequestError" ||
    (err?.code !== undefined && UNAVAILABLE_CODES.has(err.code)) ||
    UNAVAILABLE_MESSAGES.some((re) => re.test(message))
  ) {
    return new BackendUnavailableError(`${action}: Redis is unreachable (${message})`, {
      backend: BACKEND,
      cause: error,
    });
  }
  if (isReplyError(error) && UNAVAILABLE_REPLIES.some((word) => message.startsWith(word))) {
    return new BackendUnavailableError(`${action}: Redis cannot serve right now (${message})`, {
      backend: BACKEND,
      cause: error,
    });
  }
  if (isReplyError(error) && /unknown index name|no such index/i.test(message)) {
    return new NotFoundError(`${action}: ${message}; call setup() to create the index (again after drop())`, {
      backend: BACKEND,
      cause: error,
    });
  }
  return new BackendError(`${action} failed: ${message}`, { backend: BACKEND, cause: error });
}

/**
 * Stop waiting when the signal fires. Redis cannot cancel a command already sent, so this is used for
 * reads only: a write that was sent is left to finish and its outcome reported.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(new AbortError({ backend: BACKEND }));
  }
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
