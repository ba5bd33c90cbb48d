import {
  BackendError,
  BackendUnavailableError,
  ConfigError,
  ConflictError,
  isMemoryError,
  type MemoryError,
} from "@langswarm/memory-core";

/**
 * Map a better-sqlite3 error to core's typed errors. SQLite messages carry no credentials, so the
 * original message is kept (with the action that failed) and the driver error is kept as `cause`.
 */
export function toMemoryError(error: unknown, backend: string, action: string): MemoryError {
  if (isMemoryError(error)) return error as MemoryError;
  const code =
    typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "";
  const message = error instanceof Error ? error.message : String(error);
  const options = { backend, cause: error };
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new BackendUnavailableError(
      `${action}: the database stayed locked by another connection for longer than busy_timeout_ms (${message})`,
      options,
    );
  }
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    return new ConflictError(`${action}: ${message}`, options);
  }
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR")) {
    return new BackendUnavailableError(
      `${action}: the database file cannot be read or written (${message})`,
      options,
    );
  }
  if (code === "SQLITE_NOTADB") {
    return new ConfigError(`${action}: the file is not an SQLite database (${message})`, {
      ...options,
      key: "settings.path",
    });
  }
  if (!code && /database connection is not open/i.test(message)) {
    return new BackendUnavailableError(`${action}: the database connection is closed`, options);
  }
  if (!code && /directory does not exist/i.test(message)) {
    return new ConfigError(`${action}: ${message}`, { ...options, key: "settings.path" });
  }
  return new BackendError(`${action}: ${message}`, options);
}
