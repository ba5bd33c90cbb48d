import {
  ALL_FILTER_OPERATORS,
  BackendUnavailableError,
  type CallOptions,
  ConfigError,
  type Filter,
  NotFoundError,
  type StoredVector,
  throwIfAborted,
  type VectorCapabilities,
  type VectorCreateContext,
  type VectorIndexInfo,
  type VectorMatch,
  type VectorQuery,
  type VectorRecord,
  type VectorStore,
  vectorRules,
} from "@langswarm/memory-core";
import { createOwnedClient, type RedisClient } from "./client.js";
import type { StoreEngine } from "./engine.js";
import { BACKEND, mapError, raceAbort } from "./errors.js";
import { type Keys, keysFor } from "./keys.js";
import { checkCommonMeta, claimMeta, LAYOUT_VERSION, readMeta } from "./meta.js";
import { RediSearchEngine } from "./redisearch/engine.js";
import { type Engine, type ResolvedSettings, resolveSettings, VECTORSET_MAX_DIMENSION } from "./settings.js";
import { VectorSetEngine } from "./vectorset/engine.js";

/**
 * What the descriptor advertises before an engine is chosen: the union of both engines. A store
 * reports its engine's own capabilities once the engine is known (at construction when `engine` is
 * set, after setup() with "auto").
 */
export const REDIS_VECTOR_CAPABILITIES: VectorCapabilities = {
  filterOperators: ALL_FILTER_OPERATORS,
  metrics: vectorRules.METRICS,
  maxDimension: VECTORSET_MAX_DIMENSION,
  exact: false,
  persistent: true,
  deleteByFilter: true,
};

/** What the server offers, from `COMMAND INFO VADD FT.CREATE`. */
export interface ServerFeatures {
  vectorSets: boolean;
  search: boolean;
}

/**
 * A vector index in Redis, on one of two engines:
 * - `vectorset`: a Redis 8 Vector Set (VADD/VSIM), cosine only, any metadata field filterable;
 * - `redisearch`: hashes indexed by FT.CREATE ... VECTOR (Redis Stack, Redis 8 with the query engine,
 *   Redis Cloud), every metric, filters on the fields declared in `filterable_fields`.
 * `engine: "auto"` uses the engine an existing index was created with, else detects the server's.
 */
export class RedisVectorStore implements VectorStore {
  readonly backend = BACKEND;
  readonly index: VectorIndexInfo;
  readonly settings: ResolvedSettings;
  readonly keys: Keys;
  readonly #client: RedisClient;
  readonly #owned: boolean;
  #engine: StoreEngine | undefined;
  #ready: Promise<StoreEngine> | undefined;
  #closed = false;

  /**
   * `settings` are LangSwarm's `connection_params` (snake_case, validated here); `context` is what the
   * manager knows (the embedding dimension, the metric, an index-name suffix).
   */
  constructor(settings: Record<string, unknown> = {}, context: VectorCreateContext = {}) {
    this.settings = resolveSettings(settings, context);
    this.keys = keysFor(this.settings.keyPrefix, this.settings.indexName);
    this.index = {
      name: this.keys.namespace,
      dimension: this.settings.dimension,
      metric: this.settings.metric,
    };
    this.#owned = this.settings.client === undefined;
    this.#client =
      this.settings.client ??
      createOwnedClient({
        url: this.settings.url,
        db: this.settings.db,
        connectTimeoutMs: this.settings.connectTimeoutMs,
        commandTimeoutMs: this.settings.commandTimeoutMs,
      });
    if (this.settings.engine !== "auto") this.#engine = this.#makeEngine(this.settings.engine);
    vectorRules.checkIndexInfo(this.index, this.capabilities, BACKEND);
  }

  /** The engine's capabilities once it is known; the union of both before (engine "auto", no setup yet). */
  get capabilities(): VectorCapabilities {
    return this.#engine?.capabilities ?? REDIS_VECTOR_CAPABILITIES;
  }

  /** "vectorset" or "redisearch"; undefined until setup() with engine "auto". */
  get engine(): Engine | undefined {
    return this.#engine?.name;
  }

  /**
   * Choose the engine (auto), write or read the meta record atomically, and create or check the
   * server-side structure. Idempotent; safe when several processes run it at once.
   */
  async setup(options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    const ready = this.#run("setup", async () => {
      const engine = this.#engine ?? (await this.#chooseEngine());
      const existing = await claimMeta(this.#client, this.keys.meta, {
        layout: String(LAYOUT_VERSION),
        engine: engine.name,
        dimension: String(this.index.dimension),
        metric: this.index.metric,
        ...engine.metaFields(),
      });
      this.#checkMeta(existing, engine);
      await engine.setup();
      return engine;
    });
    this.#ready = ready;
    ready.catch(() => {
      if (this.#ready === ready) this.#ready = undefined;
    });
    await raceAbort(ready, options?.signal);
  }

  async upsert(records: VectorRecord[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    const checked = vectorRules.checkUpsert(records, this.index.dimension, BACKEND);
    if (checked.length === 0) return;
    const engine = await this.#opened(options);
    throwIfAborted(options?.signal, BACKEND);
    await this.#run("upsert", () => engine.upsert(checked));
  }

  async query(query: VectorQuery, options?: CallOptions): Promise<VectorMatch[]> {
    throwIfAborted(options?.signal, BACKEND);
    const engine = await this.#opened(options);
    const q = vectorRules.checkQuery(query, this.index.dimension, engine.capabilities, BACKEND);
    return this.#run("query", () => engine.query(q, options?.signal));
  }

  async get(ids: string[], options?: CallOptions): Promise<StoredVector[]> {
    throwIfAborted(options?.signal, BACKEND);
    vectorRules.checkIds(ids, BACKEND);
    if (ids.length === 0) return [];
    const engine = await this.#opened(options);
    return this.#run("get", () => engine.get(ids, options?.signal));
  }

  async delete(ids: string[], options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    vectorRules.checkIds(ids, BACKEND);
    if (ids.length === 0) return;
    const engine = await this.#opened(options);
    throwIfAborted(options?.signal, BACKEND);
    await this.#run("delete", () => engine.delete(ids));
  }

  async deleteByFilter(filter: Filter, options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    const engine = await this.#opened(options);
    const node = vectorRules.checkDeleteFilter(filter, engine.capabilities, BACKEND);
    throwIfAborted(options?.signal, BACKEND);
    await this.#run("deleteByFilter", () => engine.deleteByFilter(node));
  }

  async count(options?: CallOptions): Promise<number> {
    throwIfAborted(options?.signal, BACKEND);
    const engine = await this.#opened(options);
    return this.#run("count", () => engine.count(options?.signal));
  }

  /** Remove the index, its records and its meta record. setup() creates it again. */
  async drop(options?: CallOptions): Promise<void> {
    throwIfAborted(options?.signal, BACKEND);
    await this.#run("drop", async () => {
      const engine = this.#engine ?? (await this.#engineFromMeta());
      if (engine) await engine.drop();
      await this.#client.call("UNLINK", this.keys.meta);
    });
    this.#ready = undefined;
  }

  /** Ends the connection the store opened; a client passed in settings stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned) return;
    const client = this.#client;
    try {
      await client.quit?.();
    } catch {
      client.disconnect?.();
    }
  }

  /**
   * The engine of an index that exists: this instance's setup(), or the meta record another process
   * wrote (checked against the settings once). Without either: NotFoundError.
   */
  #opened(options: CallOptions | undefined): Promise<StoreEngine> {
    if (this.#closed)
      return Promise.reject(new BackendUnavailableError("the store was closed", { backend: BACKEND }));
    if (!this.#ready) {
      const ready = this.#run("open", async () => {
        const existing = await readMeta(this.#client, this.keys.meta);
        if (Object.keys(existing).length === 0) {
          throw new NotFoundError(
            `the index "${this.keys.namespace}" does not exist; call setup() to create it (again after drop())`,
            { backend: BACKEND },
          );
        }
        const engine = this.#engine ?? this.#makeEngine(existing.engine as Engine);
        this.#checkMeta(existing, engine);
        return engine;
      });
      this.#ready = ready;
      ready.catch(() => {
        if (this.#ready === ready) this.#ready = undefined;
      });
    }
    return raceAbort(this.#ready, options?.signal);
  }

  #checkMeta(existing: Record<string, string>, engine: StoreEngine): void {
    if (!this.#engine && existing.engine !== engine.name)
      engine = this.#makeEngine(existing.engine as Engine);
    checkCommonMeta(existing, {
      engine: engine.name,
      dimension: this.index.dimension,
      metric: this.index.metric,
      namespace: this.keys.namespace,
    });
    engine.checkMeta(existing);
    this.#engine = engine;
  }

  /** engine "auto": the engine of an existing index, else what the server offers and the settings ask for. */
  async #chooseEngine(): Promise<StoreEngine> {
    const existing = await this.#engineFromMeta();
    if (existing) return existing;
    const features = await detectFeatures(this.#client);
    const hints = this.settings.engineHints;
    const wantsSearch = this.index.metric !== "cosine" || hints.redisearch.length > 0;
    if (features.vectorSets && !wantsSearch) return this.#makeEngine("vectorset");
    if (features.search && hints.vectorset.length === 0) return this.#makeEngine("redisearch");
    if (features.vectorSets && this.index.metric !== "cosine") {
      throw new ConfigError(
        `metric: this Redis server offers Vector Sets, which compare by cosine only (got "${this.index.metric}"); use metric "cosine", or a server with the query engine (RediSearch)`,
        { backend: BACKEND, key: "metric" },
      );
    }
    if (features.vectorSets && hints.redisearch.length > 0) {
      throw new ConfigError(
        `${hints.redisearch[0]}: a RediSearch setting, but this Redis server has no query engine (FT.*); it offers Vector Sets`,
        { backend: BACKEND, key: hints.redisearch[0]! },
      );
    }
    if (features.search) {
      throw new ConfigError(
        `${hints.vectorset[0]}: a Vector Sets setting, but this Redis server has no Vector Sets (Redis 8+); it offers RediSearch`,
        { backend: BACKEND, key: hints.vectorset[0]! },
      );
    }
    throw new ConfigError(
      "this Redis server has neither Vector Sets (Redis 8+: VADD/VSIM) nor the query engine with vectors (Redis Stack / RediSearch 2.4+: FT.CREATE ... VECTOR)",
      { backend: BACKEND, key: "engine" },
    );
  }

  async #engineFromMeta(): Promise<StoreEngine | undefined> {
    const existing = await readMeta(this.#client, this.keys.meta);
    if (existing.engine === "vectorset" || existing.engine === "redisearch")
      return this.#makeEngine(existing.engine);
    return undefined;
  }

  #makeEngine(name: Engine): StoreEngine {
    if (name === "vectorset") {
      if (this.index.metric !== "cosine") {
        throw new ConfigError(
          `metric: Redis Vector Sets compare by cosine similarity only (got "${this.index.metric}")`,
          { backend: BACKEND, key: "metric" },
        );
      }
      return new VectorSetEngine(this.#client, this.keys, this.settings);
    }
    if (name === "redisearch") return new RediSearchEngine(this.#client, this.keys, this.settings);
    throw new ConfigError(
      `the index "${this.keys.namespace}" names an unknown engine ${JSON.stringify(name)}`,
      {
        backend: BACKEND,
        key: "engine",
      },
    );
  }

  async #run<T>(action: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed)
      throw new BackendUnavailableError(`${action}: the store was closed`, { backend: BACKEND });
    try {
      return await work();
    } catch (error) {
      throw mapError(error, action);
    }
  }
}

export async function detectFeatures(client: RedisClient): Promise<ServerFeatures> {
  const reply = (await client.call("COMMAND", "INFO", "VADD", "FT.CREATE")) as unknown[];
  const present = (i: number) => Array.isArray(reply) && reply[i] !== null && reply[i] !== undefined;
  return { vectorSets: present(0), search: present(1) };
}
