import {
  type CallOptions,
  ConfigError,
  DimensionMismatchError,
  type Filter,
  type StoredVector,
  throwIfAborted,
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
import { ChromaClient, type Collection, type EmbeddingFunction, IncludeEnum } from "chromadb";
import { BACKEND, mapError } from "./errors.js";
import { type ChromaWhere, DOC_KEY, decodeMetadata, encodeMetadata, losesKeys, toWhere } from "./metadata.js";
import {
  type ChromaSettings,
  MAX_DIMENSION,
  makeScrubber,
  type ResolvedSettings,
  resolveSettings,
} from "./settings.js";

export const CHROMA_CAPABILITIES: VectorCapabilities = {
  filterOperators: ["$eq", "$ne", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$exists", "$and", "$or"],
  metrics: ["cosine", "euclidean", "dot"],
  maxDimension: MAX_DIMENSION,
  exact: false,
  persistent: true,
  deleteByFilter: true,
};

/** Layout of what this package writes (collection metadata keys, record encoding). */
export const LAYOUT_VERSION = 1;
const META = {
  layout: "langswarm.layout",
  dimension: "langswarm.dimension",
  metric: "langswarm.metric",
} as const;

/** Chroma's names for our metrics (the `hnsw:space` / configuration `space`). */
const SPACE: Record<VectorMetric, "cosine" | "l2" | "ip"> = { cosine: "cosine", euclidean: "l2", dot: "ip" };

/** We always bring our own vectors: Chroma must never embed text itself. */
const REFUSE_TO_EMBED: EmbeddingFunction = {
  generate: async () => {
    throw new ValidationError("this collection is used with caller-supplied embeddings only", {
      backend: BACKEND,
    });
  },
};

/** Chroma's server default when a client does not ask (GET /api/v2/pre-flight-checks). */
const FALLBACK_MAX_BATCH = 1000;

export class ChromaVectorStore implements VectorStore {
  readonly backend = BACKEND;
  readonly capabilities = CHROMA_CAPABILITIES;
  readonly index: VectorIndexInfo;
  readonly settings: ResolvedSettings;
  readonly #client: ChromaClient;
  readonly #scrub: (text: string) => string;
  #collection: Collection | undefined;
  #batchSize: number | undefined;
  #closed = false;

  constructor(settings: ChromaSettings | Record<string, unknown>, context: VectorCreateContext = {}) {
    this.settings = resolveSettings(settings, context);
    this.index = {
      name: this.settings.collection,
      dimension: this.settings.dimension,
      metric: this.settings.metric,
    };
    vectorRules.checkIndexInfo(this.index, this.capabilities, BACKEND);
    this.#client = this.settings.client ?? new ChromaClient(this.settings.clientArgs);
    this.#scrub = makeScrubber(this.settings.secrets);
  }

  /**
   * Create the collection, or open it and check its dimension and metric. Race-safe: create, and on
   * "already exists" open what the winner made and check it like any existing collection.
   */
  async setup(options?: CallOptions): Promise<void> {
    this.#collection = await this.#call("setup", options, async () => {
      const name = this.settings.collection;
      let collection: Collection;
      try {
        collection = await this.#client.createCollection({
          name,
          configuration: { hnsw: { space: SPACE[this.index.metric] } },
          metadata: {
            [META.layout]: LAYOUT_VERSION,
            [META.dimension]: this.index.dimension,
            [META.metric]: this.index.metric,
          },
          embeddingFunction: REFUSE_TO_EMBED,
        });
      } catch (error) {
        if (errorName(error) !== "ChromaUniqueError") throw error;
        collection = await this.#client.getCollection({ name, embeddingFunction: REFUSE_TO_EMBED });
      }
      await this.#checkExisting(collection);
      if (this.#batchSize === undefined) {
        const serverMax = await this.#client.getMaxBatchSize().catch(() => FALLBACK_MAX_BATCH);
        this.#batchSize = Math.min(this.settings.upsertBatchSize ?? serverMax, serverMax);
      }
      return collection;
    });
  }

  async #checkExisting(collection: Collection): Promise<void> {
    const meta = (collection.metadata ?? {}) as Record<string, unknown>;
    const layout = meta[META.layout];
    if (typeof layout === "number" && layout > LAYOUT_VERSION) {
      throw new ConfigError(
        `collection ${collection.name} was written by a newer @langswarm/vector-chroma (layout ${layout}, this one knows ${LAYOUT_VERSION}); upgrade the package`,
        { backend: BACKEND, key: "collection_name" },
      );
    }
    const space =
      collection.configuration?.hnsw?.space ??
      collection.configuration?.spann?.space ??
      meta["hnsw:space"] ??
      "l2";
    if (space !== SPACE[this.index.metric]) {
      throw new ConfigError(
        `collection ${collection.name} uses the ${String(space)} space, but metric is ${this.index.metric} (${SPACE[this.index.metric]}); use another collection_name or metric`,
        { backend: BACKEND, key: "metric" },
      );
    }
    let dimension = typeof meta[META.dimension] === "number" ? (meta[META.dimension] as number) : undefined;
    if (dimension === undefined) {
      // Not created by this package (e.g. by LangSwarm's Python code): Chroma learns the dimension from
      // the first insert, so read one stored vector; an empty collection is adopted with our record.
      const sample = await collection.get({ limit: 1, include: [IncludeEnum.embeddings] });
      dimension = sample.embeddings?.[0]?.length;
      if (dimension === undefined || dimension === this.index.dimension) {
        await collection.modify({
          metadata: {
            ...(collection.metadata ?? {}),
            [META.layout]: LAYOUT_VERSION,
            [META.dimension]: this.index.dimension,
            [META.metric]: this.index.metric,
          },
        });
        return;
      }
    }
    if (dimension !== this.index.dimension) {
      throw new DimensionMismatchError(dimension, this.index.dimension, {
        backend: BACKEND,
        what: `the configured dimension (collection ${collection.name})`,
      });
    }
  }

  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    const checked = vectorRules.checkUpsert(records, this.index.dimension, BACKEND);
    const collection = this.#open();
    const size = this.#batchSize ?? FALLBACK_MAX_BATCH;
    for (let i = 0; i < checked.length; i += size) {
      const batch = checked.slice(i, i + size);
      await this.#call("upsert", options, async () => {
        const ids = batch.map((r) => r.id);
        const metadatas = batch.map((r) => encodeMetadata(r.metadata, r.document !== null));
        // Chroma merges metadata on upsert; ours replaces. Records that would keep a stale key are
        // deleted first (not atomic with the write: see the README).
        const stored = await collection.get({ ids, include: [IncludeEnum.metadatas] });
        const next = new Map(ids.map((id, j) => [id, metadatas[j]!]));
        const stale = stored.ids.filter((id, j) =>
          losesKeys(next.get(id)!, stored.metadatas[j] as Record<string, unknown> | null),
        );
        if (stale.length > 0) await collection.delete({ ids: stale });
        await collection.upsert({
          ids,
          embeddings: batch.map((r) => Array.from(r.vector)),
          metadatas,
          documents: batch.map((r) => r.document ?? ""),
        });
      });
    }
  }

  async query(query: VectorQuery, options?: CallOptions): Promise<VectorMatch[]> {
    const q = vectorRules.checkQuery(query, this.index.dimension, this.capabilities, BACKEND);
    const collection = this.#open();
    const include = [
      IncludeEnum.distances,
      IncludeEnum.metadatas,
      IncludeEnum.documents,
      ...(q.includeVectors ? [IncludeEnum.embeddings] : []),
    ];
    const result = await this.#call("query", options, () =>
      collection.query({
        queryEmbeddings: [Array.from(q.vector)],
        nResults: q.topK,
        ...(q.filter ? { where: toWhere(q.filter) as never } : {}),
        include,
      }),
    );
    const ids = result.ids[0] ?? [];
    const matches: VectorMatch[] = [];
    for (const [j, id] of ids.entries()) {
      const score = this.#score(result.distances?.[0]?.[j] ?? Number.NaN);
      // Results come best first, so dropping low scores after the cut equals dropping them before it.
      if (q.minScore !== undefined && score < q.minScore) continue;
      const stored = result.metadatas?.[0]?.[j] as Record<string, unknown> | null | undefined;
      const match: VectorMatch = {
        id,
        score,
        metadata: decodeMetadata(stored),
        document: documentOf(stored, result.documents?.[0]?.[j]),
      };
      const vector = result.embeddings?.[0]?.[j];
      if (q.includeVectors && vector) match.vector = Float32Array.from(vector);
      matches.push(match);
    }
    return matches;
  }

  /** Chroma's distance to the common score (see core's VectorMetric). */
  #score(distance: number): number {
    switch (this.index.metric) {
      case "cosine":
        return 1 - distance; // cosine distance = 1 - cos
      case "dot":
        return 1 - distance; // Chroma's ip distance = 1 - dot
      case "euclidean":
        return vectorRules.euclideanScore(Math.sqrt(Math.max(0, distance))); // Chroma reports squared L2
    }
  }

  async get(ids: string[], options?: CallOptions): Promise<StoredVector[]> {
    vectorRules.checkIds(ids, BACKEND);
    const collection = this.#open();
    // An empty id list would mean "no id condition" to Chroma, i.e. every record.
    if (ids.length === 0) return [];
    const result = await this.#call("get", options, () =>
      collection.get({
        ids: [...new Set(ids)],
        include: [IncludeEnum.embeddings, IncludeEnum.metadatas, IncludeEnum.documents],
      }),
    );
    const byId = new Map<string, StoredVector>();
    for (const [j, id] of result.ids.entries()) {
      const stored = result.metadatas[j] as Record<string, unknown> | null | undefined;
      byId.set(id, {
        id,
        vector: Float32Array.from(result.embeddings[j] ?? []),
        metadata: decodeMetadata(stored),
        document: documentOf(stored, result.documents[j]),
      });
    }
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [{ ...r, vector: r.vector.slice(), metadata: { ...r.metadata } }] : [];
    });
  }

  async delete(ids: string[], options?: CallOptions): Promise<void> {
    vectorRules.checkIds(ids, BACKEND);
    const collection = this.#open();
    if (ids.length === 0) return; // an empty list would delete everything
    await this.#call("delete", options, () => collection.delete({ ids: [...new Set(ids)] }));
  }

  async deleteByFilter(filter: Filter, options?: CallOptions): Promise<void> {
    const node = vectorRules.checkDeleteFilter(filter, this.capabilities, BACKEND);
    const collection = this.#open();
    const where: ChromaWhere = toWhere(node);
    await this.#call("deleteByFilter", options, () => collection.delete({ where: where as never }));
  }

  async count(options?: CallOptions): Promise<number> {
    const collection = this.#open();
    return this.#call("count", options, () => collection.count());
  }

  async drop(options?: CallOptions): Promise<void> {
    this.#assertOpen();
    await this.#call("drop", options, async () => {
      try {
        await this.#client.deleteCollection({ name: this.settings.collection });
      } catch (error) {
        if (errorName(error) !== "ChromaNotFoundError") throw error;
      }
    });
    this.#collection = undefined;
  }

  /** The chromadb client holds no sockets of its own (fetch); a caller's client is never touched. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#collection = undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ValidationError("the store is closed", { backend: BACKEND });
  }

  #open(): Collection {
    this.#assertOpen();
    if (!this.#collection)
      throw new ValidationError("call setup() before using the store", { backend: BACKEND });
    return this.#collection;
  }

  async #call<T>(action: string, options: CallOptions | undefined, run: () => Promise<T>): Promise<T> {
    throwIfAborted(options?.signal, BACKEND);
    try {
      return await run();
    } catch (error) {
      throw mapError(error, action, this.#scrub);
    } finally {
      throwIfAborted(options?.signal, BACKEND);
    }
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.constructor.name || error.name : "";
}

function documentOf(
  stored: Record<string, unknown> | null | undefined,
  document: string | null | undefined,
): string | null {
  if (stored && stored[DOC_KEY] === false) return null;
  return document ?? null;
}
