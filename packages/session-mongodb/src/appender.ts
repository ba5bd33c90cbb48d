import { AbortError, ConflictError, type StoredMessage } from "@langswarm/memory-core";
import type { WithId } from "mongodb";
import {
  complete,
  materialize,
  prepareBody,
  readWindow,
  STRIP_EVERY,
  stripBefore,
  WINDOW,
} from "./batches.js";
import { claimIds } from "./claims.js";
import {
  type BatchDoc,
  batchId,
  expiryFields,
  liveFilter,
  newToken,
  type PendingMessageDoc,
  pendingToStored,
  type SessionDoc,
} from "./documents.js";
import { ignoreUnavailable, isDuplicateKey, mapError, notFound } from "./errors.js";
import type { Collections } from "./schema.js";
import { BACKEND } from "./settings.js";

/** Commit attempts before giving up; a retry happens only when another process committed first. */
const MAX_COMMIT_ATTEMPTS = 100;

/** At most this many messages go into one group commit. */
const MAX_GROUP_MESSAGES = 1000;

export interface AppendRequest {
  encoded: PendingMessageDoc[];
  supplied: Set<string>;
  /** undefined: not given (keep); null: clear; a Date: set. */
  expiresAt: Date | null | undefined;
  signal: AbortSignal | undefined;
  resolve(messages: StoredMessage[]): void;
  reject(error: unknown): void;
}

interface AppendGroup {
  queue: AppendRequest[];
  running: boolean;
}

/**
 * The write path of appends (see batches.ts for the protocol, claims.ts for idempotency): group commit
 * per session, id claims, the commit insert, materialization. Keeps per-process knowledge of each
 * incarnation's batch chain so the hot path only inserts and looks documents up by primary key.
 */
export class Appender {
  readonly #cols: Collections;
  readonly #secrets: readonly string[];
  readonly #requireLive: (sessionId: string) => Promise<WithId<SessionDoc>>;
  /** Appends waiting for (or in) a group commit, per session id. */
  readonly #groups = new Map<string, AppendGroup>();
  /** Per incarnation: the newest batch this process has seen (see #tail). */
  readonly #tails = new Map<string, Pick<BatchDoc, "k" | "start" | "n">>();
  /** Per incarnation: recent batches known to be materialized. */
  readonly #known = new Map<string, Set<number>>();
  /** Per incarnation: batches this process materialized that no batch has vouched for yet. */
  readonly #written = new Map<string, number[]>();
  /** Tokens of append rounds this process gave up on (see claims.ts). */
  readonly #abandoned = new Set<string>();

  constructor(
    cols: Collections,
    secrets: readonly string[],
    requireLive: (sessionId: string) => Promise<WithId<SessionDoc>>,
  ) {
    this.#cols = cols;
    this.#secrets = secrets;
    this.#requireLive = requireLive;
  }

  /**
   * Group commit: appends to one session from this process queue up, and whoever finds no commit in
   * flight takes the whole queue and commits it as ONE batch (each call keeps its own contiguous,
   * all-or-nothing range). Correctness does not depend on it (the unique batch key does that, across
   * processes too); it turns N concurrent appends into one round of reads and one commit.
   */
  append(sessionId: string, request: Omit<AppendRequest, "resolve" | "reject">): Promise<StoredMessage[]> {
    return new Promise((resolve, reject) => {
      let group = this.#groups.get(sessionId);
      if (!group) {
        group = { queue: [], running: false };
        this.#groups.set(sessionId, group);
      }
      group.queue.push({ ...request, resolve, reject });
      if (!group.running) void this.#drain(sessionId, group);
    });
  }

  async #drain(sessionId: string, group: AppendGroup): Promise<void> {
    group.running = true;
    try {
      while (group.queue.length > 0) {
        const taken: AppendRequest[] = [];
        let size = 0;
        while (
          group.queue.length > 0 &&
          (taken.length === 0 || size + group.queue[0]!.encoded.length <= MAX_GROUP_MESSAGES)
        ) {
          const request = group.queue.shift()!;
          if (request.signal?.aborted) {
            request.reject(new AbortError({ backend: BACKEND }));
            continue;
          }
          taken.push(request);
          size += request.encoded.length;
        }
        if (taken.length === 0) continue;
        try {
          const results = await this.#commitGroup(sessionId, taken);
          taken.forEach((request, i) => {
            request.resolve(results[i]!);
          });
        } catch (error) {
          const mapped = mapError(error, this.#secrets);
          for (const request of taken) request.reject(mapped);
        }
      }
    } finally {
      group.running = false;
      if (this.#groups.get(sessionId) === group && group.queue.length === 0) this.#groups.delete(sessionId);
    }
  }

  async #commitGroup(sessionId: string, requests: AppendRequest[]): Promise<StoredMessage[][]> {
    const session = await this.#requireLive(sessionId);
    const gen = session.gen;
    const expiry = requests.findLast((r) => r.expiresAt !== undefined);
    if (expiry) {
      // Set before the commit: if the commit then fails, the only effect is an extended expiry.
      const now = new Date();
      const result = await this.#cols.sessions.updateOne(
        { _id: session._id, ...liveFilter(now) },
        { $set: { ...expiryFields(expiry.expiresAt!), updatedAt: now } },
      );
      if (result.matchedCount === 0) throw notFound(sessionId);
    }
    // One message per id across the group: a later occurrence (a concurrent retry) gets the first.
    const unique = new Map<string, PendingMessageDoc>();
    for (const request of requests)
      for (const m of request.encoded) if (!unique.has(m.id)) unique.set(m.id, m);
    const encoded = [...unique.values()];
    for (let round = 0; round < MAX_COMMIT_ATTEMPTS; round++) {
      const token = newToken();
      try {
        const found = await claimIds(
          { cols: this.#cols, sessionId, gen, token, abandoned: this.#abandoned },
          [...unique.keys()],
        );
        const fresh = encoded.filter((m) => !found.has(m.id));
        if (fresh.length > 0) {
          const batch = await this.#commit(sessionId, gen, token, fresh);
          if (!batch) continue; // our claims were aborted by another writer: start over with a new token
          fresh.forEach((m, i) => {
            found.set(m.id, pendingToStored(sessionId, batch.start + i, m));
          });
        }
        return requests.map((r) => r.encoded.map((m) => found.get(m.id)!));
      } catch (error) {
        // The round's fate is unknown (its commit may or may not have happened): whoever meets its
        // claims may abort the token at once instead of waiting for them to go stale.
        this.#abandon(token);
        throw error;
      }
    }
    throw new ConflictError(
      `append to session ${JSON.stringify(sessionId)} kept colliding with concurrent writers; retry`,
      {
        backend: BACKEND,
      },
    );
  }

  /**
   * Commit `fresh` (whose ids `token` has claimed) as the next batch. Returns the committed batch, or
   * null when another writer aborted the token first (our claims are void).
   */
  async #commit(
    sessionId: string,
    gen: string,
    token: string,
    fresh: PendingMessageDoc[],
  ): Promise<BatchDoc | null> {
    const body = prepareBody(sessionId, gen, token, fresh, new Date());
    if (body.intents.length > 0) await this.#cols.intents.insertMany(body.intents);
    let committed = false;
    try {
      for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
        const tail = await this.#tail(gen);
        const k = tail.k + 1;
        // Keep the window invariant: batch k - WINDOW is materialized before batch k exists.
        await this.#ensureMaterialized(gen, k - WINDOW);
        const done = this.#written.get(gen) ?? [];
        const batch: BatchDoc = {
          _id: batchId(gen, k),
          sessionId,
          gen,
          token,
          k,
          start: tail.start + tail.n,
          n: fresh.length,
          at: new Date(),
          mat: false,
          ...body.fields,
          ...(done.length > 0 ? { done } : {}),
        };
        try {
          // The commit point: the _id is (gen, k), so exactly one writer wins k.
          await this.#cols.batches.insertOne(batch);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          if (await this.#cols.batches.findOne({ _id: batch._id }, { projection: { m: 0, ids: 0 } })) {
            await backoff(attempt); // batch k was taken by another process: probe on from it
            continue;
          }
          // Nobody holds k under its key: the duplicate was our token, aborted by a writer that took us
          // for dead (or the chain is not where this process thinks: read the window again).
          const mine = await this.#cols.batches.findOne({ token });
          if (!mine) {
            this.#tails.delete(gen);
            await backoff(attempt);
            continue;
          }
          if (mine.aborted) return null;
          committed = true;
          this.#learn(gen, mine);
          return mine;
        }
        committed = true;
        if (done.length > 0 && this.#written.get(gen) === done) this.#written.delete(gen);
        this.#tails.set(gen, { k: batch.k, start: batch.start, n: batch.n });
        this.#learn(gen, batch);
        await this.#afterCommit(batch, fresh);
        return batch;
      }
      throw new ConflictError(
        `append to session ${JSON.stringify(sessionId)} kept colliding with concurrent writers; retry`,
        { backend: BACKEND },
      );
    } finally {
      if (!committed && body.intents.length > 0)
        await this.#cols.intents.deleteMany({ token }).catch(() => {});
    }
  }

  /**
   * The newest committed batch of an incarnation. This process remembers the last one it saw and
   * probes forward by primary key (`<gen>:<k+1>`, ...), which every server answers without a scan of
   * the batches (FerretDB 1.x scans for any other filter); only the first call per incarnation reads
   * the window.
   */
  async #tail(gen: string): Promise<Pick<BatchDoc, "k" | "start" | "n">> {
    let tail = this.#tails.get(gen);
    if (!tail) {
      const window = await readWindow(this.#cols, gen, { bodies: false });
      for (const batch of window) this.#learn(gen, batch);
      tail = window[0] ?? { k: 0, start: 1, n: 0 };
    }
    for (;;) {
      const next: BatchDoc | null = await this.#cols.batches.findOne(
        { _id: batchId(gen, tail.k + 1) },
        { projection: { m: 0, ids: 0 } },
      );
      if (!next) break;
      this.#learn(gen, next);
      tail = next;
    }
    const result = { k: tail.k, start: tail.start, n: tail.n };
    this.#tails.set(gen, result);
    if (this.#tails.size > 10_000) this.#tails.delete(this.#tails.keys().next().value!);
    return result;
  }

  /** Remember what a batch document says about materialization (its own flag, the batches it vouches for). */
  #learn(gen: string, batch: Pick<BatchDoc, "k" | "mat" | "done">): void {
    let known = this.#known.get(gen);
    if (!known) {
      known = new Set();
      this.#known.set(gen, known);
      if (this.#known.size > 10_000) this.#known.delete(this.#known.keys().next().value!);
    }
    if (batch.mat) known.add(batch.k);
    for (const k of batch.done ?? []) known.add(k);
    if (known.size > 4 * WINDOW) {
      const floor = batch.k - 2 * WINDOW;
      for (const k of known) if (k < floor) known.delete(k);
    }
  }

  /** Make sure batch k's rows exist before a batch WINDOW later commits (help a dead writer if needed). */
  async #ensureMaterialized(gen: string, k: number): Promise<void> {
    if (k < 1 || this.#known.get(gen)?.has(k)) return;
    const batch = await this.#cols.batches.findOne({ _id: batchId(gen, k) });
    if (batch && !batch.mat) await complete(this.#cols, batch);
    if (batch) this.#learn(gen, { k, mat: true });
  }

  #abandon(token: string): void {
    this.#abandoned.add(token);
    if (this.#abandoned.size > 10_000) this.#abandoned.delete(this.#abandoned.values().next().value!);
  }

  /**
   * After the commit the batch is durable and visible; what follows copies and tidies. If the server
   * goes away now the append has still succeeded: the batch stays readable from its document and the
   * next writers (or prune) finish it.
   */
  async #afterCommit(batch: BatchDoc, messages: PendingMessageDoc[]): Promise<void> {
    try {
      await materialize(this.#cols, batch, messages);
      // Rows written: our next batch vouches for this one (no update needed). Large batches' chunks
      // can go now: readers of an unmarked batch fall back to its rows.
      const written = this.#written.get(batch.gen) ?? [];
      this.#written.set(batch.gen, [...written, batch.k].slice(-WINDOW));
      this.#learn(batch.gen, { k: batch.k, mat: true });
      if (this.#written.size > 10_000) this.#written.delete(this.#written.keys().next().value!);
      if (batch.x !== undefined) await this.#cols.intents.deleteMany({ token: batch.token });
      if (batch.k % STRIP_EVERY === 0) await stripBefore(this.#cols, batch.gen, batch.k - WINDOW);
    } catch (error) {
      ignoreUnavailable(error);
    }
  }
}

/** Jittered pause after losing a commit race, so competing processes do not collide in lockstep. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 * (attempt + 1));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
