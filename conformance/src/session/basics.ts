import assert from "node:assert/strict";
import { rejectsWith } from "../assertions.js";
import { msgs, type SessionTest } from "./suite.js";

export function basicTests(test: SessionTest): void {
  test("createSession stores every field and getSession returns it", async (store) => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const before = Date.now();
    const created = await store.createSession({
      sessionId: "s1",
      userId: "u1",
      agentId: "a1",
      status: "active",
      metadata: { topic: "billing", nested: { n: 1, list: [1, "two", null, true] } },
      expiresAt,
    });
    assert.equal(created.sessionId, "s1");
    assert.equal(created.userId, "u1");
    assert.equal(created.agentId, "a1");
    assert.equal(created.status, "active");
    assert.equal(created.lastSeq, 0);
    assert.ok(created.createdAt.getTime() >= before - 1000, "createdAt is now");
    const read = await store.getSession("s1");
    assert.ok(read);
    assert.deepEqual(read.metadata, { topic: "billing", nested: { n: 1, list: [1, "two", null, true] } });
    assert.equal(read.expiresAt?.getTime(), expiresAt.getTime(), "expiresAt round-trips to the millisecond");
    assert.equal(read.createdAt.getTime(), created.createdAt.getTime());
  });

  test("defaults: status active, null user/agent, empty metadata, no expiry", async (store) => {
    const s = await store.createSession({ sessionId: "d" });
    assert.equal(s.status, "active");
    assert.equal(s.userId, null);
    assert.equal(s.agentId, null);
    assert.deepEqual(s.metadata, {});
    assert.equal(s.expiresAt, null);
  });

  test("createSession on an existing id fails with ConflictError and changes nothing", async (store) => {
    await store.createSession({ sessionId: "dup", userId: "first" });
    await store.appendMessages("dup", msgs(2));
    await rejectsWith(
      store.createSession({ sessionId: "dup", userId: "second" }),
      "CONFLICT",
      "second create",
    );
    const s = await store.getSession("dup");
    assert.equal(s?.userId, "first");
    assert.equal((await store.getMessages("dup")).length, 2);
  });

  test("missing sessions: getSession null, other calls NotFoundError", async (store) => {
    assert.equal(await store.getSession("nope"), null);
    await rejectsWith(store.updateSession("nope", { status: "closed" }), "NOT_FOUND", "updateSession");
    await rejectsWith(store.appendMessages("nope", msgs(1)), "NOT_FOUND", "appendMessages");
    await rejectsWith(store.getMessages("nope"), "NOT_FOUND", "getMessages");
    await rejectsWith(store.putSummary("nope", { content: "x", uptoSeq: 0 }), "NOT_FOUND", "putSummary");
    assert.equal(await store.deleteSession("nope"), false);
  });

  test("updateSession changes only the given fields; metadata is replaced, not merged", async (store) => {
    await store.createSession({ sessionId: "u", userId: "u1", agentId: "a1", metadata: { a: 1, b: 2 } });
    const updated = await store.updateSession("u", { status: "archived", metadata: { c: 3 } });
    assert.equal(updated.status, "archived");
    assert.equal(updated.userId, "u1");
    assert.equal(updated.agentId, "a1");
    assert.deepEqual(updated.metadata, { c: 3 });
    const read = await store.getSession("u");
    assert.deepEqual(read?.metadata, { c: 3 });
    assert.equal(read?.status, "archived");
    assert.ok(read!.updatedAt.getTime() >= read!.createdAt.getTime());
    const cleared = await store.updateSession("u", { userId: null });
    assert.equal(cleared.userId, null);
  });

  test("summaries are versioned per session and the newest wins", async (store) => {
    await store.createSession({ sessionId: "sum" });
    await store.createSession({ sessionId: "other" });
    assert.equal(await store.getSummary("sum"), null);
    const v1 = await store.putSummary("sum", { content: "first", uptoSeq: 3 });
    const v2 = await store.putSummary("sum", { content: "second", uptoSeq: 7, metadata: { model: "x" } });
    await store.putSummary("other", { content: "unrelated", uptoSeq: 1 });
    assert.equal(v1.version, 1);
    assert.equal(v2.version, 2);
    const current = await store.getSummary("sum");
    assert.equal(current?.version, 2);
    assert.equal(current?.content, "second");
    assert.equal(current?.uptoSeq, 7);
    assert.deepEqual(current?.metadata, { model: "x" });
    assert.equal((await store.getSummary("other"))?.version, 1);
  });

  test("watermarks start at 0, only move up, and are per session and name", async (store) => {
    await store.createSession({ sessionId: "w" });
    await store.createSession({ sessionId: "w2" });
    assert.equal(await store.getWatermark("w", "semantic"), 0);
    await store.setWatermark("w", "semantic", 5);
    await store.setWatermark("w", "semantic", 3);
    await store.setWatermark("w", "other", 9);
    assert.equal(await store.getWatermark("w", "semantic"), 5);
    assert.equal(await store.getWatermark("w", "other"), 9);
    assert.equal(await store.getWatermark("w2", "semantic"), 0);
  });

  test("deleteSession removes the session, its messages, summaries and watermarks", async (store) => {
    await store.createSession({ sessionId: "del", userId: "u" });
    await store.createSession({ sessionId: "keep", userId: "u" });
    await store.appendMessages("del", msgs(5));
    await store.appendMessages("keep", msgs(2));
    await store.putSummary("del", { content: "s", uptoSeq: 5 });
    await store.setWatermark("del", "semantic", 5);
    assert.equal(await store.deleteSession("del"), true);
    assert.equal(await store.getSession("del"), null);
    assert.equal(await store.deleteSession("del"), false);
    await store.createSession({ sessionId: "del" });
    assert.deepEqual(await store.getMessages("del"), [], "a recreated session starts empty");
    assert.equal(await store.getSummary("del"), null);
    assert.equal(await store.getWatermark("del", "semantic"), 0);
    const appended = await store.appendMessages("del", msgs(1));
    assert.equal(appended[0]!.seq, 1, "seq restarts at 1");
    assert.equal((await store.getMessages("keep")).length, 2, "other sessions untouched");
    const listed = await store.listSessions({ userId: "u" });
    assert.deepEqual(
      listed.items.map((s) => s.sessionId),
      ["keep"],
    );
  });

  test("an aborted signal rejects with ABORTED before doing anything", async (store) => {
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(
      store.createSession({ sessionId: "ab" }, { signal: controller.signal }),
      "ABORTED",
      "createSession",
    );
    assert.equal(await store.getSession("ab"), null);
  });
}
