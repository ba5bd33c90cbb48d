import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSessionStore } from "../src/index.js";
import { type PrivateRedis, redisServerAvailable, startPrivateRedis } from "./redis-server.js";

/**
 * The server is killed (SIGKILL) and restarted in the middle of a write loop. With appendonly +
 * appendfsync always, every append Redis acknowledged must be there afterwards, exactly once; calls
 * made while the server is down must fail fast with BackendUnavailableError; and the same store
 * instance must recover by itself once the server is back.
 */
const available = redisServerAvailable();
if (!available.ok) console.log(`[session-redis] kill test skipped: ${available.reason}`);

describe.skipIf(!available.ok)("server killed and restarted mid write loop", () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis(["--appendonly", "yes", "--appendfsync", "always"]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("keeps every acknowledged append, fails fast while down, reconnects without a new store", async () => {
    const store = new RedisSessionStore({ url: server.url, keyPrefix: "kill:" });
    await store.setup();
    await store.createSession({ sessionId: "loop" });

    const acked: number[] = [];
    const failures: { code: string | undefined; ms: number }[] = [];
    let stop = false;
    const writer = (async () => {
      const deadline = Date.now() + 60_000;
      for (let i = 0; !stop && Date.now() < deadline; ) {
        const started = Date.now();
        try {
          const [m] = await store.appendMessages("loop", [
            { id: `m${i}`, role: "user", content: `message ${i}` },
          ]);
          expect(m!.id).toBe(`m${i}`);
          acked.push(i);
          i++; // only move on once this id is acknowledged; a retry of the same id is idempotent
        } catch (error) {
          failures.push({ code: (error as { code?: string }).code, ms: Date.now() - started });
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();

    const waitFor = async (n: number) => {
      while (acked.length < n) await new Promise((r) => setTimeout(r, 5));
    };
    await waitFor(300);
    await server.kill9();
    const killedAt = acked.length;

    // While the server is down: a read fails quickly with a typed, retryable error.
    const started = Date.now();
    const down = await store.getSession("loop").then(
      () => null,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(down?.code).toBe("BACKEND_UNAVAILABLE");
    expect(Date.now() - started).toBeLessThan(3000);
    expect(down?.message ?? "").not.toMatch(/password/i);
    await new Promise((r) => setTimeout(r, 1000));
    expect(acked.length).toBe(killedAt); // nothing is acknowledged while the server is gone

    await server.restart();
    await waitFor(killedAt + 300);
    stop = true;
    await writer;

    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.code).toBe("BACKEND_UNAVAILABLE");
      expect(f.ms).toBeLessThan(3000);
    }
    const stored = await store.getMessages("loop", { limit: 10_000 });
    const ids = stored.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const i of acked) expect(ids).toContain(`m${i}`);
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    expect((await store.getSession("loop"))?.lastSeq).toBe(stored.length);
    console.log(
      `[session-redis] kill test: ${acked.length} acknowledged appends, all present after SIGKILL + restart; ${failures.length} calls failed while down (max ${Math.max(...failures.map((f) => f.ms))} ms)`,
    );
    await store.close();
  }, 120_000);
});
