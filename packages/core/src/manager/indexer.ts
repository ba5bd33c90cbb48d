import { createHash } from "node:crypto";
import { BackendError, NotFoundError } from "../errors.js";
import type { EmbeddingProvider } from "../types/embedding.js";
import type { SessionStore, StoredMessage } from "../types/session.js";
import type { VectorMetadata, VectorRecord, VectorStore } from "../types/vector.js";

export const WATERMARK = "semantic";

export interface IndexerOptions {
  sessions: SessionStore;
  vectors: VectorStore;
  embedder: EmbeddingProvider;
  /** Messages per embedding request (default: min(64, provider limit)). */
  batchSize?: number;
  /** Entries in the content-hash embedding cache (default 10,000). */
  cacheSize?: number;
  /** Called when indexing a session fails; the messages stay durable and indexing retries. */
  onError?: (error: unknown, sessionId: string) => void;
  retryDelayMs?: number;
}

/** The vector id of a message: bounded length whatever the session id, stable across reindexing. */
export function messageVectorId(sessionId: string, seq: number): string {
  return `m:${createHash("sha256").update(sessionId).digest("base64url").slice(0, 22)}:${seq}`;
}

/**
 * Embeds and indexes messages after they are durable in the session store. Each session has a
 * watermark (highest indexed seq) kept in the session store, so after a crash or an embedding outage
 * indexing resumes where it stopped; a message is never lost or blocked by the vector side.
 */
export class SemanticIndexer {
  readonly #o: Required<Omit<IndexerOptions, "onError">> & Pick<IndexerOptions, "onError">;
  readonly #pending = new Set<string>();
  readonly #cache = new Map<string, Float32Array>();
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #closed = false;
  /** Embedding requests made (for benchmarks and tests). */
  embedCalls = 0;

  constructor(options: IndexerOptions) {
    this.#o = {
      batchSize: Math.max(1, Math.min(options.batchSize ?? 64, options.embedder.maxBatchSize)),
      cacheSize: options.cacheSize ?? 10_000,
      retryDelayMs: options.retryDelayMs ?? 500,
      ...options,
    };
  }

  get pendingSessions(): number {
    return this.#pending.size;
  }

  /** Note that a session has new messages; indexing runs soon, in the background. */
  enqueue(sessionId: string): void {
    if (this.#closed) return;
    this.#pending.add(sessionId);
    this.#schedule(0);
  }

  /** Index everything pending now. Throws the first error if a session could not be indexed. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#running) await this.#running.catch(() => {});
    const errors = await this.#runOnce();
    if (errors.length > 0) throw errors[0];
  }

  /** Index one session up to its newest message. Returns how many messages were indexed. */
  async indexSession(sessionId: string, onProgress?: (done: number) => void): Promise<number> {
    let indexed = 0;
    for (;;) {
      const watermark = await this.#o.sessions.getWatermark(sessionId, WATERMARK);
      const batch = await this.#o.sessions.getMessages(sessionId, {
        afterSeq: watermark,
        limit: this.#o.batchSize,
      });
      if (batch.length === 0) return indexed;
      await this.indexMessages(sessionId, batch);
      await this.#o.sessions.setWatermark(sessionId, WATERMARK, batch[batch.length - 1]!.seq);
      indexed += batch.length;
      onProgress?.(indexed);
    }
  }

  /** Embed (cache first) and upsert messages of one session. */
  async indexMessages(sessionId: string, messages: StoredMessage[]): Promise<void> {
    const withText = messages.filter((m) => m.content.trim().length > 0);
    if (withText.length === 0) return;
    const session = await this.#o.sessions.getSession(sessionId);
    if (!session) throw new NotFoundError(`session ${JSON.stringify(sessionId)} was deleted`);
    const vectors = await this.embed(withText.map((m) => m.content));
    const records: VectorRecord[] = withText.map((m, i) => {
      const metadata: VectorMetadata = {
        kind: "message",
        sessionId,
        messageId: m.id,
        role: m.role,
        seq: m.seq,
        time: m.createdAt.getTime(),
      };
      if (session.userId !== null) metadata.userId = session.userId;
      if (session.agentId !== null) metadata.agentId = session.agentId;
      return { id: messageVectorId(sessionId, m.seq), vector: vectors[i]!, metadata, document: m.content };
    });
    await this.#o.vectors.upsert(records);
  }

  /** Embed texts, skipping any text embedded before (content-hash cache). */
  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const keys = texts.map((t) => createHash("sha256").update(t).digest("base64url"));
    const out: (Float32Array | undefined)[] = keys.map((k) => this.#cache.get(k));
    const missing = [...new Set(keys.filter((_, i) => out[i] === undefined))];
    const fresh = new Map<string, Float32Array>(); // not only the cache: it may evict within one call
    for (let start = 0; start < missing.length; start += this.#o.embedder.maxBatchSize) {
      const chunk = missing.slice(start, start + this.#o.embedder.maxBatchSize);
      const chunkTexts = chunk.map((k) => texts[keys.indexOf(k)]!);
      this.embedCalls++;
      const vectors = await this.#o.embedder.embed(chunkTexts, signal ? { signal } : {});
      if (vectors.length !== chunk.length) {
        throw new BackendError(
          `the embedding provider returned ${vectors.length} vectors for ${chunk.length} texts`,
          {
            backend: this.#o.embedder.provider,
          },
        );
      }
      for (const [i, k] of chunk.entries()) {
        fresh.set(k, vectors[i]!);
        this.#remember(k, vectors[i]!);
      }
    }
    return keys.map((k, i) => out[i] ?? fresh.get(k)!);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } catch {
      // Reported through onError already; the watermark lets the next process catch up.
    }
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #remember(key: string, vector: Float32Array): void {
    if (this.#cache.size >= this.#o.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, vector);
  }

  #schedule(delay: number): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#running) return this.#schedule(10);
      void this.#runOnce();
    }, delay);
    this.#timer.unref?.();
  }

  async #runOnce(): Promise<unknown[]> {
    const errors: unknown[] = [];
    const run = (async () => {
      for (const sessionId of [...this.#pending]) {
        this.#pending.delete(sessionId);
        try {
          await this.indexSession(sessionId);
        } catch (error) {
          if (error instanceof NotFoundError) continue; // session deleted meanwhile: nothing to index
          this.#pending.add(sessionId);
          errors.push(error);
          this.#o.onError?.(error, sessionId);
        }
      }
    })();
    this.#running = run;
    await run;
    this.#running = null;
    if (errors.length > 0) {
      this.#failures++;
      this.#schedule(Math.min(30_000, this.#o.retryDelayMs * 2 ** Math.min(this.#failures - 1, 6)));
    } else {
      this.#failures = 0;
      if (this.#pending.size > 0) this.#schedule(0);
    }
    return errors;
  }
}
