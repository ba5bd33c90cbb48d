import {
  AbortError,
  BackendError,
  BackendUnavailableError,
  ConfigError,
  ConflictError,
  MemoryError,
  NotFoundError,
  ValidationError,
} from "@langswarm/memory-core";

export const BACKEND = "postgres";

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
const UNAVAILABLE_SQLSTATES = new Set([
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, recovering)
  "57P05", // idle_session_timeout
  "53300", // too_many_connections
  "53400", // configuration_limit_exceeded
  "58030", // io_error
]);

/** pg's own messages for dead or unusable connections (they carry no code). */
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /cannot use a pool after calling end/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /query read timeout/i,
  /server closed the connection/i,
  /socket hang up/i,
];

/** Errors after which the transaction certainly rolled back, so any operation may be retried. */
const ROLLED_BACK_SQLSTATES = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  constraint?: unknown;
}

function sqlstate(error: unknown): string | undefined {
  const code = (error as PgLikeError | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when the error says the server could not be reached or the connection died. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as PgLikeError).code;
  if (typeof code === "string" && SOCKET_CODES.has(code)) return true;
  // A unix socket path that does not exist: the server is not running.
  if (code === "ENOENT" && (error as { syscall?: unknown }).syscall === "connect") return true;
  const state = sqlstate(error);
  if (state !== undefined) return state.startsWith("08") || UNAVAILABLE_SQLSTATES.has(state);
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** The server rolled the transaction back by itself (serialization failure, deadlock): retry is always safe. */
export function isRolledBack(error: unknown): boolean {
  const state = sqlstate(error);
  return state !== undefined && ROLLED_BACK_SQLSTATES.has(state);
}

export interface ErrorContext {
  /** What we were doing, for the message ("appendMessages"). */
  operation: string;
  /** Where we were connecting, without credentials ("127.0.0.1:5432/app"). */
  target: string;
  /** Remove secrets that a driver message might echo. */
  scrub: (text: string) => string;
  /** The caller's signal had fired when the error arrived. */
  aborted?: boolean;
}

/**
 * Turn a driver error into core's typed errors. Connection-level failures become
 * BackendUnavailableError (safe to retry idempotent calls), a duplicate session id becomes
 * ConflictError, our "session not found" raise becomes NotFoundError, anything else BackendError.
 */
export function mapError(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof MemoryError) return error;
  const state = sqlstate(error);
  const raw = error instanceof Error ? error.message : String(error);
  const message = ctx.scrub(raw);
  const options = { backend: BACKEND, cause: error };
  if (ctx.aborted && (state === "57014" || state === undefined))
    return new AbortError({ backend: BACKEND, cause: error });
  if (isConnectionError(error)) {
    return new BackendUnavailableError(
      `${ctx.operation}: PostgreSQL at ${ctx.target} is unavailable: ${message}`,
      options,
    );
  }
  if (state === "57014") {
    // statement_timeout (our own aborts were handled above): the server is too slow to answer now.
    return new BackendUnavailableError(
      `${ctx.operation}: the statement timed out on ${ctx.target}: ${message}`,
      options,
    );
  }
  if (state?.startsWith("28") || state === "3D000") {
    // invalid_authorization_specification / invalid_password / unknown database: fix the settings.
    return new ConfigError(
      `${ctx.operation}: PostgreSQL at ${ctx.target} refused the connection: ${message}`,
      options,
    );
  }
  if (state === "23505") return new ConflictError(`${ctx.operation}: ${message}`, options);
  if (state === "P0002") return new NotFoundError(`${ctx.operation}: ${message}`, options);
  if (state === "22008" || state === "22007") {
    // datetime_field_overflow / invalid_datetime_format: a JS Date outside PostgreSQL's range.
    return new ValidationError(
      `${ctx.operation}: a date is outside the range PostgreSQL can store (${message})`,
      options,
    );
  }
  if (state === "42P01" || state === "42883" || state === "3F000") {
    // undefined_table / undefined_function / invalid_schema_name: the schema was never set up here.
    return new BackendError(
      `${ctx.operation}: the session tables are missing (${message}); call setup() once (createMemoryManager does)`,
      options,
    );
  }
  if (state === "54000")
    return new ValidationError(`${ctx.operation}: a value is too large for PostgreSQL (${message})`, options);
  return new BackendError(
    `${ctx.operation} failed${state ? ` (SQLSTATE ${state})` : ""}: ${message}`,
    options,
  );
}
