import assert from "node:assert/strict";
import type { ListSessionsQuery, SessionInfo, SessionStore } from "@langswarm/memory-core";
import type { SessionStoreInitializer } from "../types.js";
import { msgs, type SessionTest } from "./suite.js";

async function listAll(store: SessionStore, query: ListSessionsQuery): Promise<SessionInfo[]> {
  const all: SessionInfo[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const result = await store.listSessions({ ...query, cursor });
    all.push(...result.items);
    cursor = result.nextCursor;
    if (!cursor) return all;
  }
  throw new Error("listSessions never ended");
}

export function listingTests(test: SessionTest, init: SessionStoreInitializer): void {
  test("listSessions filters by user, agent and status, newest first", async (store) => {
    const plan = [
      ["s1", "alice", "bot", "active"],
      ["s2", "alice", "bot", "closed"],
      ["s3", "bob", "bot", "active"],
      ["s4", "alice", "helper", "active"],
      ["s5", null, "helper", "archived"],
    ] as const;
    for (const [sessionId, userId, agentId, status] of plan)
      await store.createSession({ sessionId, userId, agentId, status });
    const ids = async (q: ListSessionsQuery) => (await listAll(store, q)).map((s) => s.sessionId).sort();
    assert.deepEqual(await ids({ userId: "alice" }), ["s1", "s2", "s4"]);
    assert.deepEqual(await ids({ agentId: "helper" }), ["s4", "s5"]);
    assert.deepEqual(await ids({ status: "active" }), ["s1", "s3", "s4"]);
    assert.deepEqual(await ids({ userId: "alice", agentId: "bot", status: "active" }), ["s1"]);
    assert.deepEqual(await ids({}), ["s1", "s2", "s3", "s4", "s5"]);
    assert.deepEqual(await ids({ userId: "carol" }), []);
    const all = await listAll(store, {});
    for (let i = 1; i < all.length; i++) {
      assert.ok(all[i - 1]!.createdAt.getTime() >= all[i]!.createdAt.getTime(), "newest first");
    }
    await store.updateSession("s3", { userId: "alice", status: "closed" });
    assert.deepEqual(
      await ids({ userId: "alice" }),
      ["s1", "s2", "s3", "s4"],
      "an update moves the session between listings",
    );
    assert.deepEqual(await ids({ status: "active" }), ["s1", "s4"]);
  });

  test("cursor pagination visits every session exactly once", async (store) => {
    const created: string[] = [];
    for (let i = 0; i < 23; i++) {
      const id = `p${String(i).padStart(2, "0")}`;
      created.push(id);
      await store.createSession({ sessionId: id, userId: i % 2 ? "odd" : "even" });
    }
    for (const limit of [1, 4, 10, 100]) {
      const pages: string[] = [];
      let cursor: string | null = null;
      let count = 0;
      do {
        const page: { items: SessionInfo[]; nextCursor: string | null } = await store.listSessions({
          limit,
          cursor,
        });
        assert.ok(page.items.length <= limit);
        pages.push(...page.items.map((s) => s.sessionId));
        cursor = page.nextCursor;
        count++;
      } while (cursor && count < 100);
      assert.deepEqual([...pages].sort(), created, `limit ${limit}: no duplicates, nothing missed`);
    }
    const odd = await listAll(store, { userId: "odd", limit: 3 } as ListSessionsQuery);
    assert.equal(odd.length, 11);
  });

  test("listing and appends work across connections (another process's view)", async (store) => {
    if (!init.reopen) return; // single-process store: nothing to prove
    const other = await init.reopen(store);
    try {
      await store.createSession({ sessionId: "x1", userId: "shared" });
      await other.createSession({ sessionId: "x2", userId: "shared" });
      await other.appendMessages("x1", msgs(2, "o"));
      await store.appendMessages("x1", msgs(1, "s"));
      assert.deepEqual((await listAll(store, { userId: "shared" })).map((s) => s.sessionId).sort(), [
        "x1",
        "x2",
      ]);
      assert.deepEqual((await listAll(other, { userId: "shared" })).map((s) => s.sessionId).sort(), [
        "x1",
        "x2",
      ]);
      assert.deepEqual(
        (await other.getMessages("x1")).map((m) => m.seq),
        [1, 2, 3],
      );
    } finally {
      await other.close();
    }
  });
}
