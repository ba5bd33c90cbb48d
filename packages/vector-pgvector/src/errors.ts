import {
  AbortError,
  BackendError,
  BackendUnavailableError,
  ConfigError,
  MemoryError,
  NotFoundError,
  ValidationError,
} from "@langswarm/memory-core";

export const BACKEND = "pgvector";

/** Node socket errors that mean "the server is not there (any more)". */
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
]);

/** SQLSTATEs of a server that is shutting down, starting up, in recovery, or out of connections. */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "57P05", "53300", "53400", "58030"]);

/** pg's own messages for dead or unusable connections (they carry no code). */
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /cannot use a pool after calling end/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /server closed the connection/i,
  /socket hang up/i,
];

export function sqlstate(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when the server could not be reached or the connection died. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && SOCKET_CODES.has(code)) return true;
  if (code === "ENOENT" && (error as { syscall?: unknown }).syscall === "connect") return true;
  const state = sqlstate(error);
  if (state !== undefined) return state.startsWith("08") || UNAVAILABLE_SQLSTATES.has(state);
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** Serialization failure or deadlock: the server rolled back, so repeating is always safe. */
export function isRolledBack(error: unknown): boolean {
  const state = sqlstate(error);
  return state === "40001" || state === "40P01";
}

export interface ErrorContext {
  operation: string;
  /** host:port/database, never credentials. */
  target: string;
  /** Removes secrets a driver message might echo. */
  scrub: (text: string) => string;
  aborted?: boolean;
}

/**
 * Driver errors to core's typed errors: connection-level failures are BackendUnavailableError (safe
 * to retry), a missing table NotFoundError (setup() was not run, or drop() was), bad credentials
 * ConfigError, input PostgreSQL cannot hold ValidationError, anything else BackendError.
 */
export function mapError(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof MemoryError) return error;
  const state = sqlstate(error);
  const message = ctx.scrub(error instanceof Error ? error.message : String(error));
  const options = { backend: BACKEND, cause: error };
  if (ctx.aborted && (state === "57014" || state === undefined))
    return new AbortError({ backend: BACKEND, cause: error });
  if (isConnectionError(error)) {
    return new BackendUnavailableError(
      `${ctx.operation}: PostgreSQL at ${ctx.target} is unavailable: ${message}`,
      options,
    );
  }
  if (state === "57014")
    return new BackendUnavailableError(
      `${ctx.operation}: the statement timed out on ${ctx.target}: ${message}`,
      options,
    );
  if (state?.startsWith("28") || state === "3D000") {
    return new ConfigError(
      `${ctx.operation}: PostgreSQL at ${ctx.target} refused the connection: ${message}`,
      options,
    );
  }
  if (state === "42P01" || state === "3F000") {
    return new NotFoundError(
      `${ctx.operation}: ${message}; call setup() to create the index (again after drop())`,
      options,
    );
  }
  if (state === "54000" || state === "22P02" || state === "22003") {
    return new ValidationError(`${ctx.operation}: PostgreSQL cannot store this value (${message})`, options);
  }
  return new BackendError(
    `${ctx.operation} failed${state ? ` (SQLSTATE ${state})` : ""}: ${message}`,
    options,
  );
}

/**
 * CREATE EXTENSION vector failed: say exactly what to do. PostgreSQL 15 reports a missing extension
 * as 58P01 ("could not open extension control file"), 16+ as 0A000 ("is not available").
 */
export function extensionError(error: unknown, ctx: ErrorContext & { database: string }): Error {
  const state = sqlstate(error);
  const message = ctx.scrub(error instanceof Error ? error.message : String(error));
  const options = { backend: BACKEND, cause: error, key: "extension" };
  if (state === "58P01" || (state === "0A000" && /not available/i.test(message))) {
    return new ConfigError(
      `the pgvector extension is not installed on the PostgreSQL server at ${ctx.target} (${message}). ` +
        "Install it on the server (Debian/Ubuntu: apt install postgresql-<major>-pgvector; or build it from " +
        "https://github.com/pgvector/pgvector), then run setup() again: it executes CREATE EXTENSION IF NOT EXISTS vector.",
      options,
    );
  }
  if (state === "42501") {
    return new ConfigError(
      `this user may not create the pgvector extension in database "${ctx.database}" (${message}). ` +
        `Ask a superuser or the database owner to run once: CREATE EXTENSION IF NOT EXISTS vector; (in database "${ctx.database}").`,
      options,
    );
  }
  return mapError(error, ctx);
}
