import {
  BackendError,
  BackendUnavailableError,
  ConfigError,
  MemoryError,
  NotFoundError,
  ValidationError,
} from "@langswarm/memory-core";

export const BACKEND = "pinecone";

/** The SDK's error class names, by what they mean to us. */
const UNAVAILABLE = new Set([
  "PineconeConnectionError",
  "PineconeUnavailableError",
  "PineconeInternalServerError",
  "PineconeMaxRetriesExceededError",
  "PineconeUnmappedHttpError",
]);

function status(error: unknown): number | undefined {
  const e = error as { status?: number; response?: { status?: number } };
  if (typeof e?.status === "number") return e.status;
  // The SDK's unmapped errors only say "... Status: 429." in the message.
  const m = /\bstatus:?\s*(?:code\s*)?(\d{3})\b/i.exec(String((error as Error)?.message ?? ""));
  return m ? Number(m[1]) : undefined;
}

/** True for what is worth retrying: rate limits, server errors, network failures. */
export function isTransient(error: unknown): boolean {
  const name = (error as Error)?.constructor?.name ?? "";
  if (name === "PineconeConnectionError" || name === "PineconeUnavailableError") return true;
  if (name === "PineconeInternalServerError" || name === "PineconeMaxRetriesExceededError") return true;
  const code = status(error);
  return code === 429 || (code !== undefined && code >= 500);
}

/** SDK error -> typed core error. Messages never contain the API key (it is scrubbed). */
export function mapError(error: unknown, op: string, apiKey: string): MemoryError {
  if (error instanceof MemoryError) return error;
  const name = (error as Error)?.constructor?.name ?? "Error";
  const raw = String((error as Error)?.message ?? error)
    .split(apiKey)
    .join("***");
  const message = `${op} failed: ${raw.slice(0, 500)}`;
  if (name === "PineconeAuthorizationError" || status(error) === 401 || status(error) === 403)
    return new ConfigError(`${op}: Pinecone refused the API key (check api_key / PINECONE_API_KEY)`, {
      backend: BACKEND,
      key: "api_key",
    });
  if (name === "PineconeNotFoundError") return new NotFoundError(message, { backend: BACKEND });
  if (name === "PineconeBadRequestError") return new ValidationError(message, { backend: BACKEND });
  if (UNAVAILABLE.has(name) || name === "TypeError" || status(error) === 429 || (status(error) ?? 0) >= 500)
    return new BackendUnavailableError(message, { backend: BACKEND });
  return new BackendError(message, { backend: BACKEND });
}
