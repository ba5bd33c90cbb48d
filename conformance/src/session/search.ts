import assert from "node:assert/strict";
import type { MessageSearchHit, SessionStore } from "@langswarm/memory-core";
import { rejectsWith } from "../assertions.js";
import { HOSTILE_TEXT } from "../hostile.js";
import type { SessionTest } from "./suite.js";

/**
 * A store without the capability must not pretend: no `searchMessages`, or one that refuses with
 * UnsupportedError. Returns whether the search tests apply.
 */
async function declaresSearch(store: SessionStore): Promise<boolean> {
  if (store.capabilities.fullTextSearch) {
    assert.equal(
      typeof store.searchMessages,
      "function",
      "fullTextSearch is declared, so searchMessages must exist",
    );
    return true;
  }
  if (store.searchMessages)
    await rejectsWith(store.searchMessages("x"), "UNSUPPORTED", "search without the capability");
  return false;
}

/** Full-text search: run for stores that declare `capabilities.fullTextSearch`. */
export function searchTests(test: SessionTest): void {
  const seed = async (store: SessionStore) => {
    await store.createSession({ sessionId: "trip", userId: "ana", agentId: "travel" });
    await store.createSession({ sessionId: "work", userId: "ana", agentId: "office" });
    await store.createSession({ sessionId: "bob", userId: "bob", agentId: "travel" });
    await store.appendMessages("trip", [
      {
        id: "t1",
        role: "user",
        content: "We are planning a hiking trip to the Dolomites",
        createdAt: new Date("2024-01-01T00:00:00Z"),
      },
      {
        id: "t2",
        role: "assistant",
        content: "The Dolomites have great hiking huts",
        createdAt: new Date("2024-02-01T00:00:00Z"),
      },
      {
        id: "t3",
        role: "user",
        content: "Book a table for dinner",
        createdAt: new Date("2024-03-01T00:00:00Z"),
      },
    ]);
    await store.appendMessages("work", [
      { id: "w1", role: "user", content: "The quarterly revenue report is due" },
    ]);
    await store.appendMessages("bob", [
      { id: "b1", role: "user", content: "Hiking boots for the Dolomites" },
    ]);
  };
  const ids = (hits: MessageSearchHit[]) => hits.map((h) => `${h.message.sessionId}/${h.message.id}`).sort();

  test("full-text search finds messages by words, scoped by session, user, agent and time", async (store) => {
    if (!(await declaresSearch(store))) return;
    await seed(store);
    const search = store.searchMessages!.bind(store);
    assert.deepEqual(ids((await search("dolomites")).items), ["bob/b1", "trip/t1", "trip/t2"]);
    assert.deepEqual(ids((await search("Dolomites", { userId: "ana" })).items), ["trip/t1", "trip/t2"]);
    assert.deepEqual(ids((await search("hiking", { sessionId: "bob" })).items), ["bob/b1"]);
    assert.deepEqual(ids((await search("hiking", { agentId: "travel", userId: "bob" })).items), ["bob/b1"]);
    const ranged = await search("dolomites", {
      sessionId: "trip",
      from: new Date("2024-02-01T00:00:00Z"),
      to: new Date("2024-02-01T00:00:00Z"),
    });
    assert.deepEqual(ids(ranged.items), ["trip/t2"], "from and to are inclusive");
    assert.deepEqual(
      (await search("revenue")).items.map((h) => h.message.content),
      ["The quarterly revenue report is due"],
    );
    assert.deepEqual((await search("nonexistentword")).items, []);
    const hits = (await search("hiking dolomites", { userId: "ana" })).items;
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score, "best first");
    for (const h of hits) for (const fragment of h.highlights ?? []) assert.match(fragment, /<mark>/);
  });

  test("full-text search pages with a cursor and skips expired sessions", async (store) => {
    if (!(await declaresSearch(store))) return;
    await store.createSession({ sessionId: "many" });
    await store.appendMessages(
      "many",
      Array.from({ length: 25 }, (_, i) => ({ id: `m${i}`, role: "user", content: `alpaca number ${i}` })),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: { items: MessageSearchHit[]; nextCursor: string | null } = await store.searchMessages!(
        "alpaca",
        { limit: 10, cursor },
      );
      seen.push(...result.items.map((h) => h.message.id));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25, "no duplicates across pages");
    const at = new Date(Date.now() + 1500); // long enough for a slow server to take the writes first
    await store.createSession({ sessionId: "gone", expiresAt: at });
    await store.appendMessages("gone", [{ id: "g", role: "user", content: "ephemeral llama" }]);
    await new Promise((r) => setTimeout(r, Math.max(0, at.getTime() - Date.now()) + 150));
    assert.deepEqual((await store.searchMessages!("llama")).items, [], "expired sessions are not searched");
  });

  test("query text is data: query-language syntax neither errors nor escapes", async (store) => {
    if (!(await declaresSearch(store))) return;
    await seed(store);
    for (const text of [
      ...HOSTILE_TEXT.filter((t) => t.length > 0),
      "*",
      '"unbalanced',
      "a AND (b OR",
      "OR",
      "!",
      "-",
      ":",
      "'",
    ]) {
      const result = await store.searchMessages!(text);
      assert.ok(Array.isArray(result.items), `query ${JSON.stringify(text)}`);
      for (const h of result.items) assert.ok(["trip", "work", "bob"].includes(h.message.sessionId));
    }
  });
}
