import type { SessionStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND, optionsFromSettings, settingsSchema } from "./settings.js";
import { MONGODB_SESSION_CAPABILITIES, MongoSessionStore } from "./store.js";

/** `backend: "mongodb"` (alias `"mongo"`) in a LangSwarm memory config. */
export const descriptor: SessionStoreDescriptor = {
  kind: "session",
  name: BACKEND,
  aliases: ["mongo"],
  packageName: "@langswarm/session-mongodb",
  description:
    "MongoDB (or FerretDB) session store: gap-free seq, atomic idempotent batches without transactions.",
  capabilities: MONGODB_SESSION_CAPABILITIES,
  settingsSchema,
  create: (settings) => new MongoSessionStore(optionsFromSettings(settings)),
};
