import { vectorStoreSuite } from "@langswarm/memory-conformance";
import type { VectorStore } from "@langswarm/memory-core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type SqliteVectorSettings, SqliteVectorStore } from "../src/index.js";
import { tempDir } from "./support/tmp.js";

// Full runs of the shared suite: each engine on a file the store opens — sqlite-vec ("auto": it serves
// cosine and euclidean; dot, which vec0 lacks, runs on the JS scan) and the JS scan alone — and
// "auto" on an in-memory connection the caller owns. test/engines.test.ts checks which engine ran.
const tmp = tempDir("vector-sqlite-conformance");
afterAll(() => tmp.cleanup());
const api = { describe, it, beforeAll, afterAll };
let counter = 0;
const settingsOf = new Map<VectorStore, SqliteVectorSettings>();

function fileRun(name: string, detail: string, extra: SqliteVectorSettings): void {
  vectorStoreSuite(
    {
      name,
      target: { kind: "embedded", detail },
      create: async ({ dimension, metric }) => {
        const settings = { path: tmp.file(`v${counter++}.db`), dimension, metric, ...extra };
        const store = new SqliteVectorStore(settings);
        settingsOf.set(store, settings);
        return store;
      },
      reopen: async (store, { dimension, metric }) =>
        new SqliteVectorStore({ ...settingsOf.get(store)!, dimension, metric }),
    },
    api,
  );
}

fileRun("vector-sqlite (sqlite-vec)", "better-sqlite3 file + sqlite-vec", { use_sqlite_vec: "auto" });
fileRun("vector-sqlite (JS scan)", "better-sqlite3 file, use_sqlite_vec: false", { use_sqlite_vec: false });

const callerDatabases = new Map<VectorStore, Database.Database>();
vectorStoreSuite(
  {
    name: "vector-sqlite (caller's :memory: database)",
    target: { kind: "embedded", detail: "caller-owned in-memory connection" },
    create: async ({ dimension, metric }) => {
      const db = new Database(":memory:");
      const store = new SqliteVectorStore({ database: db, dimension, metric, table_name: "app_embeddings" });
      callerDatabases.set(store, db);
      return store;
    },
    destroy: async (store) => {
      callerDatabases.get(store)?.close();
      callerDatabases.delete(store);
    },
  },
  api,
);
