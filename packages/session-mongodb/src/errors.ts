import {
  AbortError,
  BackendError,
  BackendUnavailableError,
  ConfigError,
  isMemoryError,
  NotFoundError,
} from "@langswarm/memory-core";
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoParseError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from "mongodb";
import { BACKEND } from "./settings.js";

/** Server error codes that mean "the server is going away / not usable right now". */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

export const DUPLICATE_KEY = 11000;

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** Duplicate-key errors only (an unordered insertMany that hit rows that are already there). */
export function onlyDuplicateKeys(error: unknown): boolean {
  if (!(error instanceof MongoServerError)) return false;
  const writeErrors = (error as { writeErrors?: { code?: number }[] | { code?: number } }).writeErrors;
  if (Array.isArray(writeErrors))
    return writeErrors.length > 0 && writeErrors.every((w) => w.code === DUPLICATE_KEY);
  if (writeErrors && typeof writeErrors === "object") return writeErrors.code === DUPLICATE_KEY;
  return error.code === DUPLICATE_KEY;
}

export function isUnavailable(error: unknown): boolean {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoServerClosedError ||
    // by name: this class only exists in driver 7
    (error instanceof MongoError && error.name === "MongoClientClosedError")
  ) {
    return true;
  }
  if (error instanceof MongoError) {
    if (typeof error.code === "number" && UNAVAILABLE_CODES.has(error.code)) return true;
    if (error.hasErrorLabel("ResetPool") || error.hasErrorLabel("PoolRequstedRetry")) return true;
    if (error.name === "MongoPoolClearedError" || error.name === "MongoPoolClosedError") return true;
  }
  return false;
}

/** Replace every known secret (and any userinfo of a connection string) in a message. */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message.replace(/(mongodb(?:\+srv)?:\/\/)[^@/\s]*@/g, "$1<credentials>@");
  for (const secret of secrets) if (secret.length >= 1) out = out.split(secret).join("<secret>");
  return out;
}

/**
 * Turn whatever a driver call threw into core's typed errors: unreachable / closed / failing-over
 * servers become BackendUnavailableError (safe to retry: every write here is idempotent), a fired
 * AbortSignal becomes AbortError, anything else BackendError. Typed errors pass through.
 */
export function mapError(error: unknown, secrets: readonly string[], signal?: AbortSignal): Error {
  if (isMemoryError(error)) return error as Error;
  if (signal?.aborted && (error === signal.reason || (error as Error)?.name === "AbortError")) {
    return new AbortError({ backend: BACKEND, cause: error });
  }
  const original = error instanceof Error ? error.message : String(error);
  const message = scrub(original, secrets);
  // The driver's error is kept as `cause` only when its message held nothing secret.
  const cause = message === original ? error : undefined;
  if (error instanceof MongoParseError)
    return new ConfigError(`invalid connection string: ${message}`, { backend: BACKEND, key: "uri" });
  if (isUnavailable(error))
    return new BackendUnavailableError(`MongoDB is unavailable: ${message}`, { backend: BACKEND, cause });
  return new BackendError(message, { backend: BACKEND, cause });
}

export function notFound(sessionId: string): NotFoundError {
  return new NotFoundError(`session ${JSON.stringify(sessionId)} does not exist`, { backend: BACKEND });
}

/** Tidy-up work may fail when the server goes away; anything else is a bug worth surfacing. */
export function ignoreUnavailable(error: unknown): void {
  if (!isUnavailable(error)) throw error;
}
