import { BackendError } from "@langswarm/memory-core";
import { BSON } from "mongodb";
import {
  type BatchDoc,
  type IntentDoc,
  type MessageDoc,
  type PendingMessageDoc,
  pendingToMessageDoc,
} from "./documents.js";
import { onlyDuplicateKeys } from "./errors.js";
import type { Collections } from "./schema.js";
import { BACKEND } from "./settings.js";

/*
 * How a batch becomes durable, ordered and visible without multi-document transactions, using ONLY
 * inserts against unique indexes (FerretDB 1.x applies updates as unlocked read-modify-write, so no
 * correctness may rest on an update; an insert that violates a unique index is refused atomically
 * everywhere). See README "How appends work".
 *
 * 1. commit: insert batch k = (newest batch) + 1 with `start` = newest end + 1 and the messages inside
 *    it. The unique (gen, k) index lets exactly one writer win k; the losers re-read and retry. That
 *    insert is the commit point: the seqs, the content and the ids become visible together or not at all.
 * 2. materialize: copy the batch into the messages collection (one row per message, unique by seq and
 *    by id); rows are deterministic, so doing it twice, concurrently or late is harmless.
 * 3. record it: the writer's next batch lists it in `done`; `mat` is set in bulk (stripBefore) or by a
 *    helper (complete).
 * Readers take the newest WINDOW batches: the newest gives lastSeq (their snapshot), and those not known
 * to be materialized give their own copy of the messages. A writer only commits batch k once batch
 * k - WINDOW is known materialized (helping it if its writer died), so every batch older than the window
 * is materialized, and whatever may not be is inside the window.
 */

/** How many of the newest batches readers and writers look at. */
export const WINDOW = 32;
/** Batches whose messages encode larger than this keep them in intent chunks instead of inline. */
export const INLINE_BATCH_BYTES = 4 * 1024 * 1024;
/** Intent chunk size (documents are limited to 16 MiB). */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** A batch unmarked this long is presumed abandoned; prune() finishes it. */
export const STALE_BATCH_MS = 10_000;

/** Bulk-mark old batches every this many commits. */
export const STRIP_EVERY = 16;

/** The newest batches of an incarnation, newest first (without their messages unless `bodies`). */
export async function readWindow(
  cols: Collections,
  gen: string,
  options: { bodies: boolean; signal?: AbortSignal | undefined },
): Promise<BatchDoc[]> {
  const projection = options.bodies ? {} : { m: 0, ids: 0 };
  return cols.batches
    .find(
      { gen, k: { $gt: 0 } },
      { sort: { k: -1 }, limit: WINDOW, projection, ...(options.signal ? { signal: options.signal } : {}) },
    )
    .toArray();
}

/** Batch numbers of the window known to be materialized: marked, or listed by a later batch. */
export function knownMaterialized(window: BatchDoc[]): Set<number> {
  const known = new Set<number>();
  for (const batch of window) {
    if (batch.mat) known.add(batch.k);
    for (const k of batch.done ?? []) known.add(k);
  }
  return known;
}

/**
 * Mark every batch up to `k` and drop their copies of the messages. Safe because batch k + WINDOW
 * exists (the caller checks), which by the window invariant means they are all materialized.
 */
export async function stripBefore(cols: Collections, gen: string, k: number): Promise<void> {
  if (k < 1) return;
  await cols.batches.updateMany(
    { gen, k: { $gt: 0, $lte: k }, mat: false },
    { $set: { mat: true }, $unset: { m: "", ids: "" } },
  );
}

export async function newestBatch(
  cols: Collections,
  gen: string,
  signal?: AbortSignal,
): Promise<BatchDoc | null> {
  return cols.batches.findOne(
    { gen, k: { $gt: 0 } },
    { sort: { k: -1 }, projection: { m: 0, ids: 0 }, ...(signal ? { signal } : {}) },
  );
}

/**
 * The messages of a committed batch: inline, else from its intent chunks, else (the batch was marked
 * and its chunks deleted in the meantime) from the messages collection.
 */
export async function batchMessages(
  cols: Collections,
  batch: BatchDoc,
  signal?: AbortSignal,
): Promise<PendingMessageDoc[]> {
  if (batch.m) return batch.m;
  const opts = signal ? { signal } : {};
  if (batch.x !== undefined) {
    const parts = await cols.intents.find({ token: batch.token }, { sort: { part: 1 }, ...opts }).toArray();
    const messages = parts.flatMap((p) => p.m);
    if (parts.length === batch.x && messages.length === batch.n) return messages;
  }
  const rows = await cols.messages
    .find(
      { sessionId: batch.sessionId, gen: batch.gen, seq: { $gte: batch.start, $lt: batch.start + batch.n } },
      { sort: { seq: 1 }, ...opts },
    )
    .toArray();
  if (rows.length === batch.n) {
    return rows.map((r) => ({
      id: r.messageId,
      role: r.role,
      content: r.content,
      metadata: r.metadata,
      createdAt: r.createdAt,
    }));
  }
  throw new BackendError(`batch ${batch.k} of session ${JSON.stringify(batch.sessionId)} lost its messages`, {
    backend: BACKEND,
  });
}

/** The body of a batch: inline when small, else intent chunks written before the commit. */
export interface BatchBody {
  fields: Pick<BatchDoc, "ids" | "m" | "x">;
  intents: IntentDoc[];
}

export function prepareBody(
  sessionId: string,
  gen: string,
  token: string,
  messages: PendingMessageDoc[],
  at: Date,
): BatchBody {
  const ids = messages.map((m) => m.id);
  if (BSON.calculateObjectSize({ m: messages }) <= INLINE_BATCH_BYTES)
    return { fields: { ids, m: messages }, intents: [] };
  const intents: IntentDoc[] = [];
  let current: PendingMessageDoc[] = [];
  let bytes = 0;
  const flush = () => {
    intents.push({
      _id: `${token}:${intents.length}`,
      sessionId,
      gen,
      token,
      part: intents.length,
      at,
      m: current,
    });
    current = [];
    bytes = 0;
  };
  for (const m of messages) {
    const size = BSON.calculateObjectSize(m);
    if (current.length > 0 && bytes + size > CHUNK_BYTES) flush();
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) flush();
  return { fields: { ids, x: intents.length }, intents };
}

/** Copy a committed batch into the messages collection. Safe to run twice, concurrently, or late. */
export async function materialize(
  cols: Collections,
  batch: BatchDoc,
  messages: PendingMessageDoc[],
): Promise<void> {
  const docs: MessageDoc[] = messages.map((m, i) =>
    pendingToMessageDoc(batch.sessionId, batch.gen, batch.start + i, m),
  );
  try {
    await cols.messages.insertMany(docs, { ordered: false });
  } catch (error) {
    if (!onlyDuplicateKeys(error)) throw error;
    // Rows that were already there: make sure they are this batch's rows before calling it done.
    const present = await cols.messages.countDocuments({
      sessionId: batch.sessionId,
      gen: batch.gen,
      seq: { $gte: batch.start, $lt: batch.start + batch.n },
    });
    if (present !== batch.n) {
      throw new BackendError(
        `batch ${batch.k} of session ${JSON.stringify(batch.sessionId)} collides with other rows`,
        {
          backend: BACKEND,
          cause: error,
        },
      );
    }
  }
}

/**
 * Mark a materialized batch and drop its copy of the messages. An update, but a harmless one: a batch
 * document never changes otherwise, and every writer of this update writes the same thing.
 */
export async function mark(cols: Collections, batch: BatchDoc): Promise<void> {
  await cols.batches.updateOne({ _id: batch._id }, { $set: { mat: true }, $unset: { m: "", ids: "" } });
  if (batch.x !== undefined) await cols.intents.deleteMany({ token: batch.token });
}

/** Materialize and mark a batch another writer committed (it died, or is slow). */
export async function complete(cols: Collections, batch: BatchDoc): Promise<void> {
  if (batch.mat) return;
  // The window may have been read without bodies: fetch the batch itself.
  const full =
    batch.m || batch.x !== undefined ? batch : await cols.batches.findOne({ gen: batch.gen, k: batch.k });
  if (!full || full.mat) return;
  await materialize(cols, full, await batchMessages(cols, full));
  await mark(cols, full);
}
