import { resolveService, sessionStoreSuite } from "@langswarm/memory-conformance";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, it } from "vitest";
import { RedisSessionStore } from "../src/index.js";
import { dropPrefix, REDIS_ENV, uniquePrefix } from "./helpers.js";

const target = await resolveService({ name: "redis", envVar: REDIS_ENV });
const api = { describe, it, beforeAll, afterAll };
if (target.kind === "skip") console.log(`[session-redis] conformance suite skipped: ${target.reason}`);

// 1. The adapter owns its connection (what `backend: "redis"` with a url does).
sessionStoreSuite(
  {
    name: "session-redis",
    target,
    create: async () => new RedisSessionStore({ url: target.url, keyPrefix: uniquePrefix() }),
    reopen: async (store) =>
      new RedisSessionStore({ url: target.url, keyPrefix: (store as RedisSessionStore).keyPrefix }),
    destroy: async (store) => void (await dropPrefix((store as RedisSessionStore).keyPrefix, target.url)),
  },
  api,
);

// 2. A caller-supplied ioredis client: the store must work through it and leave it open.
let shared: Redis | undefined;
sessionStoreSuite(
  {
    name: "session-redis (caller client)",
    target,
    setup: async () => {
      shared = new Redis(target.url!, { lazyConnect: true });
      await shared.connect();
    },
    teardown: async () => void (await shared?.quit()),
    create: async () => new RedisSessionStore({ client: shared!, keyPrefix: uniquePrefix() }),
    reopen: async (store) =>
      new RedisSessionStore({ url: target.url, keyPrefix: (store as RedisSessionStore).keyPrefix }),
    destroy: async (store) => {
      if (shared?.status !== "ready") throw new Error("close() of another store ended the caller's client");
      await dropPrefix((store as RedisSessionStore).keyPrefix, target.url);
    },
    modelRuns: 10,
  },
  api,
);
