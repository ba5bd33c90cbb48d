import { ConflictError, type StoredMessage } from "@langswarm/memory-core";
import { MongoServerError, type WithId } from "mongodb";
import { batchMessages } from "./batches.js";
import { type BatchDoc, type ClaimDoc, pendingToStored, toStoredMessage } from "./documents.js";
import { DUPLICATE_KEY, isDuplicateKey } from "./errors.js";
import type { Collections } from "./schema.js";
import { BACKEND } from "./settings.js";

/*
 * Idempotency by message id without searching the messages: before a batch commits, each of its ids
 * is claimed by inserting (gen, messageId, token) under a unique index. An insert that succeeds means
 * "new id, ours now"; one that fails means someone claimed it first, and only then (the slow path) do
 * we look at whose claim it is:
 * - its batch committed: the id exists, and the stored message is returned in place of ours;
 * - its batch was aborted: the claim is dead; we delete it and claim again;
 * - no batch yet: its writer is still working (we wait) or died (after STALE_CLAIM_MS, or at once when
 *   this process abandoned that token itself) and we abort its token by inserting an abort marker
 *   with that token (unique). From then on that batch can never commit, so taking its ids is safe.
 */

/** A claim without a committed batch this old is presumed abandoned by its writer. */
export const STALE_CLAIM_MS = 5_000;
/** Give up (ConflictError) when ids stay claimed by a live writer longer than this. */
const SETTLE_MS = 30_000;

export interface ClaimContext {
  cols: Collections;
  sessionId: string;
  gen: string;
  token: string;
  /** Tokens this process gave up on (their round failed): abort them without waiting. */
  abandoned: ReadonlySet<string>;
}

/**
 * Claim `ids` for `ctx.token`. Returns the stored messages of ids that already exist; every other id
 * is claimed by `ctx.token` when this returns.
 */
export async function claimIds(ctx: ClaimContext, ids: string[]): Promise<Map<string, StoredMessage>> {
  const found = new Map<string, StoredMessage>();
  const deadline = Date.now() + SETTLE_MS;
  let pending = ids;
  for (let round = 0; pending.length > 0; round++) {
    const taken = await insertClaims(ctx, pending);
    if (taken.length === 0) break;
    const retry = await resolveTaken(ctx, taken, found);
    pending = retry.ids;
    if (pending.length === 0) break;
    if (Date.now() > deadline) {
      throw new ConflictError(
        `message ids of session ${JSON.stringify(ctx.sessionId)} are held by another writer; retry`,
        {
          backend: BACKEND,
        },
      );
    }
    if (retry.wait) await sleep(Math.min(500, 25 * 2 ** Math.min(round, 4)) * (0.5 + Math.random()));
  }
  return found;
}

/** Insert claims; returns the ids someone else holds (duplicate key). */
async function insertClaims(ctx: ClaimContext, ids: string[]): Promise<string[]> {
  const at = new Date();
  const docs: ClaimDoc[] = ids.map((messageId) => ({
    sessionId: ctx.sessionId,
    gen: ctx.gen,
    messageId,
    token: ctx.token,
    at,
  }));
  try {
    await ctx.cols.claims.insertMany(docs, { ordered: false });
    return [];
  } catch (error) {
    const writeErrors = (
      error as { writeErrors?: { code?: number; index: number }[] | { code?: number; index: number } }
    ).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (
      !(error instanceof MongoServerError) ||
      list.length === 0 ||
      list.some((w) => w.code !== DUPLICATE_KEY)
    )
      throw error;
    return list.map((w) => ids[w.index]!);
  }
}

/** Sort ids claimed by others into found (committed), and ids to claim again (dead or still busy). */
async function resolveTaken(
  ctx: ClaimContext,
  taken: string[],
  found: Map<string, StoredMessage>,
): Promise<{ ids: string[]; wait: boolean }> {
  const { cols, gen } = ctx;
  const claims = await cols.claims.find({ gen, messageId: { $in: taken } }).toArray();
  const byId = new Map(claims.map((c) => [c.messageId, c]));
  const again: string[] = [];
  let wait = false;
  const tokens = new Map<string, WithId<ClaimDoc>[]>();
  for (const id of taken) {
    const claim = byId.get(id);
    if (!claim)
      again.push(id); // released in the meantime
    else if (claim.token !== ctx.token) tokens.set(claim.token, [...(tokens.get(claim.token) ?? []), claim]);
  }
  for (const [token, held] of tokens) {
    let batch: BatchDoc | null = await cols.batches.findOne({ token });
    if (!batch) {
      const oldest = Math.min(...held.map((c) => c.at.getTime()));
      if (!ctx.abandoned.has(token) && Date.now() - oldest < STALE_CLAIM_MS) {
        wait = true;
        again.push(...held.map((c) => c.messageId));
        continue;
      }
      batch = await abort(cols, ctx.sessionId, gen, token);
    }
    if (batch.k > 0) {
      for (const [id, message] of await storedVersions(
        cols,
        batch,
        held.map((c) => c.messageId),
      ))
        found.set(id, message);
      continue;
    }
    // Aborted: the claims are dead. Delete exactly these claim documents (by _id) and claim again.
    await cols.claims.deleteMany({ _id: { $in: held.map((c) => c._id) } });
    again.push(...held.map((c) => c.messageId));
  }
  return { ids: again.filter((id) => !found.has(id)), wait };
}

/** Insert the abort marker of a token; if the token committed (or was aborted) first, return that. */
async function abort(cols: Collections, sessionId: string, gen: string, token: string): Promise<BatchDoc> {
  const marker: BatchDoc = {
    _id: `${gen}:abort:${token}`,
    sessionId,
    gen,
    token,
    // Negative and random: never a batch number, never equal to another marker's.
    k: -Math.floor(1 + Math.random() * (Number.MAX_SAFE_INTEGER - 1)),
    start: 0,
    n: 0,
    at: new Date(),
    mat: true,
    aborted: true,
  };
  try {
    await cols.batches.insertOne(marker);
    return marker;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const existing = await cols.batches.findOne({ token });
    if (existing) return existing;
    throw error; // the random k collided: vanishingly rare; the caller's retry handles it
  }
}

/** The stored messages of `ids` inside a committed batch. */
async function storedVersions(
  cols: Collections,
  batch: BatchDoc,
  ids: string[],
): Promise<Map<string, StoredMessage>> {
  const out = new Map<string, StoredMessage>();
  if (batch.ids) {
    const messages = await batchMessages(cols, batch);
    for (const id of ids) {
      const i = batch.ids.indexOf(id);
      if (i >= 0) out.set(id, pendingToStored(batch.sessionId, batch.start + i, messages[i]!));
    }
    if (out.size === ids.length) return out;
  }
  const rows = await cols.messages
    .find({ sessionId: batch.sessionId, gen: batch.gen, messageId: { $in: ids } })
    .toArray();
  for (const row of rows) out.set(row.messageId, toStoredMessage(row));
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
