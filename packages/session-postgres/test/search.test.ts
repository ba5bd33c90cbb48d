import { HOSTILE_TEXT } from "@langswarm/memory-conformance";
import type { MessageSearchHit } from "@langswarm/memory-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresSessionStore } from "../src/index.js";
import { closeAdmin, disposeStore, freshStore, SKIP_REASON, TEST_URL } from "./helpers.js";

if (!TEST_URL) console.warn(`[session-postgres] full-text search tests skipped: ${SKIP_REASON}`);

describe.skipIf(!TEST_URL)("searchMessages (full-text search)", () => {
  let store: PostgresSessionStore;
  const day = (d: number) => new Date(Date.UTC(2025, 0, d));

  beforeAll(async () => {
    store = await freshStore();
    await store.createSession({ sessionId: "billing-1", userId: "alice", agentId: "support" });
    await store.createSession({ sessionId: "billing-2", userId: "bob", agentId: "support" });
    await store.createSession({ sessionId: "travel", userId: "alice", agentId: "planner" });
    await store.appendMessages("billing-1", [
      { id: "b1", role: "user", content: "My invoice was charged twice this month", createdAt: day(1) },
      {
        id: "b2",
        role: "assistant",
        content: "I will refund the duplicate invoice charge today",
        createdAt: day(2),
      },
      { id: "b3", role: "user", content: "Thanks! Also, can invoices be sent by email?", createdAt: day(3) },
    ]);
    await store.appendMessages("billing-2", [
      { id: "c1", role: "user", content: "Where can I download an invoice?", createdAt: day(4) },
      { id: "c2", role: "user", content: "The refund has not arrived", createdAt: day(5) },
    ]);
    await store.appendMessages("travel", [
      {
        id: "t1",
        role: "user",
        content: "Book a train to Paris with an invoice for my company",
        createdAt: day(6),
      },
      { id: "t2", role: "assistant", content: "Train booked. Paris is lovely in spring.", createdAt: day(7) },
    ]);
  });
  afterAll(async () => {
    await disposeStore(store);
    await closeAdmin();
  });

  const ids = (hits: { items: MessageSearchHit[] }) => hits.items.map((h) => h.message.id);

  it("finds stemmed matches across sessions, best first, with scores and highlighted fragments", async () => {
    const page = await store.searchMessages("invoices");
    expect(new Set(ids(page))).toEqual(new Set(["b1", "b2", "b3", "c1", "t1"]));
    const scores = page.items.map((h) => h.score);
    expect(scores.every((s) => s > 0)).toBe(true);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const b2 = page.items.find((h) => h.message.id === "b2")!;
    expect(b2.message).toMatchObject({
      sessionId: "billing-1",
      seq: 2,
      role: "assistant",
      createdAt: day(2),
    });
    expect(b2.highlights?.join(" ")).toMatch(/<mark>invoice<\/mark>/);
  });

  it("filters by session, user, agent and time (from and to inclusive)", async () => {
    expect(ids(await store.searchMessages("invoice", { sessionId: "billing-1" })).sort()).toEqual([
      "b1",
      "b2",
      "b3",
    ]);
    expect(ids(await store.searchMessages("invoice", { userId: "alice" })).sort()).toEqual([
      "b1",
      "b2",
      "b3",
      "t1",
    ]);
    expect(ids(await store.searchMessages("invoice", { agentId: "support", userId: "bob" }))).toEqual(["c1"]);
    expect(ids(await store.searchMessages("invoice", { from: day(2), to: day(4) })).sort()).toEqual([
      "b2",
      "b3",
      "c1",
    ]);
    expect(ids(await store.searchMessages("invoice", { userId: "nobody" }))).toEqual([]);
  });

  it("understands web-search syntax: phrases, OR, exclusion", async () => {
    expect(ids(await store.searchMessages('"duplicate invoice"'))).toEqual(["b2"]);
    expect(ids(await store.searchMessages("refund -duplicate")).sort()).toEqual(["c2"]);
    expect(ids(await store.searchMessages("paris OR email")).sort()).toEqual(["b3", "t1", "t2"]);
  });

  it("pages by cursor: every hit exactly once, scores never increase", async () => {
    await store.createSession({ sessionId: "many", userId: "pager" });
    await store.appendMessages(
      "many",
      Array.from({ length: 23 }, (_, i) => ({
        id: `p${i}`,
        role: "user",
        content: `ticket ${"ticket ".repeat(i % 4)}number ${i}`,
      })),
    );
    const seen: MessageSearchHit[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: { items: MessageSearchHit[]; nextCursor: string | null } = await store.searchMessages(
        "ticket",
        { userId: "pager", limit: 4, cursor },
      );
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(seen.map((h) => h.message.id).sort()).toEqual(
      Array.from({ length: 23 }, (_, i) => `p${i}`).sort(),
    );
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.score).toBeLessThanOrEqual(seen[i - 1]!.score);
  });

  it("search text is data: query syntax, SQL and hostile strings never raise", async () => {
    const nasty = [
      ...HOSTILE_TEXT.filter((t) => t.trim()),
      "a & | ! ( ) :* <-> 'x'",
      "\\",
      "''",
      "invoice' OR 1=1 --",
      "(((",
      "-",
      '"',
    ];
    for (const text of nasty) {
      const page = await store.searchMessages(text);
      expect(Array.isArray(page.items)).toBe(true);
    }
    // Only stop words: nothing to search for, an empty page (not an error).
    expect((await store.searchMessages("the and of")).items).toEqual([]);
  });

  it("expired and deleted sessions are never searched", async () => {
    await store.createSession({ sessionId: "gone", expiresAt: new Date(Date.now() + 200) });
    await store.createSession({ sessionId: "deleted" });
    await store.appendMessages("gone", [{ id: "g", role: "user", content: "zebra crossing" }]);
    await store.appendMessages("deleted", [{ id: "d", role: "user", content: "zebra stripes" }]);
    expect(ids(await store.searchMessages("zebra")).sort()).toEqual(["d", "g"]);
    await store.deleteSession("deleted");
    await new Promise((r) => setTimeout(r, 400));
    expect(ids(await store.searchMessages("zebra"))).toEqual([]);
  });

  it("content holding the fragment delimiter keeps one highlight; long content is still searchable", async () => {
    await store.createSession({ sessionId: "odd" });
    await store.appendMessages("odd", [
      { id: "o1", role: "user", content: "walrus \u001e walrus" },
      { id: "o2", role: "user", content: `${"lorem ipsum ".repeat(5000)} narwhal` },
    ]);
    const walrus = await store.searchMessages("walrus", { sessionId: "odd" });
    expect(walrus.items[0]!.highlights).toHaveLength(1);
    expect(ids(await store.searchMessages("narwhal", { sessionId: "odd" }))).toEqual(["o2"]);
  });

  it("rejects bad input with ValidationError", async () => {
    for (const text of ["", "   ", "nul\u0000", "x".repeat(5000)]) {
      await expect(store.searchMessages(text)).rejects.toMatchObject({ code: "VALIDATION" });
    }
    await expect(store.searchMessages("x", { limit: 0 })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(store.searchMessages("x", { cursor: "nope" })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(store.searchMessages("x", { from: new Date(Number.NaN) })).rejects.toMatchObject({
      code: "VALIDATION",
    });
  });
});
