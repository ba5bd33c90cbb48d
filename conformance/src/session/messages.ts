import assert from "node:assert/strict";
import { rejectsWith } from "../assertions.js";
import { msgs, range, type SessionTest, seqs } from "./suite.js";

export function messageTests(test: SessionTest): void {
  test("appends get per-session seq 1..n in input order, with every field stored", async (store) => {
    await store.createSession({ sessionId: "a" });
    await store.createSession({ sessionId: "b" });
    const createdAt = new Date("2024-01-02T03:04:05.678Z");
    const first = await store.appendMessages("a", [
      { id: "x1", role: "user", content: "hello", metadata: { lang: "en", tokens: 3 }, createdAt },
      { id: "x2", role: "assistant", content: "hi there" },
    ]);
    assert.deepEqual(seqs(first), [1, 2]);
    assert.equal(first[0]!.createdAt.getTime(), createdAt.getTime(), "a given createdAt is kept");
    const other = await store.appendMessages("b", msgs(1));
    assert.equal(other[0]!.seq, 1, "seq is per session");
    const third = await store.appendMessages("a", [{ role: "tool", content: "" }]);
    assert.equal(third[0]!.seq, 3);
    assert.ok(third[0]!.id.length > 0, "the store assigns an id when none is given");
    const read = await store.getMessages("a");
    assert.deepEqual(seqs(read), [1, 2, 3]);
    assert.deepEqual(read[0], {
      id: "x1",
      sessionId: "a",
      seq: 1,
      role: "user",
      content: "hello",
      metadata: { lang: "en", tokens: 3 },
      createdAt,
    });
    assert.equal(read[2]!.content, "", "empty content round-trips");
    assert.equal((await store.getSession("a"))?.lastSeq, 3);
  });

  test("history is in seq order even when timestamps tie or go backwards", async (store) => {
    await store.createSession({ sessionId: "t" });
    const same = new Date("2024-05-05T00:00:00.000Z");
    const earlier = new Date("2020-01-01T00:00:00.000Z");
    for (let i = 0; i < 30; i++) {
      await store.appendMessages("t", [
        { id: `m${i}`, role: "user", content: `n${i}`, createdAt: i % 3 === 2 ? earlier : same },
      ]);
    }
    const read = await store.getMessages("t");
    assert.deepEqual(
      read.map((m) => m.content),
      range(0, 29).map((i) => `n${i}`),
    );
    const last = await store.getMessages("t", { last: 5 });
    assert.deepEqual(
      last.map((m) => m.content),
      range(25, 29).map((i) => `n${i}`),
    );
  });

  test("appends are idempotent by message id: a retried batch stores nothing twice", async (store) => {
    await store.createSession({ sessionId: "i" });
    const batch = msgs(3, "r");
    const first = await store.appendMessages("i", batch);
    const retry = await store.appendMessages("i", batch);
    assert.deepEqual(retry, first, "a retry returns the stored messages");
    const mixed = await store.appendMessages("i", [
      batch[1]!,
      { id: "new1", role: "user", content: "new" },
      batch[0]!,
    ]);
    assert.deepEqual(seqs(mixed), [2, 4, 1], "known ids return their seq; the new one gets the next");
    const all = await store.getMessages("i");
    assert.deepEqual(seqs(all), [1, 2, 3, 4]);
    assert.equal(all.length, 4);
    const sameIdOtherSession = await store
      .createSession({ sessionId: "i2" })
      .then(() => store.appendMessages("i2", [batch[0]!]));
    assert.equal(sameIdOtherSession[0]!.seq, 1, "message ids are scoped to their session");
  });

  test("a batch is all or nothing: an invalid message stores none of it", async (store) => {
    await store.createSession({ sessionId: "atomic" });
    await store.appendMessages("atomic", msgs(2));
    await rejectsWith(
      store.appendMessages("atomic", [
        { id: "ok1", role: "user", content: "fine" },
        { id: "bad", role: "user", content: "nul \u0000 inside" },
      ]),
      "VALIDATION",
      "batch with NUL content",
    );
    await rejectsWith(
      store.appendMessages("atomic", [
        { id: "d", role: "user", content: "1" },
        { id: "d", role: "user", content: "2" },
      ]),
      "VALIDATION",
      "duplicate ids in one batch",
    );
    await rejectsWith(store.appendMessages("atomic", []), "VALIDATION", "empty batch");
    const read = await store.getMessages("atomic");
    assert.deepEqual(seqs(read), [1, 2]);
    const next = await store.appendMessages("atomic", msgs(1, "after"));
    assert.equal(next[0]!.seq, 3, "no seq was consumed by the failed batches");
  });

  test("reads: last N, cursor pages by afterSeq/limit, beforeSeq, since", async (store) => {
    await store.createSession({ sessionId: "r" });
    for (let i = 0; i < 5; i++) await store.appendMessages("r", msgs(50, `b${i}-`));
    assert.deepEqual(seqs(await store.getMessages("r", { last: 10 })), range(241, 250));
    assert.deepEqual(seqs(await store.getMessages("r", { last: 1000 })), range(1, 250));
    assert.deepEqual(seqs(await store.getMessages("r", { last: 3, beforeSeq: 100 })), [97, 98, 99]);
    assert.deepEqual(seqs(await store.getMessages("r", { afterSeq: 10, limit: 5 })), [11, 12, 13, 14, 15]);
    assert.deepEqual(seqs(await store.getMessages("r", { afterSeq: 10, beforeSeq: 14 })), [11, 12, 13]);
    assert.deepEqual(seqs(await store.getMessages("r", { afterSeq: 250 })), []);
    const paged: number[] = [];
    let after = 0;
    for (;;) {
      const page = await store.getMessages("r", { afterSeq: after, limit: 64 });
      if (page.length === 0) break;
      paged.push(...seqs(page));
      after = page[page.length - 1]!.seq;
    }
    assert.deepEqual(paged, range(1, 250), "cursor paging visits every message once, in order");
    await store.createSession({ sessionId: "since" });
    await store.appendMessages("since", [
      { id: "old", role: "user", content: "old", createdAt: new Date("2020-01-01T00:00:00Z") },
      { id: "new", role: "user", content: "new", createdAt: new Date("2030-01-01T00:00:00Z") },
      { id: "mid", role: "user", content: "mid", createdAt: new Date("2025-01-01T00:00:00Z") },
    ]);
    const since = await store.getMessages("since", { since: new Date("2024-12-31T00:00:00Z") });
    assert.deepEqual(
      since.map((m) => m.id),
      ["new", "mid"],
      "since filters by time but keeps seq order",
    );
  });

  test("read parameters are validated", async (store) => {
    await store.createSession({ sessionId: "v" });
    await rejectsWith(store.getMessages("v", { limit: 0 }), "VALIDATION", "limit 0");
    await rejectsWith(store.getMessages("v", { last: -1 }), "VALIDATION", "last -1");
    await rejectsWith(store.getMessages("v", { afterSeq: 1.5 }), "VALIDATION", "fractional afterSeq");
    await rejectsWith(store.getMessages("v", { limit: 1_000_000 }), "VALIDATION", "huge limit");
    await rejectsWith(store.listSessions({ cursor: "not-a-cursor" }), "VALIDATION", "bad cursor");
    await rejectsWith(store.appendMessages("v", [{ role: "", content: "x" }]), "VALIDATION", "empty role");
  });

  test("large content round-trips unchanged", async (store) => {
    await store.createSession({ sessionId: "big" });
    const size = Math.min(store.capabilities.maxContentBytes, 1024 * 1024);
    const content = "0123456789abcdef🧠".repeat(Math.floor(size / 20));
    const [stored] = await store.appendMessages("big", [{ id: "big", role: "user", content }]);
    assert.equal(stored!.content.length, content.length);
    const [read] = await store.getMessages("big");
    assert.equal(read!.content, content);
  });

  test("last-N reads stay correct deep into a long history", async (store) => {
    await store.createSession({ sessionId: "long" });
    for (let b = 0; b < 10; b++) await store.appendMessages("long", msgs(200, `L${b}-`));
    const last = await store.getMessages("long", { last: 20 });
    assert.deepEqual(seqs(last), range(1981, 2000));
    assert.equal(last[19]!.id, "L9-200");
  });
}
