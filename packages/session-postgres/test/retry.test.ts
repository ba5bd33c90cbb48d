import type { Pool } from "pg";
import { describe, expect, it } from "vitest";
import { PostgresSessionStore } from "../src/index.js";

/**
 * The retry policy, deterministically, with a scripted fake pool: which failures are retried for
 * which calls, and that a retried append sends the very same message ids.
 */
type Step = Error | ((text: string, values: unknown[]) => { rows: unknown[]; rowCount: number });

function scriptedPool(connectSteps: (Error | null)[], querySteps: Step[]) {
  const sent: { text: string; values: unknown[] }[] = [];
  const released: unknown[] = [];
  const client = {
    on() {},
    off() {},
    release(error?: unknown) {
      released.push(error);
    },
    async query(config: { text: string; values: unknown[] }) {
      sent.push({ text: config.text, values: config.values });
      const step = querySteps.shift();
      if (!step) throw new Error("script exhausted");
      if (step instanceof Error) throw step;
      return step(config.text, config.values);
    },
  };
  const pool = {
    options: { host: "fake", port: 1, database: "db" },
    async connect() {
      const failure = connectSteps.shift();
      if (failure) throw failure;
      return client;
    },
    async query() {
      throw new Error("not used");
    },
  };
  return { pool: pool as unknown as Pool, sent, released };
}

const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
const serialization = () => Object.assign(new Error("could not serialize access"), { code: "40001" });
const badPassword = () =>
  Object.assign(new Error('password authentication failed for user "x"'), { code: "28P01" });
const appended = (_text: string, values: unknown[]) => ({
  rows: (values[1] as string[]).map((_, i) => ({
    ord: i + 1,
    seq: String(i + 1),
    existed: false,
    role: null,
    content: null,
    metadata: null,
    created_at: null,
  })),
  rowCount: (values[1] as string[]).length,
});
const sessionRow = () => ({
  rows: [
    {
      session_id: "s",
      user_id: null,
      agent_id: null,
      status: "active",
      metadata: {},
      created_at: new Date(),
      updated_at: new Date(),
      expires_at: null,
      last_seq: "0",
    },
  ],
  rowCount: 1,
});

describe("retry policy", () => {
  it("an append whose connection died mid-call is retried with the same message ids, and the dead client is dropped", async () => {
    const { pool, sent, released } = scriptedPool([], [reset(), appended]);
    const store = new PostgresSessionStore({ pool, max_retries: 2 });
    const [m] = await store.appendMessages("s", [{ role: "user", content: "hi" }]);
    expect(m!.seq).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.values[1]).toEqual(sent[0]!.values[1]); // same generated id both times
    expect(m!.id).toBe((sent[0]!.values[1] as string[])[0]);
    expect(released[0]).toBeTruthy(); // destroyed, not returned to the pool
    expect(released[1]).toBeUndefined();
  });

  it("createSession is not repeated after a mid-call connection loss (it might have committed)", async () => {
    const { pool, sent } = scriptedPool([], [reset(), sessionRow]);
    const store = new PostgresSessionStore({ pool, max_retries: 2 });
    await expect(store.createSession({ sessionId: "s" })).rejects.toMatchObject({
      code: "BACKEND_UNAVAILABLE",
    });
    expect(sent).toHaveLength(1);
  });

  it("createSession is retried when connecting failed (nothing was sent) or the server rolled back", async () => {
    const a = scriptedPool([refused(), null], [sessionRow]);
    expect(
      (await new PostgresSessionStore({ pool: a.pool }).createSession({ sessionId: "s" })).sessionId,
    ).toBe("s");
    const b = scriptedPool([], [serialization(), sessionRow]);
    expect(
      (await new PostgresSessionStore({ pool: b.pool }).createSession({ sessionId: "s" })).sessionId,
    ).toBe("s");
    expect(b.sent).toHaveLength(2);
  });

  it("a wrong password is not retried; max_retries bounds the attempts", async () => {
    const a = scriptedPool([badPassword(), null], [sessionRow]);
    await expect(new PostgresSessionStore({ pool: a.pool }).getSession("s")).rejects.toMatchObject({
      code: "CONFIG",
    });
    const b = scriptedPool([refused(), refused(), refused(), refused()], []);
    await expect(
      new PostgresSessionStore({ pool: b.pool, max_retries: 2 }).getSession("s"),
    ).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    const c = scriptedPool([refused(), null], [sessionRow]);
    await expect(
      new PostgresSessionStore({ pool: c.pool, max_retries: 0 }).getSession("s"),
    ).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
  });

  it("an abort during the backoff stops retrying at once", async () => {
    const { pool } = scriptedPool([refused(), refused(), refused()], []);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    await expect(
      new PostgresSessionStore({ pool, max_retries: 10 }).getSession("s", { signal: controller.signal }),
    ).rejects.toMatchObject({ code: "ABORTED" });
  });
});
