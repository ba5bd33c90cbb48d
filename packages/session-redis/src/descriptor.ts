import type { SessionStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND, optionsFromSettings, settingsSchema } from "./settings.js";
import { REDIS_SESSION_CAPABILITIES, RedisSessionStore } from "./store.js";

/** The adapter descriptor: `backend: "redis"` in a LangSwarm config. */
export const descriptor: SessionStoreDescriptor = {
  kind: "session",
  name: BACKEND,
  packageName: "@langswarm/session-redis",
  description: "Redis session store: atomic Lua appends, native TTL, cross-process listing.",
  capabilities: REDIS_SESSION_CAPABILITIES,
  settingsSchema,
  create: (settings) => new RedisSessionStore(optionsFromSettings(settings)),
};
