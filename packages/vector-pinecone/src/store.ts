import {
  ALL_FILTER_OPERATORS,
  type CallOptions,
  ConfigError,
  DimensionMismatchError,
  type Filter,
  type StoredVector,
  ValidationError,
  type VectorCapabilities,
  type VectorCreateContext,
  type VectorIndexInfo,
  type VectorMatch,
  type VectorMetric,
  type VectorQuery,
  type VectorRecord,
  type VectorStore,
  vectorRules,
} from "@langswarm/memory-core";
import { type Index, Pinecone } from "@pinecone-database/pinecone";
import { BACKEND, isTransient, mapError } from "./errors.js";
import { decodeMetadata, encodeMetadata, filterToPinecone } from "./metadata.js";
import { MAX_DIMENSION, PINECONE_METRIC, type ResolvedSettings, resolveSettings } from "./settings.js";

export const PINECONE_CAPABILITIES: VectorCapabilities = {
  filterOperators: ALL_FILTER_OPERATORS,
  metrics: vectorRules.METRICS,
  maxDimension: MAX_DIMENSION,
  exact: false,
  persistent: true,
  deleteByFilter: true,
};

/** Pinecone limits: 1000 ids per fetch/delete, 2 MB per upsert request, 512-byte ids. */
const IDS_PER_REQUEST = 1000;
const MAX_REQUEST_BYTES = 2 * 1024 * 1024 - 64 * 1024;
const MAX_ID_BYTES = 512;

export class PineconeVectorStore implements VectorStore {
  readonly backend = BACKEND;
  readonly capabilities = PINECONE_CAPABILITIES;
  readonly index: VectorIndexInfo;
  readonly settings: ResolvedSettings;
  readonly client: Pinecone;
  #data: Index | undefined;
  #closed = false;

  constructor(settings: Record<string, unknown>, context: VectorCreateContext = {}) {
    const s = resolveSettings(settings, context);
    this.settings = s;
    this.index = { name: s.indexName, dimension: s.dimension, metric: s.metric };
    vectorRules.checkIndexInfo(this.index, this.capabilities, BACKEND);
    this.client = new Pinecone({
      apiKey: s.apiKey,
      maxRetries: 0,
      ...(s.controllerHostUrl ? { controllerHostUrl: s.controllerHostUrl } : {}),
    });
  }

  /** Run one SDK call with retries on 429/5xx/network errors, then map its error. */
  async #call<T>(op: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#closed) throw new ValidationError(`${op}: the store is closed`, { backend: BACKEND });
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        return await fn();
      } catch (error) {
        if (attempt >= this.settings.maxRetries || !isTransient(error))
          throw mapError(error, op, this.settings.apiKey);
        await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random())));
      }
    }
  }

  #ns(): Index {
    if (!this.#data) {
      const { indexName, host, namespace } = this.settings;
      this.#data = this.client.index(host ? { host, namespace } : { name: indexName, namespace });
    }
    return this.#data;
  }

  /** Describe the index; create it (serverless) when missing; check its dimension and metric. */
  async setup(options?: CallOptions): Promise<void> {
    const s = this.settings;
    let model: { dimension?: number; metric?: string; host?: string } | undefined;
    try {
      model = await this.#call("setup", () => this.client.describeIndex(s.indexName), options?.signal);
    } catch (error) {
      if ((error as { code?: string }).code !== "NOT_FOUND") throw error;
      if (!s.createIndex)
        throw new ConfigError(`index "${s.indexName}" does not exist and create_index is false`, {
          backend: BACKEND,
          key: "index_name",
        });
      // suppressConflicts: a concurrent setup() creating the same index is not an error.
      await this.#call(
        "setup",
        () =>
          this.client.createIndex({
            name: s.indexName,
            dimension: s.dimension,
            metric: PINECONE_METRIC[s.metric] as "cosine",
            spec: { serverless: { cloud: s.cloud as "aws", region: s.region } },
            waitUntilReady: true,
            suppressConflicts: true,
          }),
        options?.signal,
      );
      model = await this.#call("setup", () => this.client.describeIndex(s.indexName), options?.signal);
    }
    if (model.dimension !== undefined && model.dimension !== s.dimension)
      throw new DimensionMismatchError(s.dimension, model.dimension, {
        backend: BACKEND,
        what: `index "${s.indexName}"`,
      });
    if (model.metric !== undefined && model.metric !== PINECONE_METRIC[s.metric])
      throw new ConfigError(
        `index "${s.indexName}" uses metric ${model.metric}, but ${PINECONE_METRIC[s.metric]} is configured`,
        {
          backend: BACKEND,
          key: "metric",
        },
      );
    if (!s.host && model.host) {
      const host = model.host;
      this.#data = this.client.index({ host, namespace: s.namespace });
    }
  }

  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    const checked = vectorRules.checkUpsert(records, this.index.dimension, BACKEND);
    for (const r of checked) checkId(r.id);
    let batch: {
      id: string;
      values: number[];
      metadata: Record<string, string | number | boolean | string[]>;
    }[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const sent = batch;
      batch = [];
      bytes = 0;
      await this.#call("upsert", () => this.#ns().upsert({ records: sent }), options?.signal);
    };
    for (const r of checked) {
      const rec = {
        id: r.id,
        values: Array.from(r.vector),
        metadata: encodeMetadata(r.metadata, r.document),
      };
      const size = JSON.stringify(rec).length;
      if (batch.length >= this.settings.batchSize || bytes + size > MAX_REQUEST_BYTES) await flush();
      batch.push(rec);
      bytes += size;
    }
    await flush();
  }

  async query(query: VectorQuery, options?: CallOptions): Promise<VectorMatch[]> {
    const q = vectorRules.checkQuery(query, this.index.dimension, this.capabilities, BACKEND);
    const filter = filterToPinecone(q.filter);
    const res = await this.#call(
      "query",
      () =>
        this.#ns().query({
          vector: Array.from(q.vector),
          topK: q.topK,
          includeMetadata: true,
          includeValues: q.includeVectors,
          ...(filter ? { filter } : {}),
        }),
      options?.signal,
    );
    const matches: VectorMatch[] = [];
    for (const m of res.matches ?? []) {
      const score = toScore(this.settings.metric, m.score ?? 0);
      // Cutting the top K by minScore keeps exactly the top K of those above minScore.
      if (q.minScore !== undefined && !(score >= q.minScore)) continue;
      const { metadata, document } = decodeMetadata(m.metadata);
      matches.push({
        id: m.id,
        score,
        metadata,
        document,
        ...(q.includeVectors ? { vector: Float32Array.from(m.values ?? []) } : {}),
      });
    }
    return matches.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async get(ids: string[], options?: CallOptions): Promise<StoredVector[]> {
    vectorRules.checkIds(ids, BACKEND);
    const found = new Map<string, StoredVector>();
    const unique = [...new Set(ids)].filter(fitsId);
    for (let i = 0; i < unique.length; i += IDS_PER_REQUEST) {
      const chunk = unique.slice(i, i + IDS_PER_REQUEST);
      const res = await this.#call("get", () => this.#ns().fetch({ ids: chunk }), options?.signal);
      for (const [id, rec] of Object.entries(res.records ?? {})) {
        const { metadata, document } = decodeMetadata(rec.metadata);
        found.set(id, { id, vector: Float32Array.from(rec.values ?? []), metadata, document });
      }
    }
    return ids.flatMap((id) => {
      const r = found.get(id);
      return r ? [{ ...r, vector: r.vector.slice(), metadata: structuredClone(r.metadata) }] : [];
    });
  }

  async delete(ids: string[], options?: CallOptions): Promise<void> {
    vectorRules.checkIds(ids, BACKEND);
    const unique = [...new Set(ids)].filter(fitsId);
    for (let i = 0; i < unique.length; i += IDS_PER_REQUEST) {
      const chunk = unique.slice(i, i + IDS_PER_REQUEST);
      await this.#call("delete", () => this.#ns().deleteMany({ ids: chunk }), options?.signal);
    }
  }

  async deleteByFilter(filter: Filter, options?: CallOptions): Promise<void> {
    const node = vectorRules.checkDeleteFilter(filter, this.capabilities, BACKEND);
    const pf = filterToPinecone(node)!;
    await this.#call("deleteByFilter", () => this.#ns().deleteMany({ filter: pf }), options?.signal);
  }

  async count(options?: CallOptions): Promise<number> {
    const stats = await this.#call("count", () => this.#ns().describeIndexStats(), options?.signal);
    const ns = this.settings.namespace;
    // The default namespace is reported as "" or, in newer API versions, "__default__".
    const entry = stats.namespaces?.[ns] ?? (ns === "" ? stats.namespaces?.__default__ : undefined);
    return entry?.recordCount ?? 0;
  }

  /** Delete every record of the namespace (the index stays), or the whole index with drop_index. */
  async drop(options?: CallOptions): Promise<void> {
    try {
      if (this.settings.dropIndex)
        await this.#call("drop", () => this.client.deleteIndex(this.settings.indexName), options?.signal);
      else await this.#call("drop", () => this.#ns().deleteAll(), options?.signal);
    } catch (error) {
      if ((error as { code?: string }).code !== "NOT_FOUND") throw error;
    }
  }

  /** The SDK holds no connection to end; later calls are refused. */
  async close(): Promise<void> {
    this.#closed = true;
  }
}

/** Pinecone reports similarity for cosine and dotproduct, the SQUARED L2 distance for euclidean. */
export function toScore(metric: VectorMetric, pineconeScore: number): number {
  return metric === "euclidean"
    ? vectorRules.euclideanScore(Math.sqrt(Math.max(0, pineconeScore)))
    : pineconeScore;
}

const fitsId = (id: string) => Buffer.byteLength(id, "utf8") <= MAX_ID_BYTES;

function checkId(id: string): void {
  if (!fitsId(id)) throw new ValidationError(`id longer than ${MAX_ID_BYTES} bytes`, { backend: BACKEND });
}
