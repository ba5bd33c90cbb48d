import assert from "node:assert/strict";
import { rejectsWith, sleep } from "../assertions.js";

/**
 * Lifetimes long enough that a slow server (a cold JVM, a loaded CI machine) finishes the setup
 * writes before the session expires; the tests then wait until just past the expiry.
 */
const LIFETIME_MS = 1500;
const soon = () => new Date(Date.now() + LIFETIME_MS);
const waitPast = (at: Date) => sleep(Math.max(0, at.getTime() - Date.now()) + 150);

import { msgs, type SessionTest } from "./suite.js";

export function expiryTests(test: SessionTest): void {
  test("an expired session is invisible: get null, reads NotFound, not listed", async (store) => {
    const at = soon();
    await store.createSession({ sessionId: "soon", userId: "u", expiresAt: at });
    await store.createSession({
      sessionId: "later",
      userId: "u",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await store.appendMessages("soon", msgs(3));
    assert.ok(await store.getSession("soon"));
    await waitPast(at);
    assert.equal(await store.getSession("soon"), null);
    await rejectsWith(store.getMessages("soon"), "NOT_FOUND", "getMessages after expiry");
    await rejectsWith(store.appendMessages("soon", msgs(1, "late")), "NOT_FOUND", "append after expiry");
    const listed = await store.listSessions({ userId: "u" });
    assert.deepEqual(
      listed.items.map((s) => s.sessionId),
      ["later"],
    );
  });

  test("createSession replaces an expired session with an empty one", async (store) => {
    const at = soon();
    await store.createSession({ sessionId: "re", expiresAt: at });
    await store.appendMessages("re", msgs(4));
    await store.putSummary("re", { content: "old", uptoSeq: 4 });
    await waitPast(at);
    const fresh = await store.createSession({ sessionId: "re", userId: "new-owner" });
    assert.equal(fresh.userId, "new-owner");
    assert.equal(fresh.expiresAt, null);
    assert.deepEqual(await store.getMessages("re"), []);
    assert.equal(await store.getSummary("re"), null);
    const [m] = await store.appendMessages("re", msgs(1));
    assert.equal(m!.seq, 1);
  });

  test("prune removes expired sessions with their data and returns the count", async (store) => {
    const past = soon();
    await store.createSession({ sessionId: "e1", expiresAt: past });
    await store.createSession({ sessionId: "e2", expiresAt: past });
    await store.createSession({ sessionId: "live" });
    await store.appendMessages("e1", msgs(3));
    await waitPast(past);
    const removed = await store.prune();
    // A store with native expiry may already have removed some: it reports what it removed itself.
    assert.ok(removed <= 2, `prune removed ${removed}`);
    if (!store.capabilities.nativeExpiry) assert.equal(removed, 2);
    assert.equal(await store.prune(), 0, "a second prune finds nothing");
    assert.ok(await store.getSession("live"));
    assert.equal(await store.getSession("e1"), null);
  });

  test("prune({ now }) uses the given clock", async (store) => {
    await store.createSession({ sessionId: "f", expiresAt: new Date(Date.now() + 3_600_000) });
    await store.createSession({ sessionId: "g" });
    assert.equal(await store.prune({ now: new Date(Date.now() + 60_000) }), 0);
    if (store.capabilities.nativeExpiry) return; // the server's clock decides there
    assert.equal(await store.prune({ now: new Date(Date.now() + 7_200_000) }), 1);
    assert.ok(await store.getSession("g"));
  });

  test("expiry can be set and cleared by update, and set atomically with an append", async (store) => {
    await store.createSession({ sessionId: "x" });
    const first = soon();
    await store.updateSession("x", { expiresAt: first });
    await store.updateSession("x", { expiresAt: null });
    await waitPast(first);
    assert.ok(await store.getSession("x"), "clearing expiresAt keeps the session");
    const until = soon();
    await store.appendMessages("x", msgs(1), { expiresAt: until });
    assert.equal((await store.getSession("x"))?.expiresAt?.getTime(), until.getTime());
    await waitPast(until);
    assert.equal(await store.getSession("x"), null, "the expiry set with the append took effect");
  });
}
