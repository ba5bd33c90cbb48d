import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresSessionStore } from "../src/index.js";
import { closeAdmin, dropSchema, freshStore, SKIP_REASON, TEST_URL, uniqueSchema } from "./helpers.js";

if (!TEST_URL) console.warn(`[session-postgres] pool and abort tests skipped: ${SKIP_REASON}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!TEST_URL)("pool ownership, AbortSignal, statement timeout", () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
    await closeAdmin();
  });

  it("close() leaves a caller's pool open and usable", async () => {
    const pool = new pg.Pool({ connectionString: TEST_URL, max: 2 });
    const schema = uniqueSchema("own");
    schemas.push(schema);
    const store = new PostgresSessionStore({ pool, schema });
    await store.setup();
    await store.createSession({ sessionId: "x" });
    await store.close();
    await store.close(); // twice is fine
    expect(pool.ended).toBe(false);
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
    // Another store on the same pool still sees the data.
    const again = new PostgresSessionStore({ pool, schema });
    expect((await again.getSession("x"))?.sessionId).toBe("x");
    await again.close();
    await pool.end();
  });

  it("close() ends the pool the store created; later calls fail with a typed error", async () => {
    const store = await freshStore();
    schemas.push(store.names.raw.schema);
    await store.close();
    expect(store.pool.ended).toBe(true);
    await expect(store.getSession("x")).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
  });

  it("an abort while the statement waits on a lock cancels it on the server: nothing is stored", async () => {
    const store = await freshStore();
    schemas.push(store.names.raw.schema);
    await store.createSession({ sessionId: "locked" });
    const blocker = new pg.Client({ connectionString: TEST_URL });
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query(`SELECT 1 FROM ${store.names.sessions} WHERE session_id = 'locked' FOR UPDATE`);
      const controller = new AbortController();
      const started = Date.now();
      const pending = store.appendMessages("locked", [{ id: "never", role: "user", content: "x" }], {
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 200);
      await expect(pending).rejects.toMatchObject({ code: "ABORTED" });
      expect(Date.now() - started).toBeLessThan(5_000);
      await blocker.query("COMMIT");
      expect(await store.getMessages("locked")).toEqual([]);
      const [next] = await store.appendMessages("locked", [{ id: "after", role: "user", content: "y" }]);
      expect(next!.seq).toBe(1);
    } finally {
      await blocker.end();
      await store.close();
    }
  });

  it("an abort while waiting for a pooled connection rejects at once and leaks nothing", async () => {
    const store = await freshStore({ pool_size: 1 });
    schemas.push(store.names.raw.schema);
    await store.createSession({ sessionId: "s" });
    const held = await store.pool.connect(); // the only connection
    try {
      const controller = new AbortController();
      const pending = store.getSession("s", { signal: controller.signal });
      await sleep(100);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: "ABORTED" });
    } finally {
      held.release();
    }
    expect((await store.getSession("s"))?.sessionId).toBe("s");
    expect(store.pool.totalCount).toBeLessThanOrEqual(1);
    await store.close();
  });

  it("statement_timeout_ms turns a stuck statement into BackendUnavailableError", async () => {
    const store = await freshStore({ statement_timeout_ms: 300 });
    schemas.push(store.names.raw.schema);
    await store.createSession({ sessionId: "slow" });
    const blocker = new pg.Client({ connectionString: TEST_URL });
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query(`SELECT 1 FROM ${store.names.sessions} WHERE session_id = 'slow' FOR UPDATE`);
      await expect(store.appendMessages("slow", [{ role: "user", content: "x" }])).rejects.toMatchObject({
        code: "BACKEND_UNAVAILABLE",
        message: expect.stringMatching(/timed out/),
      });
    } finally {
      await blocker.query("ROLLBACK");
      await blocker.end();
      await store.close();
    }
  });
});
