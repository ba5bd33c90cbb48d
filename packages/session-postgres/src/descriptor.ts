import type { SessionStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND } from "./errors.js";
import { settingsSchema } from "./settings.js";
import { POSTGRES_SESSION_CAPABILITIES, PostgresSessionStore } from "./store.js";

/** `backend: "postgres"` (also "postgresql", LangSwarm's spelling). */
export const descriptor: SessionStoreDescriptor = {
  kind: "session",
  name: BACKEND,
  aliases: ["postgresql"],
  packageName: "@langswarm/session-postgres",
  description:
    "PostgreSQL session store: race-free per-session seq, JSONB metadata, full-text search over history.",
  capabilities: POSTGRES_SESSION_CAPABILITIES,
  settingsSchema,
  create: (settings) => new PostgresSessionStore(settings),
};
