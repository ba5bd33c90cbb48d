import { resolveService, sessionStoreSuite } from "@langswarm/memory-conformance";
import type { SessionStore } from "@langswarm/memory-core";
import pg from "pg";
import { afterAll, beforeAll, describe, it } from "vitest";
import { PostgresSessionStore } from "../src/index.js";
import { closeAdmin, dropSchema, uniqueSchema } from "./helpers.js";

const target = await resolveService({ name: "postgres", envVar: "LANGSWARM_TEST_POSTGRES_URL" });
const api = { describe, it, beforeAll, afterAll };
const schemaOf = (store: SessionStore) => (store as PostgresSessionStore).names.raw.schema;

// 1. The default: the store owns its pool; each test store gets its own schema.
sessionStoreSuite(
  {
    name: "session-postgres",
    target,
    create: async () =>
      new PostgresSessionStore({ url: target.url, schema: uniqueSchema("c"), pool_size: 8 }),
    // Another "process": a second store with its own pool over the same tables.
    reopen: async (store) => {
      const s = store as PostgresSessionStore;
      const other = new PostgresSessionStore({ url: target.url, schema: s.names.raw.schema, pool_size: 8 });
      await other.setup();
      return other;
    },
    destroy: (store) => dropSchema(schemaOf(store)),
    teardown: closeAdmin,
  },
  api,
);

// 2. A caller-supplied pool (which the stores must never end), another table prefix, and no
//    prepared statements (the PgBouncer-compatible mode).
let shared: pg.Pool | undefined;
sessionStoreSuite(
  {
    name: "session-postgres (caller pool, prefix, unprepared)",
    target,
    setup: async () => {
      shared = new pg.Pool({ connectionString: target.url, max: 12 });
    },
    create: async () =>
      new PostgresSessionStore({
        pool: shared!,
        schema: uniqueSchema("p"),
        table_prefix: "chat_",
        prepared_statements: false,
      }),
    reopen: async (store) => {
      const s = store as PostgresSessionStore;
      return new PostgresSessionStore({
        pool: shared!,
        schema: s.names.raw.schema,
        table_prefix: "chat_",
        prepared_statements: false,
      });
    },
    destroy: (store) => dropSchema(schemaOf(store)),
    teardown: async () => {
      // Every store was closed by now: the pool must still answer.
      await shared!.query("SELECT 1");
      await shared!.end();
      await closeAdmin();
    },
    modelRuns: 10,
  },
  api,
);
