import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS, PostgresSessionStore } from "../src/index.js";
import { type Migration, migrate } from "../src/migrations.js";
import { buildNames } from "../src/names.js";
import { adminPool, closeAdmin, dropSchema, SKIP_REASON, TEST_URL, uniqueSchema } from "./helpers.js";

if (!TEST_URL) console.warn(`[session-postgres] migrations tests skipped: ${SKIP_REASON}`);

describe.skipIf(!TEST_URL)("setup() / migrations", () => {
  const schemas: string[] = [];
  const schema = (label: string) => {
    const name = uniqueSchema(label);
    schemas.push(name);
    return name;
  };
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
    await closeAdmin();
  });

  it("N processes running setup() at once on a fresh schema all succeed; each version is applied once", async () => {
    const name = schema("race");
    // Separate pools = separate sessions, as separate processes would have.
    const stores = Array.from(
      { length: 8 },
      () => new PostgresSessionStore({ url: TEST_URL, schema: name, pool_size: 1 }),
    );
    try {
      const results = await Promise.all(stores.map((s) => s.migrate()));
      const applied = results.flatMap((r) => r.applied);
      expect(applied).toEqual(MIGRATIONS.map((m) => m.version));
      expect(results.every((r) => r.version === MIGRATIONS.at(-1)!.version)).toBe(true);
      const rows = await adminPool().query(
        `SELECT version FROM ${pg.escapeIdentifier(name)}.ls_migrations ORDER BY version`,
      );
      expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      // And every store works afterwards.
      await stores[0]!.createSession({ sessionId: "s" });
      await stores[7]!.appendMessages("s", [{ role: "user", content: "hi" }]);
      expect((await stores[3]!.getSession("s"))?.lastSeq).toBe(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("two table prefixes created at once in one new schema both succeed", async () => {
    const name = schema("prefixes");
    const a = new PostgresSessionStore({ url: TEST_URL, schema: name, table_prefix: "a_", pool_size: 1 });
    const b = new PostgresSessionStore({ url: TEST_URL, schema: name, table_prefix: "b_", pool_size: 1 });
    try {
      await Promise.all([a.setup(), b.setup()]);
      await a.createSession({ sessionId: "same" });
      await b.createSession({ sessionId: "same" });
      await a.appendMessages("same", [{ role: "user", content: "only in a" }]);
      expect(await b.getMessages("same")).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a call before setup() fails with a BackendError that says to run setup() (nothing is created lazily)", async () => {
    const name = schema("nosetup");
    const store = new PostgresSessionStore({ url: TEST_URL, schema: name, pool_size: 1 });
    try {
      await expect(store.getSession("x")).rejects.toMatchObject({
        code: "BACKEND",
        message: expect.stringMatching(/call setup\(\)/),
      });
      await expect(store.createSession({ sessionId: "x" })).rejects.toMatchObject({ code: "BACKEND" });
      const exists = await adminPool().query("SELECT to_regnamespace($1) IS NOT NULL AS exists", [name]);
      expect(exists.rows[0].exists).toBe(false);
    } finally {
      await store.close();
    }
  });

  it("setup() is idempotent and a second run applies nothing", async () => {
    const store = new PostgresSessionStore({ url: TEST_URL, schema: schema("idem"), pool_size: 1 });
    try {
      expect((await store.migrate()).applied).toEqual([1]);
      expect((await store.migrate()).applied).toEqual([]);
      await store.setup();
    } finally {
      await store.close();
    }
  });

  it("a later migration is applied on top of an existing schema, in order, exactly once", async () => {
    const name = schema("later");
    const names = buildNames(name, "ls_", "english");
    const v2: Migration = {
      version: 2,
      name: "test: add a column",
      statements: (n) => [`ALTER TABLE ${n.sessions} ADD COLUMN test_extra text`],
    };
    const client = await adminPool().connect();
    try {
      expect((await migrate(client, names, MIGRATIONS)).applied).toEqual([1]);
      expect((await migrate(client, names, [...MIGRATIONS, v2])).applied).toEqual([2]);
      expect((await migrate(client, names, [...MIGRATIONS, v2])).applied).toEqual([]);
      const cols = await client.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'ls_sessions'",
        [name],
      );
      expect(cols.rows.map((r) => r.column_name)).toContain("test_extra");
      // Code that only knows version 1 refuses a schema at version 2.
      await expect(migrate(client, names, MIGRATIONS)).rejects.toMatchObject({ code: "CONFIG" });
    } finally {
      client.release();
    }
  });

  it("a failing migration rolls back completely", async () => {
    const name = schema("rollback");
    const names = buildNames(name, "ls_", "english");
    const broken: Migration = {
      version: 2,
      name: "test: broken",
      statements: (n) => [`ALTER TABLE ${n.sessions} ADD COLUMN ok text`, "SELECT no_such_function()"],
    };
    const client = await adminPool().connect();
    try {
      await migrate(client, names, MIGRATIONS);
      await expect(migrate(client, names, [...MIGRATIONS, broken])).rejects.toThrow(/no_such_function/);
      const cols = await client.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'ls_sessions' AND column_name = 'ok'",
        [name],
      );
      expect(cols.rowCount).toBe(0);
      const versions = await client.query(`SELECT version FROM ${names.migrations}`);
      expect(versions.rows.map((r) => r.version)).toEqual([1]);
    } finally {
      client.release();
    }
  });

  it("setup() refuses a schema migrated by a newer release", async () => {
    const name = schema("newer");
    const store = new PostgresSessionStore({ url: TEST_URL, schema: name, pool_size: 1 });
    try {
      await store.setup();
      await adminPool().query(
        `INSERT INTO ${store.names.migrations} (version, name) VALUES (99, 'from the future')`,
      );
      await expect(store.setup()).rejects.toMatchObject({
        code: "CONFIG",
        message: expect.stringMatching(/version 99.*upgrade/),
      });
    } finally {
      await store.close();
    }
  });

  it("text_search_config is fixed by the first setup(); another value or an unknown one is a ConfigError", async () => {
    const name = schema("tsconfig");
    const first = new PostgresSessionStore({
      url: TEST_URL,
      schema: name,
      text_search_config: "simple",
      pool_size: 1,
    });
    const other = new PostgresSessionStore({
      url: TEST_URL,
      schema: name,
      text_search_config: "german",
      pool_size: 1,
    });
    const same = new PostgresSessionStore({
      url: TEST_URL,
      schema: name,
      text_search_config: "pg_catalog.simple",
      pool_size: 1,
    });
    const unknown = new PostgresSessionStore({
      url: TEST_URL,
      schema: schema("tsbad"),
      text_search_config: "klingon",
      pool_size: 1,
    });
    try {
      await first.setup();
      await expect(other.setup()).rejects.toMatchObject({ code: "CONFIG", key: "text_search_config" });
      await same.setup(); // the same configuration, spelt schema-qualified
      await expect(unknown.setup()).rejects.toMatchObject({ code: "CONFIG", key: "text_search_config" });
    } finally {
      await Promise.all([first.close(), other.close(), same.close(), unknown.close()]);
    }
  });

  it("uses an existing schema without needing the CREATE privilege on the database", async (ctx) => {
    const me = await adminPool().query(
      "SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user",
    );
    if (!me.rows[0]?.can) {
      console.warn("[session-postgres] privilege test skipped: the test user may not create roles");
      ctx.skip();
    }
    const name = schema("noprivs");
    const role = `lsm_role_${name.slice(-10)}`;
    const admin = adminPool();
    await admin.query(`CREATE SCHEMA ${pg.escapeIdentifier(name)}`);
    await admin.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD 'pw-${role}'`);
    await admin.query(
      `GRANT USAGE, CREATE ON SCHEMA ${pg.escapeIdentifier(name)} TO ${pg.escapeIdentifier(role)}`,
    );
    const url = new URL(TEST_URL!);
    const store = new PostgresSessionStore({
      host: url.hostname,
      port: Number(url.port),
      database: url.pathname.slice(1),
      user: role,
      password: `pw-${role}`,
      schema: name,
      pool_size: 1,
    });
    try {
      const can = await admin.query("SELECT has_database_privilege($1, $2, 'CREATE') AS can", [
        role,
        url.pathname.slice(1),
      ]);
      expect(can.rows[0].can).toBe(false);
      await store.setup();
      await store.createSession({ sessionId: "x" });
      expect((await store.appendMessages("x", [{ role: "user", content: "hi" }]))[0]!.seq).toBe(1);
    } finally {
      await store.close();
      await dropSchema(name);
      await admin.query(`DROP ROLE ${pg.escapeIdentifier(role)}`);
    }
  });
});
