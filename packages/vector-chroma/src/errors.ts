import {
  BackendError,
  BackendUnavailableError,
  ConfigError,
  MemoryError,
  NotFoundError,
} from "@langswarm/memory-core";
import {
  ChromaConnectionError,
  ChromaForbiddenError,
  ChromaNotFoundError,
  ChromaUnauthorizedError,
} from "chromadb";

export const BACKEND = "chroma";

/** Map a chromadb client error to core's typed errors, scrubbing secrets from the message. */
export function mapError(error: unknown, action: string, scrub: (text: string) => string): MemoryError {
  if (error instanceof MemoryError) return error;
  const name = error instanceof Error ? error.constructor.name : "";
  const raw = error instanceof Error ? error.message : String(error);
  const message = `${action}: ${scrub(raw)}`;
  const options = { backend: BACKEND, cause: error };
  // instanceof for our copy of chromadb; the class name for a caller's client from another copy.
  const is = (cls: new (...args: never[]) => Error) => error instanceof cls || name === cls.name;
  if (is(ChromaNotFoundError)) return new NotFoundError(message, options);
  if (is(ChromaUnauthorizedError) || is(ChromaForbiddenError)) {
    return new ConfigError(`${action}: the server refused the credentials (check headers / api_key)`, {
      ...options,
      key: "api_key",
    });
  }
  if (is(ChromaConnectionError) || isConnectionFailure(error)) {
    return new BackendUnavailableError(`${action}: cannot reach the Chroma server`, options);
  }
  return new BackendError(message, options);
}

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return (
    typeof code === "string" &&
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"].includes(code)
  );
}
