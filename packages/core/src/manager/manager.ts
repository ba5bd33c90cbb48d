import { BackendUnavailableError, ConflictError, UnsupportedError, ValidationError } from "../errors.js";
import type { Filter } from "../filter/types.js";
import type { JsonObject, Page } from "../types/common.js";
import type { EmbeddingProvider } from "../types/embedding.js";
import type {
  ListSessionsQuery,
  MessageInput,
  MessageQuery,
  MessageSearchHit,
  SearchMessagesQuery,
  SessionInfo,
  SessionPatch,
  SessionStore,
  StoredMessage,
  Summary,
} from "../types/session.js";
import type { VectorStore } from "../types/vector.js";
import { SemanticIndexer } from "./indexer.js";
import { extractiveSummarizer, type Summarizer } from "./summarizer.js";
import { approximateTokens, type TokenCounter } from "./tokens.js";

export interface ManagerOptions {
  /** Summarize when this many messages arrived since the last summary (0 = never automatically). */
  summaryThreshold?: number;
  summarizer?: Summarizer;
  countTokens?: TokenCounter;
  /** Errors from background work (indexing, summaries). Default: console.warn once per minute. */
  onBackgroundError?: (error: unknown, context: { task: "index" | "summary"; sessionId: string }) => void;
  /** Retries of an append after BackendUnavailableError (appends are idempotent by id). Default 2. */
  appendRetries?: number;
}

export interface SemanticParts {
  vectors: VectorStore;
  embedder: EmbeddingProvider;
}

export interface RecallOptions {
  /** Which memories to search; default "all" unless one of the ids below narrows it. */
  scope?: "session" | "user" | "agent" | "all";
  sessionId?: string;
  userId?: string;
  agentId?: string;
  topK?: number;
  minScore?: number;
  filter?: Filter;
  signal?: AbortSignal;
}

export interface RecalledMemory {
  id: string;
  score: number;
  content: string;
  sessionId: string;
  seq: number;
  role: string;
  createdAt: Date;
  userId: string | null;
  agentId: string | null;
}

export interface ContextOptions {
  /** Text to recall memories for (default: the newest user message). */
  query?: string;
  /** Token budget for everything returned (default 2000). */
  maxTokens?: number;
  /** System prompt placed first and counted in the budget. */
  system?: string;
  /** Recall settings; `false` disables recall. Default: topK 5 across the user's memories. */
  recall?: false | Omit<RecallOptions, "signal">;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | (string & {});
  content: string;
}

export interface BuiltContext {
  /** Ready for an OpenAI-style chat API: system parts first, then recent history in order. */
  messages: ChatMessage[];
  summary: Summary | null;
  recent: StoredMessage[];
  recalled: RecalledMemory[];
  tokens: number;
  /** Anthropic's shape: a separate system string and user/assistant turns. */
  anthropic: { system: string; messages: { role: "user" | "assistant"; content: string }[] };
}

/**
 * What users touch: sessions, messages, summaries, search and (with a vector store and an embedding
 * provider) semantic recall. Create it with `createMemoryManager`.
 */
export class MemoryManager implements AsyncDisposable {
  readonly sessions: SessionStore;
  readonly vectors: VectorStore | null;
  readonly embedder: EmbeddingProvider | null;
  readonly indexer: SemanticIndexer | null;
  readonly #summarizer: Summarizer;
  readonly #summaryThreshold: number;
  readonly #countTokens: TokenCounter;
  readonly #appendRetries: number;
  readonly #owned: { close(): Promise<void> }[];
  readonly #background = new Set<Promise<unknown>>();
  readonly #summaryChains = new Map<string, Promise<void>>();
  readonly #onBackgroundError: NonNullable<ManagerOptions["onBackgroundError"]>;
  #closed = false;

  constructor(
    sessions: SessionStore,
    semantic: SemanticParts | null,
    options: ManagerOptions = {},
    owned: { close(): Promise<void> }[] = [],
  ) {
    this.sessions = sessions;
    this.vectors = semantic?.vectors ?? null;
    this.embedder = semantic?.embedder ?? null;
    this.#summarizer = options.summarizer ?? extractiveSummarizer();
    this.#summaryThreshold = options.summaryThreshold ?? 0;
    this.#countTokens = options.countTokens ?? approximateTokens;
    this.#appendRetries = options.appendRetries ?? 2;
    this.#owned = owned;
    let lastWarn = 0;
    this.#onBackgroundError =
      options.onBackgroundError ??
      ((error, ctx) => {
        if (Date.now() - lastWarn < 60_000) return;
        lastWarn = Date.now();
        console.warn(
          `[langswarm-memory] background ${ctx.task} failed (will retry): ${(error as Error)?.message ?? error}`,
        );
      });
    this.indexer = semantic
      ? new SemanticIndexer({
          sessions,
          vectors: semantic.vectors,
          embedder: semantic.embedder,
          onError: (error, sessionId) => this.#onBackgroundError(error, { task: "index", sessionId }),
        })
      : null;
  }

  // ---- sessions ---------------------------------------------------------------------------------

  async createSession(
    input: {
      sessionId?: string;
      userId?: string | null;
      agentId?: string | null;
      status?: string;
      metadata?: JsonObject;
      expiresAt?: Date | null;
    } = {},
  ): Promise<SessionInfo> {
    this.#open();
    return this.sessions.createSession({ ...input, sessionId: input.sessionId ?? crypto.randomUUID() });
  }

  async getOrCreateSession(
    sessionId: string,
    defaults: {
      userId?: string | null;
      agentId?: string | null;
      metadata?: JsonObject;
      expiresAt?: Date | null;
    } = {},
  ): Promise<SessionInfo> {
    this.#open();
    const existing = await this.sessions.getSession(sessionId);
    if (existing) return existing;
    try {
      return await this.sessions.createSession({ ...defaults, sessionId });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const raced = await this.sessions.getSession(sessionId); // another writer created it first
      if (raced) return raced;
      throw error;
    }
  }

  getSession(sessionId: string): Promise<SessionInfo | null> {
    return this.sessions.getSession(sessionId);
  }

  updateSession(sessionId: string, patch: SessionPatch): Promise<SessionInfo> {
    return this.sessions.updateSession(sessionId, patch);
  }

  listSessions(query: ListSessionsQuery = {}): Promise<Page<SessionInfo>> {
    return this.sessions.listSessions(query);
  }

  /** Expire a session now (it disappears from reads; `prune()` removes its data). */
  async expireSession(sessionId: string, at: Date = new Date()): Promise<SessionInfo> {
    return this.sessions.updateSession(sessionId, { expiresAt: at });
  }

  /** Delete a session with its messages, summaries and indexed memories. */
  async deleteSession(sessionId: string): Promise<boolean> {
    this.#open();
    const deleted = await this.sessions.deleteSession(sessionId);
    if (this.vectors) await this.vectors.deleteByFilter({ sessionId });
    return deleted;
  }

  /** Remove expired sessions (and their memories when the session store reports them). */
  prune(now?: Date): Promise<number> {
    return this.sessions.prune(now ? { now } : {});
  }

  // ---- messages ---------------------------------------------------------------------------------

  async addMessage(sessionId: string, message: MessageInput): Promise<StoredMessage> {
    const [stored] = await this.addMessages(sessionId, [message]);
    return stored!;
  }

  /**
   * Append a batch atomically. Ids are assigned here, before the first attempt, so a retry after a
   * lost acknowledgement can never store a message twice.
   */
  async addMessages(sessionId: string, messages: MessageInput[]): Promise<StoredMessage[]> {
    this.#open();
    if (!Array.isArray(messages)) throw new ValidationError("messages must be an array");
    const withIds = messages.map((m) =>
      m && typeof m === "object" && m.id === undefined ? { ...m, id: crypto.randomUUID() } : m,
    );
    let stored: StoredMessage[];
    for (let attempt = 0; ; attempt++) {
      try {
        stored = await this.sessions.appendMessages(sessionId, withIds);
        break;
      } catch (error) {
        if (!(error instanceof BackendUnavailableError) || attempt >= this.#appendRetries) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
    this.indexer?.enqueue(sessionId);
    if (this.#summaryThreshold > 0) this.#maybeSummarize(sessionId, stored[stored.length - 1]!.seq);
    return stored;
  }

  getMessages(sessionId: string, query: MessageQuery = {}): Promise<StoredMessage[]> {
    return this.sessions.getMessages(sessionId, query);
  }

  /** Full-text search over message content, where the session backend offers it. */
  async searchMessages(text: string, query: SearchMessagesQuery = {}): Promise<Page<MessageSearchHit>> {
    if (!this.sessions.capabilities.fullTextSearch || !this.sessions.searchMessages) {
      throw new UnsupportedError(
        "full-text search is not offered by this session backend (use recall() for semantic search)",
        {
          backend: this.sessions.backend,
        },
      );
    }
    return this.sessions.searchMessages(text, query);
  }

  // ---- summaries --------------------------------------------------------------------------------

  getSummary(sessionId: string): Promise<Summary | null> {
    return this.sessions.getSummary(sessionId);
  }

  /** Summarize the messages newer than the current summary into a new summary version. */
  async summarize(sessionId: string, options: { signal?: AbortSignal } = {}): Promise<Summary | null> {
    const previous = await this.sessions.getSummary(sessionId);
    const messages: StoredMessage[] = [];
    let after = previous?.uptoSeq ?? 0;
    for (;;) {
      const page = await this.sessions.getMessages(sessionId, { afterSeq: after, limit: 1000 });
      messages.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1]!.seq;
    }
    if (messages.length === 0) return previous;
    const content = await this.#summarizer({
      previous,
      messages,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return this.sessions.putSummary(sessionId, { content, uptoSeq: messages[messages.length - 1]!.seq });
  }

  #maybeSummarize(sessionId: string, lastSeq: number): void {
    // One summarization at a time per session: each check runs after the previous one finished,
    // so a burst of appends past the threshold produces one new version, not one per append.
    const previous = this.#summaryChains.get(sessionId) ?? Promise.resolve();
    const task = previous
      .then(async () => {
        const current = await this.sessions.getSummary(sessionId);
        if (lastSeq - (current?.uptoSeq ?? 0) < this.#summaryThreshold) return;
        await this.summarize(sessionId);
      })
      .catch((error) => this.#onBackgroundError(error, { task: "summary", sessionId }));
    this.#summaryChains.set(sessionId, task);
    void task.finally(() => {
      if (this.#summaryChains.get(sessionId) === task) this.#summaryChains.delete(sessionId);
    });
    this.#track(task);
  }

  // ---- semantic memory --------------------------------------------------------------------------

  /** Semantic search over indexed messages. */
  async recall(query: string, options: RecallOptions = {}): Promise<RecalledMemory[]> {
    const { vectors, indexer } = this.#semantic();
    const scope =
      options.scope ??
      (options.sessionId ? "session" : options.userId ? "user" : options.agentId ? "agent" : "all");
    const clauses: Filter[] = [{ kind: "message" }];
    const need = (key: "sessionId" | "userId" | "agentId") => {
      const value = options[key];
      if (value === undefined) throw new ValidationError(`recall scope "${scope}" needs ${key}`);
      clauses.push({ [key]: value });
    };
    if (scope === "session") need("sessionId");
    else if (scope === "user") need("userId");
    else if (scope === "agent") need("agentId");
    if (options.filter) clauses.push(options.filter);
    const [vector] = await indexer.embed([query], options.signal);
    const matches = await vectors.query(
      {
        vector: vector!,
        topK: options.topK ?? 5,
        ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
        filter: clauses.length === 1 ? clauses[0]! : { $and: clauses },
      },
      options.signal ? { signal: options.signal } : {},
    );
    return matches.map((m) => ({
      id: m.id,
      score: m.score,
      content: m.document ?? "",
      sessionId: String(m.metadata.sessionId),
      seq: Number(m.metadata.seq),
      role: String(m.metadata.role),
      createdAt: new Date(Number(m.metadata.time)),
      userId: typeof m.metadata.userId === "string" ? m.metadata.userId : null,
      agentId: typeof m.metadata.agentId === "string" ? m.metadata.agentId : null,
    }));
  }

  /** Wait until every message appended so far is indexed. Throws if indexing is failing. */
  async flush(): Promise<void> {
    await this.indexer?.flush();
    await Promise.all([...this.#background]);
  }

  /**
   * Index what is not indexed yet in every session (after a crash or an outage), from each session's
   * watermark. Returns the number of messages indexed.
   */
  async catchUp(onProgress?: (p: { sessions: number; messages: number }) => void): Promise<number> {
    const { indexer } = this.#semantic();
    let cursor: string | null = null;
    let sessions = 0;
    let messages = 0;
    do {
      const page: Page<SessionInfo> = await this.sessions.listSessions({ limit: 500, cursor });
      for (const s of page.items) {
        messages += await indexer.indexSession(s.sessionId);
        sessions++;
        onProgress?.({ sessions, messages });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return messages;
  }

  /** Rebuild the vector index from history (e.g. after changing the embedding model). */
  async reindex(onProgress?: (p: { sessions: number; messages: number }) => void): Promise<number> {
    const { vectors, indexer } = this.#semantic();
    await vectors.deleteByFilter({ kind: "message" });
    let cursor: string | null = null;
    let sessions = 0;
    let messages = 0;
    do {
      const page: Page<SessionInfo> = await this.sessions.listSessions({ limit: 500, cursor });
      for (const s of page.items) {
        let after = 0;
        for (;;) {
          const batch = await this.sessions.getMessages(s.sessionId, { afterSeq: after, limit: 256 });
          if (batch.length === 0) break;
          await indexer.indexMessages(s.sessionId, batch);
          after = batch[batch.length - 1]!.seq;
          messages += batch.length;
        }
        await this.sessions.setWatermark(s.sessionId, "semantic", after);
        sessions++;
        onProgress?.({ sessions, messages });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return messages;
  }

  /**
   * Build what to send to a model: system prompt, the session summary, recalled memories from other
   * sessions or older turns, and as many recent messages as fit in the token budget; de-duplicated.
   */
  async buildContext(sessionId: string, options: ContextOptions = {}): Promise<BuiltContext> {
    const budget = options.maxTokens ?? 2000;
    const session = await this.sessions.getSession(sessionId);
    const summary = session ? await this.sessions.getSummary(sessionId) : null;
    const recentCandidates = session ? await this.sessions.getMessages(sessionId, { last: 200 }) : [];
    const system: string[] = [];
    let used = 0;
    const fits = (text: string) => used + this.#countTokens(text) <= budget;
    const take = (text: string) => {
      used += this.#countTokens(text);
    };
    if (options.system && fits(options.system)) {
      system.push(options.system);
      take(options.system);
    }
    if (summary && fits(`Summary of the earlier conversation:\n${summary.content}`)) {
      const text = `Summary of the earlier conversation:\n${summary.content}`;
      system.push(text);
      take(text);
    }
    // Recent turns first: they matter most. Walk back from the newest until the budget is spent,
    // keeping a quarter of it for recalled memories when recall is on.
    const recallOn = options.recall !== false && this.vectors !== null;
    const recentBudget = recallOn ? budget - Math.floor((budget - used) / 4) : budget;
    const recent: StoredMessage[] = [];
    for (let i = recentCandidates.length - 1; i >= 0; i--) {
      const m = recentCandidates[i]!;
      if (used + this.#countTokens(m.content) > recentBudget) break;
      take(m.content);
      recent.unshift(m);
    }
    let recalled: RecalledMemory[] = [];
    if (recallOn) {
      const query = options.query ?? [...recentCandidates].reverse().find((m) => m.role === "user")?.content;
      if (query) {
        const recallOptions = options.recall || {};
        const defaults: RecallOptions = session?.userId
          ? { scope: "user", userId: session.userId }
          : { scope: "all" };
        const found = await this.recall(query, { ...defaults, topK: 5, ...recallOptions });
        const inWindow = new Set(recent.map((m) => m.seq));
        const seen = new Set<string>();
        const lines: string[] = [];
        for (const memory of found) {
          if (memory.sessionId === sessionId && inWindow.has(memory.seq)) continue; // already in the history
          const key = memory.content.trim().toLowerCase();
          if (seen.has(key)) continue;
          seen.add(key);
          const line = `- (${memory.role}, ${memory.createdAt.toISOString().slice(0, 10)}) ${memory.content}`;
          if (!fits(`Relevant memories:\n${[...lines, line].join("\n")}`)) break;
          lines.push(line);
          recalled.push(memory);
        }
        if (lines.length > 0) {
          const text = `Relevant memories:\n${lines.join("\n")}`;
          system.push(text);
          used = 0;
          for (const s of system) take(s);
          for (const m of recent) take(m.content);
        } else recalled = [];
      }
    }
    const systemText = system.join("\n\n");
    const messages: ChatMessage[] = [
      ...(systemText ? [{ role: "system" as const, content: systemText }] : []),
      ...recent.map((m) => ({ role: m.role, content: m.content })),
    ];
    const turns = recent
      .filter((m) => m.role === "user" || m.role === "assistant")
      .map((m) => ({ role: m.role as "user" | "assistant", content: m.content }));
    return {
      messages,
      summary,
      recent,
      recalled,
      tokens: used,
      anthropic: { system: systemText, messages: turns },
    };
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Flush pending indexing and summaries, then close what the manager created. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.indexer?.close();
    await Promise.allSettled([...this.#background]);
    for (const part of this.#owned.reverse()) await part.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #semantic(): { vectors: VectorStore; indexer: SemanticIndexer } {
    if (!this.vectors || !this.indexer) {
      throw new UnsupportedError(
        "semantic memory is not configured: add settings.embedding and settings.vector_store",
      );
    }
    return { vectors: this.vectors, indexer: this.indexer };
  }

  #track(task: Promise<unknown>): void {
    this.#background.add(task);
    void task.finally(() => this.#background.delete(task));
  }

  #open(): void {
    if (this.#closed) throw new ValidationError("the memory manager is closed");
  }
}
