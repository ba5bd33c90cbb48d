import {
  ALL_FILTER_OPERATORS,
  BackendError,
  ConfigError,
  type FilterNode,
  type StoredVector,
  type VectorCapabilities,
  type VectorMatch,
  type VectorMetadata,
  type VectorMetric,
} from "@langswarm/memory-core";
import {
  f32Blob,
  IN_FLIGHT,
  type LuaScript,
  mapLimit,
  type RedisClient,
  readF32,
  runScript,
  text,
} from "../client.js";
import { type CheckedQuery, type CheckedRecord, rankMatches, type StoreEngine } from "../engine.js";
import { BACKEND, errorMessage, isReplyError, raceAbort } from "../errors.js";
import type { Keys } from "../keys.js";
import { scriptOf } from "../scripts.js";
import { REDISEARCH_MAX_DIMENSION, type ResolvedSettings } from "../settings.js";
import { filterFields, filterToQuery, numericField, tagField } from "./query.js";
import { parseInfoAttributes, parseSearchReply } from "./reply.js";

export const REDISEARCH_CAPABILITIES: VectorCapabilities = {
  filterOperators: ALL_FILTER_OPERATORS,
  metrics: ["cosine", "euclidean", "dot"],
  maxDimension: REDISEARCH_MAX_DIMENSION,
  exact: false,
  persistent: true,
  deleteByFilter: true,
};

const DISTANCE: Record<VectorMetric, string> = { cosine: "COSINE", euclidean: "L2", dot: "IP" };
/** EF_RUNTIME written at FT.CREATE when `ef_runtime` is not set (the Vector Sets default for unfiltered queries). */
export const DEFAULT_EF_RUNTIME = 200;
/** The KNN distance in FT.SEARCH replies. */
const SCORE_FIELD = "__vscore";
/** Hash fields of one record. */
export const FIELD = { vector: "vec", metadata: "md", document: "doc" } as const;
/** Keys per FT.SEARCH page when deleting by filter (the server's default MAXSEARCHRESULTS is 10000). */
const DELETE_PAGE = 1000;

/**
 * Replace one record: DEL + HSET in one script, so no reader (or the index) ever sees a mix of the
 * old and new fields. KEYS[1] = the record's hash; ARGV = field, value, ...
 */
const REPLACE: LuaScript = scriptOf(`
redis.call('DEL', KEYS[1])
return redis.call('HSET', KEYS[1], unpack(ARGV))
`);

/**
 * RediSearch over one hash per record (`<ns>:d:<id>`), indexed by FT.CREATE ... PREFIX 1 <ns>:d:.
 * Scores from KNN distances: COSINE 1 - d (cosine similarity), IP 1 - d (the inner product), L2
 * 1 / (1 + sqrt(d)) (RediSearch reports squared L2 distances).
 */
export class RediSearchEngine implements StoreEngine {
  readonly name = "redisearch" as const;
  readonly capabilities: VectorCapabilities;
  readonly #client: RedisClient;
  readonly #keys: Keys;
  readonly #s: ResolvedSettings;
  /** Declared fields, sorted by name: the schema and the meta record list them in this order. */
  readonly #fields: Readonly<Record<string, "tag" | "numeric">>;

  constructor(client: RedisClient, keys: Keys, settings: ResolvedSettings) {
    this.#client = client;
    this.#keys = keys;
    this.#s = settings;
    this.#fields = Object.fromEntries(
      Object.entries(settings.filterableFields).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    this.capabilities = { ...REDISEARCH_CAPABILITIES, exact: settings.algorithm === "flat" };
    if (settings.quantization !== "none") {
      throw new ConfigError(
        'quantization: RediSearch stores FLOAT32 vectors here; quantization applies to engine "vectorset"',
        {
          backend: BACKEND,
          key: "quantization",
        },
      );
    }
  }

  metaFields(): Record<string, string> {
    return {
      algorithm: this.#s.algorithm,
      ...(this.#s.algorithm === "hnsw"
        ? { m: String(this.#s.m), ef_construction: String(this.#s.efConstruction) }
        : {}),
      fields: JSON.stringify(this.#fields),
    };
  }

  checkMeta(existing: Record<string, string>): void {
    for (const [key, mine] of Object.entries(this.metaFields())) {
      const theirs = existing[key];
      if (theirs === undefined || theirs === mine) continue;
      const setting = key === "fields" ? "filterable_fields" : key;
      throw new ConfigError(
        `${setting}: the index "${this.#keys.ftIndex}" was created with ${key} ${theirs}, the settings say ${mine} (drop() and re-create it, or use the same setting)`,
        { backend: BACKEND, key: setting },
      );
    }
  }

  /** FT.CREATE; an index that already exists (another process, an earlier run) is checked instead. */
  async setup(): Promise<void> {
    try {
      await this.#client.call("FT.CREATE", ...this.createArgs());
    } catch (error) {
      if (!isReplyError(error) || !/already exists/i.test(errorMessage(error))) throw error;
      await this.#checkExistingIndex();
    }
  }

  /** The FT.CREATE arguments (after the command name). */
  createArgs(): (string | number)[] {
    const s = this.#s;
    const vector: (string | number)[] = [
      "TYPE",
      "FLOAT32",
      "DIM",
      s.dimension,
      "DISTANCE_METRIC",
      DISTANCE[s.metric],
    ];
    if (s.algorithm === "hnsw") {
      // RediSearch's own EF_RUNTIME default (10) is far below what recall@10 needs; use the effort
      // measured for Vector Sets (see UNFILTERED_EF), unless set.
      vector.push(
        "M",
        s.m,
        "EF_CONSTRUCTION",
        s.efConstruction,
        "EF_RUNTIME",
        s.efRuntime ?? DEFAULT_EF_RUNTIME,
      );
    }
    const schema: (string | number)[] = [
      FIELD.vector,
      "VECTOR",
      s.algorithm.toUpperCase(),
      vector.length,
      ...vector,
    ];
    for (const [field, kind] of Object.entries(this.#fields)) {
      schema.push(tagField(field), "TAG");
      if (kind === "numeric") schema.push(numericField(field), "NUMERIC");
    }
    return [this.#keys.ftIndex, "ON", "HASH", "PREFIX", 1, this.#keys.docPrefix, "SCHEMA", ...schema];
  }

  async upsert(records: CheckedRecord[]): Promise<void> {
    await mapLimit(records, IN_FLIGHT, (r) =>
      runScript(this.#client, REPLACE, [this.#docKey(r.id)], this.recordFields(r)),
    );
  }

  /** HSET field/value pairs of one record. */
  recordFields(r: CheckedRecord): (string | Buffer)[] {
    const out: (string | Buffer)[] = [
      FIELD.vector,
      f32Blob(r.vector),
      FIELD.metadata,
      JSON.stringify(r.metadata),
    ];
    if (r.document !== null) out.push(FIELD.document, r.document);
    out.push(...filterFields(r.metadata, this.#fields));
    return out;
  }

  async query(q: CheckedQuery, signal: AbortSignal | undefined): Promise<VectorMatch[]> {
    const args = this.searchArgs(q);
    const reply = parseSearchReply(await raceAbort(this.#client.callBuffer("FT.SEARCH", ...args), signal));
    const matches = reply.hits.flatMap((hit) => {
      const id = this.#idOf(hit.key);
      if (id === null) return [];
      const distance = Number(text(hit.fields[SCORE_FIELD]));
      const vector = hit.fields[FIELD.vector];
      return [
        {
          id,
          score: this.#score(distance),
          metadata: parseMetadata(hit.fields[FIELD.metadata]),
          document: documentOf(hit.fields[FIELD.document]),
          ...(q.includeVectors && Buffer.isBuffer(vector)
            ? { vector: readF32(vector, this.#s.dimension) }
            : {}),
        },
      ];
    });
    return rankMatches(matches, q.topK, q.minScore);
  }

  /** FT.SEARCH arguments (after the command name) for one KNN query. */
  searchArgs(q: CheckedQuery): (string | number | Buffer)[] {
    const filter = q.filter ? `(${filterToQuery(q.filter, this.#fields)})` : "*";
    const ef =
      this.#s.algorithm === "hnsw" && this.#s.efRuntime !== undefined
        ? Math.max(this.#s.efRuntime, q.topK)
        : undefined;
    const knn = `${filter}=>[KNN $K @${FIELD.vector} $BLOB${ef !== undefined ? " EF_RUNTIME $EF" : ""} AS ${SCORE_FIELD}]`;
    const params: (string | number | Buffer)[] = ["K", q.topK, "BLOB", f32Blob(q.vector)];
    if (ef !== undefined) params.push("EF", ef);
    const fields = [SCORE_FIELD, FIELD.metadata, FIELD.document, ...(q.includeVectors ? [FIELD.vector] : [])];
    return [
      this.#keys.ftIndex,
      knn,
      "PARAMS",
      params.length,
      ...params,
      "SORTBY",
      SCORE_FIELD,
      "ASC",
      "RETURN",
      fields.length,
      ...fields,
      "LIMIT",
      0,
      q.topK,
      "DIALECT",
      2,
    ];
  }

  async get(ids: string[], signal: AbortSignal | undefined): Promise<StoredVector[]> {
    const unique = [...new Set(ids)];
    const rows = await raceAbort(
      mapLimit(
        unique,
        IN_FLIGHT,
        (id) =>
          this.#client.callBuffer(
            "HMGET",
            this.#docKey(id),
            FIELD.vector,
            FIELD.metadata,
            FIELD.document,
          ) as Promise<(Buffer | null)[]>,
      ),
      signal,
    );
    const byId = new Map(unique.map((id, i) => [id, rows[i]]));
    return ids.flatMap((id) => {
      const [vector, metadata, document] = byId.get(id) ?? [];
      if (!Buffer.isBuffer(vector)) return [];
      return [
        {
          id,
          vector: readF32(vector, this.#s.dimension),
          metadata: parseMetadata(metadata),
          document: documentOf(document),
        },
      ];
    });
  }

  async delete(ids: string[]): Promise<void> {
    const keys = [...new Set(ids)].map((id) => this.#docKey(id));
    for (let i = 0; i < keys.length; i += 500) await this.#client.call("UNLINK", ...keys.slice(i, i + 500));
  }

  /**
   * FT.SEARCH the filter for keys (NOCONTENT), UNLINK them, repeat until none is left. The index
   * covers only `<ns>:d:` keys, and every key is checked against that prefix before it is removed.
   */
  async deleteByFilter(filter: FilterNode): Promise<void> {
    const query = filterToQuery(filter, this.#fields);
    let previous = "";
    for (;;) {
      const reply = parseSearchReply(
        await this.#client.call(
          "FT.SEARCH",
          this.#keys.ftIndex,
          query,
          "NOCONTENT",
          "LIMIT",
          0,
          DELETE_PAGE,
          "DIALECT",
          2,
        ),
        true,
      );
      const keys = reply.hits.map((h) => h.key).filter((key) => key.startsWith(this.#keys.docPrefix));
      if (keys.length === 0) return;
      const page = keys.join("\n");
      if (page === previous)
        throw new BackendError("deleteByFilter: the index kept returning deleted keys", { backend: BACKEND });
      previous = page;
      await this.#client.call("UNLINK", ...keys);
    }
  }

  async count(signal: AbortSignal | undefined): Promise<number> {
    const reply = await raceAbort(
      this.#client.call("FT.SEARCH", this.#keys.ftIndex, "*", "LIMIT", 0, 0, "DIALECT", 2),
      signal,
    );
    return parseSearchReply(reply, true).total;
  }

  /** FT.DROPINDEX ... DD removes the index and every hash it indexed. */
  async drop(): Promise<void> {
    try {
      await this.#client.call("FT.DROPINDEX", this.#keys.ftIndex, "DD");
    } catch (error) {
      if (!isReplyError(error) || !/unknown index|no such index|not found/i.test(errorMessage(error)))
        throw error;
    }
  }

  async #checkExistingIndex(): Promise<void> {
    const attributes = parseInfoAttributes(await this.#client.call("FT.INFO", this.#keys.ftIndex));
    const vec = attributes.find((a) => a.identifier === FIELD.vector || a.attribute === FIELD.vector);
    if (vec?.type !== "VECTOR") {
      throw new ConfigError(
        `the RediSearch index "${this.#keys.ftIndex}" exists but has no vector field "${FIELD.vector}"; it is not one this store created`,
        {
          backend: BACKEND,
          key: "index_name",
        },
      );
    }
    if (vec.dim !== undefined && Number(vec.dim) !== this.#s.dimension) {
      throw new ConfigError(
        `the RediSearch index "${this.#keys.ftIndex}" has DIM ${vec.dim}, the settings say ${this.#s.dimension}`,
        {
          backend: BACKEND,
          key: "dimension",
        },
      );
    }
    const metric = vec.distance_metric;
    if (metric !== undefined && metric.toUpperCase() !== DISTANCE[this.#s.metric]) {
      throw new ConfigError(
        `the RediSearch index "${this.#keys.ftIndex}" uses DISTANCE_METRIC ${metric}, the settings say ${DISTANCE[this.#s.metric]}`,
        {
          backend: BACKEND,
          key: "metric",
        },
      );
    }
  }

  #docKey(id: string): string {
    return `${this.#keys.docPrefix}${id}`;
  }

  #idOf(key: string): string | null {
    return key.startsWith(this.#keys.docPrefix) ? key.slice(this.#keys.docPrefix.length) : null;
  }

  #score(distance: number): number {
    if (this.#s.metric === "euclidean") return 1 / (1 + Math.sqrt(Math.max(0, distance)));
    return 1 - distance;
  }
}

function parseMetadata(value: unknown): VectorMetadata {
  if (value === null || value === undefined) return {};
  return JSON.parse(text(value)) as VectorMetadata;
}

function documentOf(value: unknown): string | null {
  return value === null || value === undefined ? null : text(value);
}
