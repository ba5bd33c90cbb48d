import { BackendError } from "@langswarm/memory-core";
import { entries, text, toObject } from "../client.js";
import { BACKEND } from "../errors.js";

export interface SearchHit {
  key: string;
  fields: Record<string, unknown>;
}

export interface SearchReply {
  total: number;
  hits: SearchHit[];
}

/**
 * FT.SEARCH replies in every shape a client may hand them over:
 * - RESP2: [total, key, [field, value, ...], key, [...], ...] (NOCONTENT: [total, key, key, ...]);
 * - RESP3 as a map { total_results, results: [{ id, extra_attributes: {...} }], ... }, which ioredis
 *   gives either flattened into [name, value, ...] arrays (its "legacy" mapping) or as objects.
 */
export function parseSearchReply(reply: unknown, noContent = false): SearchReply {
  if (Array.isArray(reply) && (typeof reply[0] === "number" || typeof reply[0] === "bigint")) {
    const hits: SearchHit[] = [];
    const step = noContent ? 1 : 2;
    for (let i = 1; i < reply.length; i += step) {
      hits.push({ key: text(reply[i]), fields: noContent ? {} : toObject(reply[i + 1]) });
    }
    return { total: Number(reply[0]), hits };
  }
  const map = toObject(reply);
  if (!("results" in map) && !("total_results" in map))
    throw new BackendError("FT.SEARCH returned an unexpected reply", { backend: BACKEND });
  const results = Array.isArray(map.results) ? map.results : [];
  return {
    total: Number(text(map.total_results)),
    hits: results.map((r) => {
      const item = toObject(r);
      return { key: text(item.id), fields: toObject(item.extra_attributes) };
    }),
  };
}

/** FT.INFO's attribute list as plain records (identifier, type, dim, distance_metric, ...). */
export function parseInfoAttributes(reply: unknown): Record<string, string>[] {
  const info = toObject(reply);
  const attributes = Array.isArray(info.attributes) ? info.attributes : [];
  return attributes.map((attribute) => {
    const out: Record<string, string> = {};
    for (const [k, v] of entries(attribute)) out[k.toLowerCase()] = text(v);
    return out;
  });
}
