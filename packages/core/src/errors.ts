/**
 * Typed errors. Every error carries the backend it came from and a stable `code`, so callers can
 * branch on `instanceof` or on `code` (across package copies). Messages never include secrets.
 */
export type MemoryErrorCode =
  | "CONFIG"
  | "ADAPTER_NOT_FOUND"
  | "NOT_FOUND"
  | "CONFLICT"
  | "VALIDATION"
  | "DIMENSION_MISMATCH"
  | "UNSUPPORTED"
  | "BACKEND_UNAVAILABLE"
  | "BACKEND"
  | "ABORTED";

export interface MemoryErrorOptions {
  backend?: string;
  cause?: unknown;
}

export class MemoryError extends Error {
  readonly code: MemoryErrorCode;
  readonly backend: string | undefined;

  constructor(code: MemoryErrorCode, message: string, options: MemoryErrorOptions = {}) {
    super(options.backend ? `[${options.backend}] ${message}` : message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.backend = options.backend;
  }
}

/** A setting is missing, misspelt, of the wrong type, or inconsistent with the server. */
export class ConfigError extends MemoryError {
  readonly key: string | undefined;
  constructor(message: string, options: MemoryErrorOptions & { key?: string } = {}) {
    super("CONFIG", message, options);
    this.key = options.key;
  }
}

/** The config names a backend whose package is not installed / registered. */
export class AdapterNotFoundError extends MemoryError {
  readonly packageName: string;
  constructor(message: string, packageName: string, options: MemoryErrorOptions = {}) {
    super("ADAPTER_NOT_FOUND", message, options);
    this.packageName = packageName;
  }
}

export class NotFoundError extends MemoryError {
  constructor(message: string, options: MemoryErrorOptions = {}) {
    super("NOT_FOUND", message, options);
  }
}

/** Something with that identity already exists (a session id, a registered backend name). */
export class ConflictError extends MemoryError {
  constructor(message: string, options: MemoryErrorOptions = {}) {
    super("CONFLICT", message, options);
  }
}

/** Input that can never be valid: an empty role, a bad cursor, an unsupported filter operator... */
export class ValidationError extends MemoryError {
  constructor(message: string, options: MemoryErrorOptions = {}) {
    super("VALIDATION", message, options);
  }
}

export class DimensionMismatchError extends MemoryError {
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number, options: MemoryErrorOptions & { what?: string } = {}) {
    super(
      "DIMENSION_MISMATCH",
      `${options.what ?? "vector"} has dimension ${actual}, but the index has dimension ${expected}`,
      options,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** The adapter cannot do this (capability not offered), e.g. full-text search on SQLite. */
export class UnsupportedError extends MemoryError {
  constructor(message: string, options: MemoryErrorOptions = {}) {
    super("UNSUPPORTED", message, options);
  }
}

/** The server cannot be reached or went away mid-call. Safe to retry idempotent operations. */
export class BackendUnavailableError extends MemoryError {
  constructor(message: string, options: MemoryErrorOptions = {}) {
    super("BACKEND_UNAVAILABLE", message, options);
  }
}

/** Any other server-side failure, wrapped so the caller sees the backend name and a typed error. */
export class BackendError extends MemoryError {
  constructor(message: string, options: MemoryErrorOptions = {}) {
    super("BACKEND", message, options);
  }
}

export class AbortError extends MemoryError {
  constructor(options: MemoryErrorOptions = {}) {
    super("ABORTED", "the operation was aborted", options);
  }
}

export function isMemoryError(error: unknown): error is MemoryError {
  return (
    error instanceof MemoryError ||
    (error instanceof Error && typeof (error as MemoryError).code === "string" && "backend" in error)
  );
}

/** Throw an AbortError if the signal has fired. Call at the start of every public method. */
export function throwIfAborted(signal: AbortSignal | undefined, backend?: string): void {
  if (signal?.aborted) throw new AbortError(backend === undefined ? {} : { backend });
}
