import {
  ALL_FILTER_OPERATORS,
  ConfigError,
  type FilterNode,
  type StoredVector,
  type VectorCapabilities,
  type VectorMatch,
} from "@langswarm/memory-core";
import {
  f32Blob,
  IN_FLIGHT,
  type LuaScript,
  mapLimit,
  type RedisClient,
  runScript,
  text,
  toObject,
} from "../client.js";
import { type CheckedQuery, type CheckedRecord, rankMatches, type StoreEngine } from "../engine.js";
import { BACKEND, raceAbort } from "../errors.js";
import type { Keys } from "../keys.js";
import { scriptOf } from "../scripts.js";
import { type Quantization, type ResolvedSettings, VECTORSET_MAX_DIMENSION } from "../settings.js";
import { decodeAttributes, encodeAttributes, filterToExpressions } from "./filter.js";
import { decodeRawVector } from "./vectors.js";

export const VECTORSET_CAPABILITIES: VectorCapabilities = {
  filterOperators: ALL_FILTER_OPERATORS,
  metrics: ["cosine"],
  maxDimension: VECTORSET_MAX_DIMENSION,
  exact: false,
  persistent: true,
  deleteByFilter: true,
};

/**
 * VSIM EF for unfiltered queries when `ef_runtime` is not set. Measured (bench/, 100k MiniLM-derived
 * vectors, NOQUANT): recall@10 0.942 at the server's default of 100, 0.974 at 200 for +24% p50.
 * Filtered queries keep the server's default: their walk already visits about EF / selectivity nodes
 * (FILTER-EF bounds it), and recall stayed 0.999 at 100 while 200 cost 1.8x the latency.
 */
export const UNFILTERED_EF = 200;

const QUANT_OPTION: Record<Quantization, string> = { none: "NOQUANT", q8: "Q8", bin: "BIN" };
/** VINFO's quant-type for each setting. */
const QUANT_INFO: Record<Quantization, string> = { none: "f32", q8: "int8", bin: "bin" };

/**
 * Delete every element matching any of the FILTER expressions, atomically: an exact linear scan
 * (VSIM ... TRUTH) and the VREMs run in one script, so a record rewritten concurrently is judged by
 * the attributes it has at that moment. KEYS[1] = vset; ARGV[1] = zero query vector (FP32), ARGV[2..] =
 * expressions. Returns the number of elements removed.
 */
const DELETE_MATCHING: LuaScript = scriptOf(`
local card = redis.call('VCARD', KEYS[1])
if card == 0 then return 0 end
local removed = 0
for i = 2, #ARGV do
  local ids = redis.call('VSIM', KEYS[1], 'FP32', ARGV[1], 'COUNT', card, 'TRUTH', 'FILTER', ARGV[i])
  for _, id in ipairs(ids) do removed = removed + redis.call('VREM', KEYS[1], id) end
end
return removed
`);

/** A Redis 8 Vector Set per index: element = record id, attributes = filter fields + metadata + document. */
export class VectorSetEngine implements StoreEngine {
  readonly name = "vectorset" as const;
  readonly capabilities = VECTORSET_CAPABILITIES;
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #s: ResolvedSettings;
  readonly #addOptions: (string | number)[];

  constructor(client: RedisClient, keys: Keys, settings: ResolvedSettings) {
    this.#client = client;
    this.#keys = keys;
    this.#s = settings;
    this.#addOptions = [QUANT_OPTION[settings.quantization], "M", settings.m, "EF", settings.efConstruction];
  }

  metaFields(): Record<string, string> {
    return { quantization: this.#s.quantization, m: String(this.#s.m) };
  }

  checkMeta(existing: Record<string, string>): void {
    for (const [key, mine] of Object.entries(this.metaFields())) {
      const theirs = existing[key];
      if (theirs !== undefined && theirs !== mine) {
        throw new ConfigError(
          `${key}: the index "${this.#keys.namespace}" was created with ${key} ${theirs}, the settings say ${mine} (Vector Sets cannot change it; drop() the index or use the same setting)`,
          { backend: BACKEND, key },
        );
      }
    }
  }

  /** The set itself is created by the first VADD; an existing one must match the settings. */
  async setup(): Promise<void> {
    const info = toObject(await this.#client.call("VINFO", this.#keys.vset));
    if (Object.keys(info).length === 0) return;
    const dim = Number(info["vector-dim"]);
    if (dim !== this.#s.dimension) {
      throw new ConfigError(
        `the Vector Set ${this.#keys.vset} holds ${dim}-dimensional vectors, the settings say ${this.#s.dimension}`,
        { backend: BACKEND, key: "dimension" },
      );
    }
    const quant = text(info["quant-type"]);
    if (quant !== QUANT_INFO[this.#s.quantization]) {
      throw new ConfigError(
        `quantization: the Vector Set ${this.#keys.vset} stores ${quant} vectors, the settings say "${this.#s.quantization}"`,
        { backend: BACKEND, key: "quantization" },
      );
    }
  }

  async upsert(records: CheckedRecord[]): Promise<void> {
    // One VADD per record carries the vector and its attributes: each record is replaced atomically.
    await mapLimit(records, IN_FLIGHT, (r) =>
      this.#client.call(
        "VADD",
        this.#keys.vset,
        "FP32",
        f32Blob(r.vector),
        r.id,
        ...this.#addOptions,
        "SETATTR",
        encodeAttributes(r.metadata, r.document),
      ),
    );
  }

  async query(q: CheckedQuery, signal: AbortSignal | undefined): Promise<VectorMatch[]> {
    const blob = f32Blob(q.vector);
    const expressions = q.filter ? filterToExpressions(q.filter) : [null];
    const runs = await raceAbort(
      Promise.all(expressions.map((expression) => this.#search(blob, q.topK, expression))),
      signal,
    );
    const byId = new Map<string, number>();
    for (const run of runs) for (const hit of run) byId.set(hit.id, hit.score);
    const ranked = rankMatches(
      [...byId].map(([id, score]) => ({ id, score })),
      q.topK,
      q.minScore,
    );
    const details = await raceAbort(
      Promise.all(ranked.map((m) => this.#fetch(m.id, q.includeVectors))),
      signal,
    );
    const out: VectorMatch[] = [];
    ranked.forEach((m, i) => {
      const d = details[i];
      // Removed between VSIM and VGETATTR: leave it out rather than invent its metadata.
      if (!d) return;
      out.push({
        id: m.id,
        score: m.score,
        metadata: d.metadata,
        document: d.document,
        ...(q.includeVectors && d.vector ? { vector: d.vector } : {}),
      });
    });
    return out;
  }

  async get(ids: string[], signal: AbortSignal | undefined): Promise<StoredVector[]> {
    const unique = [...new Set(ids)];
    const found = await raceAbort(
      mapLimit(unique, IN_FLIGHT, (id) => this.#fetch(id, true)),
      signal,
    );
    const byId = new Map(unique.map((id, i) => [id, found[i]]));
    return ids.flatMap((id) => {
      const d = byId.get(id);
      if (!d?.vector) return [];
      return [{ id, vector: d.vector, metadata: structuredClone(d.metadata), document: d.document }];
    });
  }

  async delete(ids: string[]): Promise<void> {
    await mapLimit([...new Set(ids)], IN_FLIGHT, (id) => this.#client.call("VREM", this.#keys.vset, id));
  }

  async deleteByFilter(filter: FilterNode): Promise<void> {
    const zero = Buffer.alloc(this.#s.dimension * 4);
    await runScript(this.#client, DELETE_MATCHING, [this.#keys.vset], [zero, ...filterToExpressions(filter)]);
  }

  async count(signal: AbortSignal | undefined): Promise<number> {
    return Number(await raceAbort(this.#client.call("VCARD", this.#keys.vset), signal));
  }

  async drop(): Promise<void> {
    await this.#client.call("UNLINK", this.#keys.vset);
  }

  /**
   * One VSIM. Scores come back as (1 + cosine) / 2; the common convention is the cosine itself. A
   * filtered search that comes back short is repeated as an exact scan (TRUTH), so a rare filter
   * still returns every match up to topK instead of what the bounded graph walk happened to reach.
   */
  async #search(
    blob: Buffer,
    topK: number,
    expression: string | null,
  ): Promise<{ id: string; score: number }[]> {
    const args: (string | number | Buffer)[] = [this.#keys.vset, "FP32", blob, "WITHSCORES", "COUNT", topK];
    const ef = this.#s.efRuntime ?? (expression === null ? UNFILTERED_EF : undefined);
    if (ef !== undefined) args.push("EF", Math.max(ef, topK));
    if (expression !== null) {
      args.push("FILTER", expression, "FILTER-EF", this.#s.filterEf ?? Math.max(topK * 200, 2000));
    }
    let hits = parseScores(await this.#client.call("VSIM", ...args));
    if (expression !== null && hits.length < topK && this.#s.exhaustiveFallback) {
      const exact = [
        this.#keys.vset,
        "FP32",
        blob,
        "WITHSCORES",
        "COUNT",
        topK,
        "TRUTH",
        "FILTER",
        expression,
      ];
      hits = parseScores(await this.#client.call("VSIM", ...exact));
    }
    return hits;
  }

  async #fetch(
    id: string,
    withVector: boolean,
  ): Promise<{ metadata: StoredVector["metadata"]; document: string | null; vector?: Float32Array } | null> {
    const [attributes, raw] = await Promise.all([
      this.#client.call("VGETATTR", this.#keys.vset, id),
      withVector ? this.#client.callBuffer("VEMB", this.#keys.vset, id, "RAW") : Promise.resolve(undefined),
    ]);
    if (withVector && (raw === null || raw === undefined)) return null;
    if (!withVector && (attributes === null || attributes === undefined)) {
      // No attributes: either gone, or written by someone else without SETATTR. Ask the set.
      const exists = await this.#client.call("VISMEMBER", this.#keys.vset, id);
      if (Number(exists) !== 1) return null;
    }
    const decoded = decodeAttributes(
      attributes === null || attributes === undefined ? null : text(attributes),
    );
    return {
      ...decoded,
      ...(withVector ? { vector: decodeRawVector(raw, this.#s.dimension) } : {}),
    };
  }
}

/** VSIM ... WITHSCORES: RESP2 flat pairs, RESP3 map (flattened or as an object). */
export function parseScores(reply: unknown): { id: string; score: number }[] {
  const out: { id: string; score: number }[] = [];
  const push = (id: unknown, score: unknown) =>
    out.push({ id: text(id), score: 2 * Number(text(score)) - 1 });
  if (Array.isArray(reply)) {
    if (reply.length > 0 && Array.isArray(reply[0])) for (const [id, s] of reply as unknown[][]) push(id, s);
    else for (let i = 0; i + 1 < reply.length; i += 2) push(reply[i], reply[i + 1]);
  } else if (reply instanceof Map) {
    for (const [id, s] of reply) push(id, s);
  } else if (reply && typeof reply === "object") {
    for (const [id, s] of Object.entries(reply)) push(id, s);
  }
  return out;
}
