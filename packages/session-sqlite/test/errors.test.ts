import { writeFileSync } from "node:fs";
import { BackendUnavailableError, ConfigError, ConflictError } from "@langswarm/memory-core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { toMemoryError } from "../src/errors.js";
import { SqliteSessionStore } from "../src/index.js";
import { tempDir } from "./support/tmp.js";

const tmp = tempDir("session-sqlite-errors");
afterAll(() => tmp.cleanup());

describe("error mapping", () => {
  it("turns a write lock held past busy_timeout_ms into BackendUnavailableError, and reads keep working (WAL)", async () => {
    const path = tmp.file("busy.db");
    const store = new SqliteSessionStore({ path, busy_timeout_ms: 50 });
    await store.setup();
    await store.createSession({ sessionId: "s" });
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE"); // another connection holds the write lock
    const started = Date.now();
    const error = await store.appendMessages("s", [{ role: "user", content: "x" }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/busy_timeout_ms/);
    expect((error as { backend?: string }).backend).toBe("sqlite");
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(await store.getSession("s")).not.toBeNull(); // readers are never blocked by the writer
    other.exec("COMMIT");
    const [stored] = await store.appendMessages("s", [{ role: "user", content: "x" }]);
    expect(stored!.seq).toBe(1); // the failed attempt consumed no seq
    other.close();
    await store.close();
  });

  it("maps unique violations to ConflictError and other driver errors to BackendError", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    db.prepare("INSERT INTO t VALUES ('a')").run();
    const unique = (() => {
      try {
        db.prepare("INSERT INTO t VALUES ('a')").run();
      } catch (e) {
        return e;
      }
    })();
    expect(toMemoryError(unique, "sqlite", "inserting")).toBeInstanceOf(ConflictError);
    const syntax = (() => {
      try {
        db.prepare("SELEC 1");
      } catch (e) {
        return e;
      }
    })();
    expect(toMemoryError(syntax, "sqlite", "x")).toMatchObject({ code: "BACKEND", backend: "sqlite" });
    db.close();
  });

  it("reports a file that is not a database as a ConfigError on path", () => {
    const path = tmp.file("not-a-db.db");
    writeFileSync(path, "this is not sqlite ".repeat(100));
    expect(() => new SqliteSessionStore({ path })).toThrow(ConfigError);
  });

  it("creates missing parent directories for the database file", async () => {
    const store = new SqliteSessionStore({ path: tmp.file("nested/dir/memory.db") });
    await store.setup();
    await store.close();
  });
});

describe("migrations", () => {
  it("are recorded, idempotent, and create every table", async () => {
    const path = tmp.file("migrations.db");
    const store = new SqliteSessionStore({ path, table_prefix: "mem_" });
    await store.setup();
    await store.setup();
    const db = store.database;
    expect(db.prepare("SELECT version FROM mem_migrations").pluck().all()).toEqual([1]);
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      "mem_messages",
      "mem_migrations",
      "mem_sessions",
      "mem_summaries",
      "mem_watermarks",
    ]);
    await store.close();
  });

  it("tells you to run setup() instead of failing on a missing table", async () => {
    const store = new SqliteSessionStore({ path: ":memory:" });
    await expect(store.createSession({ sessionId: "s" })).rejects.toThrow(/call setup\(\)/);
    await store.close();
  });

  it("refuses a database migrated by a newer version of the package", async () => {
    const store = new SqliteSessionStore({ path: ":memory:" });
    await store.setup();
    store.database.prepare("INSERT INTO ls_migrations VALUES (99, 'from the future', 0)").run();
    await expect(store.setup()).rejects.toThrow(/newer than this package supports/);
    await store.close();
  });

  it("keeps two prefixes in one file apart", async () => {
    const path = tmp.file("two-prefixes.db");
    const a = new SqliteSessionStore({ path, table_prefix: "a_" });
    const b = new SqliteSessionStore({ path, table_prefix: "b_" });
    await a.setup();
    await b.setup();
    await a.createSession({ sessionId: "same" });
    await b.createSession({ sessionId: "same" });
    await a.appendMessages("same", [{ role: "user", content: "a" }]);
    expect(await b.getMessages("same")).toEqual([]);
    await a.close();
    await b.close();
  });
});
