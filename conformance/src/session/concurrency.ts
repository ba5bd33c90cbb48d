import assert from "node:assert/strict";
import type { SessionStore } from "@langswarm/memory-core";
import type { SessionStoreInitializer } from "../types.js";
import { range, type SessionTest } from "./suite.js";

export const WRITERS = 32;
export const APPENDS_PER_WRITER = 200;

export function concurrencyTests(test: SessionTest, init: SessionStoreInitializer): void {
  test(
    `${WRITERS} concurrent writers x ${APPENDS_PER_WRITER} appends to one session: every message once, seq gap-free, each writer in order`,
    async (store, ctx) => {
      await store.createSession({ sessionId: "hot" });
      // Half the writers use a second connection when the store has one, like separate processes.
      const other: SessionStore = init.reopen ? await init.reopen(store) : store;
      if (other !== store) ctx.defer(() => other.close());
      const writer = async (w: number) => {
        const target = w % 2 === 0 ? store : other;
        for (let i = 0; i < APPENDS_PER_WRITER; i++) {
          const [m] = await target.appendMessages("hot", [
            { id: `w${w}-${i}`, role: "user", content: `${w}:${i}` },
          ]);
          assert.ok(m && m.seq >= 1);
        }
      };
      await Promise.all(range(0, WRITERS - 1).map(writer));
      const all = [];
      let after = 0;
      for (;;) {
        const page = await store.getMessages("hot", { afterSeq: after, limit: 1000 });
        if (page.length === 0) break;
        all.push(...page);
        after = page[page.length - 1]!.seq;
      }
      assert.equal(
        all.length,
        WRITERS * APPENDS_PER_WRITER,
        "every acknowledged message is stored exactly once",
      );
      assert.deepEqual(
        all.map((m) => m.seq),
        range(1, WRITERS * APPENDS_PER_WRITER),
        "seq is gap-free",
      );
      assert.equal(new Set(all.map((m) => m.id)).size, all.length, "no duplicate ids");
      const lastIndex = new Map<number, number>();
      for (const m of all) {
        const [w, i] = m.content.split(":").map(Number) as [number, number];
        assert.ok((lastIndex.get(w) ?? -1) < i, `writer ${w}'s messages stay in its order`);
        lastIndex.set(w, i);
      }
      assert.equal((await store.getSession("hot"))?.lastSeq, WRITERS * APPENDS_PER_WRITER);
    },
    { timeout: 300_000 },
  );

  test("concurrent retries of the same batch store it once", async (store) => {
    await store.createSession({ sessionId: "retry" });
    const batch = range(1, 10).map((i) => ({ id: `b${i}`, role: "user", content: `c${i}` }));
    const results = await Promise.all(range(1, 8).map(() => store.appendMessages("retry", batch)));
    const all = await store.getMessages("retry");
    assert.equal(all.length, 10);
    assert.deepEqual(
      all.map((m) => m.seq),
      range(1, 10),
    );
    for (const r of results)
      assert.deepEqual(
        r.map((m) => m.id),
        batch.map((b) => b.id),
      );
    for (const r of results)
      assert.deepEqual(
        r.map((m) => m.seq),
        results[0]!.map((m) => m.seq),
        "every retry sees the same seqs",
      );
  });

  test("concurrent batches keep each batch whole and in order", async (store) => {
    await store.createSession({ sessionId: "batches" });
    await Promise.all(
      range(0, 7).map(async (w) => {
        for (let b = 0; b < 10; b++) {
          await store.appendMessages(
            "batches",
            range(0, 9).map((i) => ({ id: `${w}-${b}-${i}`, role: "user", content: `${w}-${b}-${i}` })),
          );
        }
      }),
    );
    const all = await store.getMessages("batches", { limit: 1000 });
    assert.equal(all.length, 800);
    assert.deepEqual(
      all.map((m) => m.seq),
      range(1, 800),
    );
    const byBatch = new Map<string, number[]>();
    for (const m of all) {
      const key = m.id.split("-").slice(0, 2).join("-");
      byBatch.set(key, [...(byBatch.get(key) ?? []), m.seq]);
    }
    for (const [key, batchSeqs] of byBatch) {
      assert.equal(batchSeqs.length, 10, `batch ${key} complete`);
      assert.deepEqual(
        batchSeqs,
        [...batchSeqs].sort((a, b) => a - b),
        `batch ${key} in its own order`,
      );
    }
  });

  test("concurrent createSession of one id: exactly one wins, the rest get ConflictError", async (store) => {
    const results = await Promise.allSettled(
      range(1, 8).map((i) => store.createSession({ sessionId: "race", userId: `u${i}` })),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1);
    for (const r of results) {
      if (r.status === "rejected") assert.equal((r.reason as { code?: string }).code, "CONFLICT");
    }
  });
}
