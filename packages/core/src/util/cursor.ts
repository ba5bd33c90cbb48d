import { ValidationError } from "../errors.js";

/**
 * Opaque pagination cursors: base64url JSON. Stores put whatever position they need inside
 * (e.g. `{ t: createdAtMs, id: sessionId }`); a cursor that does not decode is a ValidationError.
 */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

export function decodeCursor<T extends Record<string, string | number>>(
  cursor: string,
  shape: { [K in keyof T]: "string" | "number" },
  backend?: string,
): T {
  const fail = () => new ValidationError("invalid cursor", backend ? { backend } : {});
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw fail();
  }
  if (typeof parsed !== "object" || parsed === null) throw fail();
  for (const [key, type] of Object.entries(shape)) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value !== type) throw fail();
    if (type === "number" && !Number.isFinite(value)) throw fail();
  }
  return parsed as T;
}
