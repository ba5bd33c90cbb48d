import { BackendUnavailableError, type StoredMessage } from "@langswarm/memory-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MongoSessionStore } from "../src/index.js";
import { FerretServer, findFerretdbBinary } from "./helpers/ferretdb.js";

/**
 * The server is killed with SIGKILL in the middle of a write loop and restarted on the same data.
 * The store (one instance, never re-created) must reconnect by itself; calls made while the server is
 * down fail with BackendUnavailableError; every append that was acknowledged is there afterwards, and
 * retrying the failed ones stores each message exactly once with seqs still gap-free.
 *
 * Durability assumption: FerretDB's SQLite handler commits each write before acknowledging it, so an
 * acknowledged write survives the death of the server PROCESS (the OS keeps the file). Surviving a
 * machine crash needs fsync-level durability from the server (MongoDB: journaled write concern).
 */
const found = findFerretdbBinary();
if (!found.bin) console.log(`[session-mongodb kill test] skipped: ${found.reason}`);

describe.skipIf(!found.bin)("server killed and restarted mid write loop", () => {
  let server: FerretServer;
  let store: MongoSessionStore;

  beforeAll(async () => {
    server = await FerretServer.start(found.bin!);
    store = new MongoSessionStore({ uri: server.url, database: "killtest", serverSelectionTimeoutMS: 1500 });
    await store.setup();
  });

  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it("reconnects without a new store and loses no acknowledged append", async () => {
    await store.createSession({ sessionId: "k" });
    const acked = new Map<string, StoredMessage>();
    const failed: string[] = [];
    const unavailable: unknown[] = [];
    const total = 300;
    let killedAt = -1;
    let restarted: Promise<void> | null = null;
    for (let i = 0; i < total; i++) {
      if (i === 100) {
        killedAt = i;
        await server.kill("SIGKILL");
        // Back after a while, on the same port and data, while the loop keeps calling.
        restarted = new Promise((resolve, reject) =>
          setTimeout(() => server.launch().then(resolve, reject), 2500),
        );
      }
      const id = `msg-${i}`;
      try {
        const [m] = await store.appendMessages("k", [{ id, role: "user", content: `content ${i}` }]);
        acked.set(id, m!);
      } catch (error) {
        unavailable.push(error);
        failed.push(id);
        // Pace the loop while the server is down: a refused connection fails in microseconds, and
        // without a pause a loaded machine could burn the whole loop before the restart.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    await restarted;
    expect(killedAt).toBe(100);
    expect(unavailable.length, "some calls hit the dead server").toBeGreaterThan(0);
    for (const error of unavailable) expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(acked.size, "calls after the restart succeed on the same store").toBeGreaterThan(150);

    // Retry what failed (the same ids): whatever had in fact been committed is not stored twice.
    for (const id of failed) {
      const i = Number(id.slice(4));
      const [m] = await store.appendMessages("k", [{ id, role: "user", content: `content ${i}` }]);
      acked.set(id, m!);
    }
    const all = await store.getMessages("k", { limit: 10_000 });
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(all.map((m) => m.id)).size).toBe(total);
    for (const [id, m] of acked) {
      const stored = all.find((x) => x.id === id);
      expect(stored?.seq, `acknowledged ${id} is stored at the seq it was acknowledged with`).toBe(m.seq);
      expect(stored?.content).toBe(m.content);
    }
    expect((await store.getSession("k"))?.lastSeq).toBe(total);
    console.log(
      `[session-mongodb kill test] ${total} appends, server SIGKILLed at #${killedAt}, ${failed.length} calls failed with BackendUnavailableError and were retried; all ${total} stored once, seq 1..${total}`,
    );
  });
});
