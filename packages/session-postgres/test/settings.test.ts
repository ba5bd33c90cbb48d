import { createServer } from "node:net";
import { createMemoryManager, registry } from "@langswarm/memory-core";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { descriptor, PostgresSessionStore } from "../src/index.js";
import { dropSchema, SKIP_REASON, TEST_URL, uniqueSchema } from "./helpers.js";

const SECRET = "s3cr3t-Pa55word";

/** Everything an error exposes to a log: message, stack, cause chain, own properties. */
function everything(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    parts.push(
      String((e as Error).message),
      String((e as Error).stack),
      JSON.stringify(e, Object.getOwnPropertyNames(e)),
    );
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join("\n");
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

describe("settings", () => {
  it("registers as postgres with the LangSwarm alias postgresql", () => {
    expect(registry.get("session", "postgres")).toBe(descriptor);
    expect(registry.get("session", "postgresql")).toBe(descriptor);
    expect(descriptor.capabilities.fullTextSearch).toBe(true);
  });

  it("a misspelt key names the closest valid one", () => {
    expect(() => new PostgresSessionStore({ hots: "localhost" } as never)).toThrow(
      /settings\.hots: unknown setting \(did you mean "host"\?\)/,
    );
  });

  it("schema and table_prefix must be identifiers (no SQL through names)", () => {
    expect(() => new PostgresSessionStore({ schema: 'x"; DROP TABLE y; --' })).toThrow(
      expect.objectContaining({ code: "CONFIG" }),
    );
    expect(() => new PostgresSessionStore({ table_prefix: "a-b" })).toThrow(
      expect.objectContaining({ code: "CONFIG" }),
    );
    expect(() => new PostgresSessionStore({ table_prefix: "x".repeat(30) })).toThrow(
      expect.objectContaining({ code: "CONFIG" }),
    );
    expect(() => new PostgresSessionStore({ text_search_config: "english'); DROP" })).toThrow(
      expect.objectContaining({ code: "CONFIG" }),
    );
    // An empty prefix is allowed (a dedicated schema needs none).
    expect(new PostgresSessionStore({ table_prefix: "" }).names.sessions).toBe('"public"."sessions"');
  });

  it("types and ranges are checked, all problems at once", () => {
    let error: unknown;
    try {
      new PostgresSessionStore({ port: "5432" as never, pool_size: 0, ssl: "yes" as never });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "CONFIG" });
    expect((error as Error).message).toMatch(/port: expected integer/);
    expect((error as Error).message).toMatch(/pool_size: must be >= 1/);
    expect((error as Error).message).toMatch(/ssl: expected boolean or object/);
  });

  it("a caller's pool excludes connection settings; url and connection_string exclude each other", () => {
    const pool = new pg.Pool();
    expect(() => new PostgresSessionStore({ pool, host: "h" })).toThrow(/pool is given, so host cannot be/);
    expect(() => new PostgresSessionStore({ pool, pool_size: 3 })).toThrow(/pool_size/);
    expect(() => new PostgresSessionStore({ pool: {} as never })).toThrow(/pg\.Pool/);
    expect(
      () => new PostgresSessionStore({ url: "postgres://a@b/c", connection_string: "postgres://a@b/c" }),
    ).toThrow(/not both/);
    void pool.end();
  });

  it("a malformed URL is a ConfigError that does not echo the password", () => {
    let error: unknown;
    try {
      new PostgresSessionStore({ url: `postgres://user:${SECRET}@host:notaport/db` });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "CONFIG", key: "url" });
    expect(everything(error)).not.toContain(SECRET);
  });

  it("explicit settings win over the same part of the URL", () => {
    const store = new PostgresSessionStore({
      url: "postgres://u:p@db.example:5433/app?sslmode=disable",
      password: "other",
      port: 6000,
    });
    const options = (store.pool as pg.Pool & { options: pg.PoolConfig }).options;
    expect(options).toMatchObject({
      host: "db.example",
      port: 6000,
      user: "u",
      password: "other",
      database: "app",
      max: 10,
    });
    void store.close();
  });

  it("an unreachable server is BackendUnavailableError, and no error mentions the password", async () => {
    const port = await freePort(); // nothing listens there
    const store = new PostgresSessionStore({
      url: `postgres://user:${SECRET}@127.0.0.1:${port}/db`,
      max_retries: 1,
      connect_timeout_ms: 2000,
    });
    try {
      const error = await store.getSession("x").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "BACKEND_UNAVAILABLE", backend: "postgres" });
      expect((error as Error).message).toContain(`127.0.0.1:${port}/db`);
      expect(everything(error)).not.toContain(SECRET);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!TEST_URL)("a wrong password is a ConfigError that does not contain the password", async () => {
    const url = new URL(TEST_URL!);
    url.password = SECRET;
    const store = new PostgresSessionStore({ url: url.toString(), max_retries: 0 });
    try {
      const error = await store.setup().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CONFIG" });
      expect((error as Error).message).toMatch(/password authentication failed/);
      expect(everything(error)).not.toContain(SECRET);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!TEST_URL)(
    "createMemoryManager resolves backend postgresql with LangSwarm's settings keys",
    async () => {
      const url = new URL(TEST_URL!);
      const schema = uniqueSchema("mgr");
      const manager = await createMemoryManager({
        backend: "postgresql",
        settings: {
          host: url.hostname,
          port: Number(url.port),
          database: url.pathname.slice(1),
          user: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
          schema,
          pool_size: 2,
        },
      });
      try {
        await manager.createSession({ sessionId: "m", userId: "u" });
        await manager.addMessage("m", { role: "user", content: "the invoice was paid twice" });
        expect((await manager.getMessages("m")).map((m) => m.seq)).toEqual([1]);
        const hits = await manager.searchMessages("invoices", { userId: "u" });
        expect(hits.items.map((h) => h.message.content)).toEqual(["the invoice was paid twice"]);
      } finally {
        await manager.close();
        await dropSchema(schema);
      }
    },
  );
});

if (!TEST_URL) console.warn(`[session-postgres] settings tests that need a server skipped: ${SKIP_REASON}`);
