import type { SessionStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND, settingsSchema } from "./settings.js";
import { SQLITE_SESSION_CAPABILITIES, SqliteSessionStore } from "./store.js";

export const sqliteSessionDescriptor: SessionStoreDescriptor = {
  kind: "session",
  name: BACKEND,
  aliases: ["local"],
  packageName: "@langswarm/session-sqlite",
  description:
    "Sessions in one SQLite file (better-sqlite3, WAL): zero setup, safe across processes on one machine.",
  capabilities: SQLITE_SESSION_CAPABILITIES,
  settingsSchema,
  create: (settings) => new SqliteSessionStore(settings),
};
