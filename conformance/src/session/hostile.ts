import assert from "node:assert/strict";
import type { JsonObject } from "@langswarm/memory-core";
import { rejectsWith } from "../assertions.js";
import { HOSTILE_IDS_INVALID, HOSTILE_IDS_VALID, HOSTILE_METADATA_KEYS, HOSTILE_TEXT } from "../hostile.js";
import { msgs, type SessionTest } from "./suite.js";

export function hostileTests(test: SessionTest): void {
  test("hostile session, user and agent ids are data: they round-trip and stay isolated", async (store) => {
    for (const id of HOSTILE_IDS_VALID) {
      await store.createSession({ sessionId: id, userId: id, agentId: id, metadata: { id } });
      await store.appendMessages(id, [{ id, role: "user", content: id }]);
    }
    for (const id of HOSTILE_IDS_VALID) {
      const s = await store.getSession(id);
      assert.equal(s?.sessionId, id, `session ${JSON.stringify(id.slice(0, 40))}`);
      assert.equal(s?.userId, id);
      const messages = await store.getMessages(id);
      assert.equal(messages.length, 1, `exactly its own message: ${JSON.stringify(id.slice(0, 40))}`);
      assert.equal(messages[0]!.content, id);
      assert.equal(messages[0]!.id, id);
      const listed = await store.listSessions({ userId: id });
      assert.deepEqual(
        listed.items.map((x) => x.sessionId),
        [id],
        `listing by user ${JSON.stringify(id.slice(0, 40))}`,
      );
    }
    // Patterns must not match other keys: deleting "*" or "a*" deletes only that session.
    assert.equal(await store.deleteSession("*"), true);
    assert.equal(await store.deleteSession("a*"), true);
    assert.ok(await store.getSession("a;--"), "a glob-like id deleted nothing else");
    assert.ok(await store.getSession("plain"));
    const remaining = await store.listSessions({ limit: 1000 });
    assert.equal(remaining.items.length, HOSTILE_IDS_VALID.length - 2);
  });

  test("invalid ids are rejected with ValidationError and store nothing", async (store) => {
    for (const { id, why } of HOSTILE_IDS_INVALID) {
      await rejectsWith(store.createSession({ sessionId: id }), "VALIDATION", `createSession(${why})`);
      await rejectsWith(store.getSession(id), "VALIDATION", `getSession(${why})`);
    }
    await store.createSession({ sessionId: "ok" });
    for (const { id, why } of HOSTILE_IDS_INVALID) {
      await rejectsWith(
        store.appendMessages("ok", [{ id, role: "user", content: "x" }]),
        "VALIDATION",
        `message id (${why})`,
      );
    }
    assert.deepEqual(await store.getMessages("ok"), []);
    assert.equal((await store.listSessions()).items.length, 1);
  });

  test("hostile content and metadata round-trip unchanged", async (store) => {
    await store.createSession({ sessionId: "h" });
    const metadata: JsonObject = {};
    HOSTILE_METADATA_KEYS.forEach((key, i) => {
      metadata[key] = HOSTILE_TEXT[i % HOSTILE_TEXT.length]!;
    });
    metadata.nested = { $in: ["a", { "b.c": 1 }], deep: { x: null, y: false, z: -1.5e-7 } };
    const input = HOSTILE_TEXT.map((content, i) => ({ id: `h${i}`, role: "user", content, metadata }));
    await store.appendMessages("h", input);
    await store.updateSession("h", { metadata });
    const read = await store.getMessages("h");
    assert.deepEqual(
      read.map((m) => m.content),
      [...HOSTILE_TEXT],
    );
    for (const m of read) assert.deepEqual(m.metadata, metadata);
    assert.deepEqual((await store.getSession("h"))?.metadata, metadata);
    await store.putSummary("h", { content: HOSTILE_TEXT.join("|"), uptoSeq: 1, metadata });
    assert.equal((await store.getSummary("h"))?.content, HOSTILE_TEXT.join("|"));
  });

  test("non-JSON and non-finite metadata values are rejected", async (store) => {
    await store.createSession({ sessionId: "j" });
    const bad: unknown[] = [
      { n: Number.NaN },
      { n: Number.POSITIVE_INFINITY },
      { d: new Date() },
      { f: () => 1 },
      { s: "nul\u0000" },
    ];
    for (const metadata of bad) {
      await rejectsWith(
        store.appendMessages("j", [{ role: "user", content: "x", metadata: metadata as never }]),
        "VALIDATION",
        `metadata ${JSON.stringify(Object.keys(metadata as object))}`,
      );
    }
    await rejectsWith(
      store.createSession({ sessionId: "k", metadata: [] as never }),
      "VALIDATION",
      "array metadata",
    );
    assert.deepEqual(await store.getMessages("j"), []);
    assert.equal(await store.getSession("k"), null);
    void msgs;
  });
}
