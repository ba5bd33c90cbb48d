import { once } from "node:events";
import { createServer } from "node:net";
import { ConfigError, DimensionMismatchError } from "@langswarm/memory-core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { extensionError } from "../src/errors.js";
import { LAYOUT_VERSION, PgVectorStore } from "../src/index.js";
import {
  adminPool,
  closeAdmin,
  disposeStore,
  dropSchema,
  freshStore,
  SKIP_REASON,
  TEST_URL,
  uniqueSchema,
} from "./helpers.js";

if (!TEST_URL) console.warn(`[vector-pgvector] setup tests skipped: ${SKIP_REASON}`);
const server = TEST_URL ? describe : describe.skip;

server(`setup() against PostgreSQL + pgvector${TEST_URL ? "" : ` (skipped: ${SKIP_REASON})`}`, () => {
  afterAll(closeAdmin);

  it("is versioned and idempotent: the first call creates, later calls only check", async () => {
    const store = await freshStore();
    try {
      expect(store.setupResult).toMatchObject({
        created: true,
        layoutVersion: LAYOUT_VERSION,
        embeddingIndexBuilt: true,
      });
      expect(store.setupResult!.pgvectorVersion).toMatch(/^0\.8\./);
      await store.setup();
      expect(store.setupResult).toMatchObject({ created: false, migrated: [] });
      const meta = await adminPool().query(
        `SELECT dimension, metric, index_type, halfvec, layout_version, index_options FROM ${pg.escapeIdentifier(store.settings.schema)}.langswarm_vector_tables`,
      );
      expect(meta.rows).toEqual([
        {
          dimension: 8,
          metric: "cosine",
          index_type: "hnsw",
          halfvec: false,
          layout_version: LAYOUT_VERSION,
          index_options: { m: 16, ef_construction: 64 },
        },
      ]);
      const indexes = await adminPool().query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname",
        [store.settings.schema],
      );
      const defs = indexes.rows.map((r) => r.indexdef as string);
      expect(
        defs.some((d) =>
          /USING hnsw \(embedding vector_cosine_ops\) WITH \(m='?16'?, ef_construction='?64'?\)/.test(d),
        ),
      ).toBe(true);
      expect(defs.some((d) => /USING gin \(metadata jsonb_path_ops\)/.test(d))).toBe(true);
    } finally {
      await disposeStore(store);
    }
  });

  it("is race-safe: six stores setting up one table at once all succeed, with one table and one record", async () => {
    const schema = uniqueSchema("race");
    const stores = Array.from(
      { length: 6 },
      () => new PgVectorStore({ url: TEST_URL, schema, table_name: "shared", dimension: 8, pool_size: 1 }),
    );
    try {
      await Promise.all(stores.map((s) => s.setup()));
      expect(stores.filter((s) => s.setupResult!.created)).toHaveLength(1);
      const meta = await adminPool().query(
        `SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(schema)}.langswarm_vector_tables`,
      );
      expect(meta.rows[0].n).toBe(1);
      await stores[0]!.upsert([{ id: "a", vector: [1, 0, 0, 0, 0, 0, 0, 0] }]);
      expect(await stores[5]!.count()).toBe(1);
    } finally {
      await dropSchema(schema);
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("refuses an existing table with another dimension, metric, index type or precision, naming both sides", async () => {
    const store = await freshStore({ table_name: "docs" });
    const reopen = (settings: Record<string, unknown>) =>
      new PgVectorStore({
        url: TEST_URL,
        schema: store.settings.schema,
        table_name: "docs",
        pool_size: 1,
        dimension: 8,
        ...settings,
      });
    const attempt = async (settings: Record<string, unknown>) => {
      const other = reopen(settings);
      try {
        await other.setup();
        throw new Error("setup() accepted a mismatching table");
      } catch (error) {
        return error as Error;
      } finally {
        await other.close();
      }
    };
    try {
      const dim = await attempt({ dimension: 16 });
      expect(dim).toBeInstanceOf(DimensionMismatchError);
      expect(dim).toMatchObject({ expected: 8, actual: 16 });
      const metric = await attempt({ metric: "euclidean" });
      expect(metric).toBeInstanceOf(ConfigError);
      expect(metric.message).toMatch(/"cosine".*"euclidean"/);
      expect(await attempt({ index_type: "ivfflat" })).toMatchObject({ key: "index_type" });
      expect(await attempt({ halfvec: true })).toMatchObject({ key: "halfvec" });
    } finally {
      await disposeStore(store);
    }
  });

  it("will not adopt a table of that name that it did not create", async () => {
    const schema = uniqueSchema("foreign");
    await adminPool().query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.langswarm_vectors (id int)`);
    const store = new PgVectorStore({ url: TEST_URL, schema, dimension: 8, pool_size: 1 });
    try {
      await expect(store.setup()).rejects.toMatchObject({ code: "CONFIG", key: "table_name" });
      const cols = await adminPool().query(
        "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1",
        [schema],
      );
      expect(cols.rows[0].n).toBe(1);
    } finally {
      await dropSchema(schema);
      await store.close();
    }
  });

  it("drop() removes table and record; calls then fail with NotFoundError until setup() runs again", async () => {
    const store = await freshStore();
    try {
      await store.upsert([{ id: "a", vector: [1, 0, 0, 0, 0, 0, 0, 0] }]);
      await store.drop();
      await expect(store.count()).rejects.toMatchObject({
        code: "NOT_FOUND",
        message: expect.stringContaining("setup()"),
      });
      await store.drop(); // idempotent
      await store.setup();
      expect(store.setupResult!.created).toBe(true);
      expect(await store.count()).toBe(0);
    } finally {
      await disposeStore(store);
    }
  });

  it("a user who may not create the extension gets a ConfigError with the statement to ask for", async () => {
    const su = await adminPool().query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
    if (su.rows[0]?.rolsuper !== true) {
      console.warn(
        "[vector-pgvector] extension-permission test skipped: the test user is not a superuser (cannot create a role and a database)",
      );
      return;
    }
    const suffix = uniqueSchema("").slice(5);
    const database = `lsv_noext_${suffix}`;
    const role = `lsv_limited_${suffix}`;
    const password = `pw-${suffix}-secret`;
    await adminPool().query(`CREATE DATABASE ${database}`);
    await adminPool().query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    const url = new URL(TEST_URL!);
    url.username = role;
    url.password = password;
    url.pathname = `/${database}`;
    const store = new PgVectorStore({ url: url.toString(), schema: "public", dimension: 8, pool_size: 1 });
    try {
      const error = await store.setup().then(
        () => null,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect(error!.message).toContain("CREATE EXTENSION IF NOT EXISTS vector");
      expect(error!.message).toContain(database);
      expect(error!.message).not.toContain(password);
    } finally {
      await store.close();
      await adminPool().query(`DROP DATABASE ${database} WITH (FORCE)`);
      await adminPool().query(`DROP ROLE ${role}`);
    }
  });

  it("an unreachable server is BackendUnavailableError, without the password", async () => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as { port: number }).port;
    probe.close();
    await once(probe, "close");
    const store = new PgVectorStore({
      url: `postgres://u:Very-Secret-1@127.0.0.1:${port}/db`,
      dimension: 8,
      max_retries: 0,
    });
    try {
      const error = await store.setup().then(
        () => null,
        (e: Error) => e,
      );
      expect(error).toMatchObject({ code: "BACKEND_UNAVAILABLE", backend: "pgvector" });
      expect(error!.message).toContain(`127.0.0.1:${port}/db`);
      expect(error!.message).not.toContain("Very-Secret-1");
    } finally {
      await store.close();
    }
  });
});

describe("extension errors", () => {
  it("a server without pgvector (PostgreSQL 15 and 16+ wording) gets install instructions", () => {
    const ctx = { operation: "setup", target: "db:5432/app", scrub: (t: string) => t, database: "app" };
    const pg15 = Object.assign(
      new Error(
        'could not open extension control file "/usr/share/postgresql/15/extension/vector.control": No such file or directory',
      ),
      { code: "58P01" },
    );
    const pg16 = Object.assign(new Error('extension "vector" is not available'), { code: "0A000" });
    for (const raw of [pg15, pg16]) {
      const mapped = extensionError(raw, ctx);
      expect(mapped).toBeInstanceOf(ConfigError);
      expect(mapped.message).toMatch(/not installed on the PostgreSQL server at db:5432\/app/);
      expect(mapped.message).toContain("pgvector");
    }
  });
});
