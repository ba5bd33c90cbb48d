import { createHash } from "node:crypto";

/**
 * Qdrant point ids are unsigned integers or UUIDs; ours are any text. Each id maps to a name-based
 * UUID (RFC 9562 version 5: SHA-1 of a fixed namespace + the id's UTF-8 bytes), so the mapping is
 * deterministic, needs no lookup table, and can be recomputed anywhere, e.g. in Python:
 *
 *   ns = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/langswarm/langswarm-memory-ts#vector-qdrant")
 *   point_id = uuid.uuid5(ns, record_id)
 *
 * The original id is kept in the payload (`_id`) and is what every method returns; reads check it,
 * so even a SHA-1 collision could not hand back another record.
 */
export const ID_NAMESPACE = "d29fe797-6cf7-57bc-af90-4ae64618d902";

const NAMESPACE_BYTES = Buffer.from(ID_NAMESPACE.replaceAll("-", ""), "hex");

export function pointId(id: string): string {
  const hash = createHash("sha1").update(NAMESPACE_BYTES).update(id, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC variant
  const hex = hash.toString("hex", 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
