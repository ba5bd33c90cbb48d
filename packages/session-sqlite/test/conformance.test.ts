import { sessionStoreSuite } from "@langswarm/memory-conformance";
import type { SessionStore } from "@langswarm/memory-core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, it } from "vitest";
import { SqliteSessionStore } from "../src/index.js";
import { tempDir } from "./support/tmp.js";

// Three full runs, as users configure it: a file the store opens itself (the default), a connection
// the caller owns with a custom table prefix, and a private in-memory database.
const tmp = tempDir("session-sqlite-conformance");
afterAll(() => tmp.cleanup());
const api = { describe, it, beforeAll, afterAll };
let counter = 0;

sessionStoreSuite(
  {
    name: "session-sqlite",
    target: { kind: "embedded", detail: "better-sqlite3 file, WAL" },
    create: async () => new SqliteSessionStore({ path: tmp.file(`conf-${counter++}.db`) }),
    // Another connection to the same file: listing and appends must work across connections.
    reopen: async (store) => new SqliteSessionStore({ path: (store as SqliteSessionStore).database.name }),
  },
  api,
);

const callerDatabases = new Map<SessionStore, Database.Database>();
sessionStoreSuite(
  {
    name: "session-sqlite (caller's database, table_prefix)",
    target: { kind: "embedded", detail: "caller-owned better-sqlite3 connection" },
    create: async () => {
      const db = new Database(tmp.file(`caller-${counter++}.db`));
      db.pragma("journal_mode = WAL");
      const store = new SqliteSessionStore({ database: db, table_prefix: "app_memory_" });
      callerDatabases.set(store, db);
      return store;
    },
    reopen: async (store) =>
      new SqliteSessionStore({
        path: (store as SqliteSessionStore).database.name,
        table_prefix: "app_memory_",
      }),
    destroy: async (store) => {
      // The caller owns the connection and closes it; the store's close() never does.
      callerDatabases.get(store)?.close();
      callerDatabases.delete(store);
    },
  },
  api,
);

sessionStoreSuite(
  {
    name: "session-sqlite (:memory:)",
    target: { kind: "embedded", detail: "private in-memory database" },
    create: async () => new SqliteSessionStore({ path: ":memory:" }),
  },
  api,
);
