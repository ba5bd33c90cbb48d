import { resolveService, vectorStoreSuite } from "@langswarm/memory-conformance";
import type { VectorStore } from "@langswarm/memory-core";
import pg from "pg";
import { afterAll, beforeAll, describe, it } from "vitest";
import { PgVectorStore } from "../src/index.js";
import { closeAdmin, dropSchema, uniqueSchema } from "./helpers.js";

const target = await resolveService({ name: "postgres", envVar: "LANGSWARM_TEST_POSTGRES_URL" });
const api = { describe, it, beforeAll, afterAll };
const settingsOf = (store: VectorStore) => (store as PgVectorStore).settings;

// 1. The defaults: HNSW (m 16, ef_construction 64, ef_search 40), iterative scans, a pool the store
//    owns; each test store gets its own schema, dropped in destroy.
vectorStoreSuite(
  {
    name: "vector-pgvector (hnsw, defaults)",
    target,
    create: async ({ dimension, metric }) =>
      new PgVectorStore({ url: target.url, schema: uniqueSchema("c"), pool_size: 4, dimension, metric }),
    reopen: async (store, { dimension, metric }) =>
      new PgVectorStore({
        url: target.url,
        schema: settingsOf(store).schema,
        table_name: settingsOf(store).table,
        pool_size: 2,
        dimension,
        metric,
      }),
    destroy: (store) => dropSchema(settingsOf(store).schema),
    teardown: closeAdmin,
  },
  api,
);

// 2. Exact scans (index_type "none", so the store reports exact: true and the suite wants recall 1)
//    over a caller-supplied pool that no store may end.
let shared: pg.Pool | undefined;
vectorStoreSuite(
  {
    name: "vector-pgvector (exact, caller pool)",
    target,
    setup: async () => {
      shared = new pg.Pool({ connectionString: target.url, max: 6 });
    },
    create: async ({ dimension, metric }) =>
      new PgVectorStore({
        pool: shared!,
        schema: uniqueSchema("p"),
        table_name: "memories",
        index_type: "none",
        dimension,
        metric,
      }),
    reopen: async (store, { dimension, metric }) =>
      new PgVectorStore({
        pool: shared!,
        schema: settingsOf(store).schema,
        table_name: "memories",
        index_type: "none",
        dimension,
        metric,
      }),
    destroy: (store) => dropSchema(settingsOf(store).schema),
    teardown: async () => {
      // Every store was closed by now: the caller's pool must still answer.
      await shared!.query("SELECT 1");
      await shared!.end();
      await closeAdmin();
    },
  },
  api,
);
