import { resolveService, vectorStoreSuite } from "@langswarm/memory-conformance";
import type { VectorStore } from "@langswarm/memory-core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, it } from "vitest";
import { RedisVectorStore } from "../src/index.js";
import { dropPrefix, REDIS8_ENV, uniquePrefix } from "./helpers.js";

const target = await resolveService({ name: "redis8", envVar: REDIS8_ENV });
const api = { describe, it, beforeAll, afterAll };
const prefixOf = (store: VectorStore) => (store as RedisVectorStore).settings.keyPrefix;

// Vector Sets compare by cosine only: asking for another metric is a ConfigError, which the suite
// checks for every metric the store does not declare.

// 1. The defaults (NOQUANT, M 16, EF 200, VSIM EF 200 unfiltered, FILTER-EF max(topK x 200, 2000), exact fallback)
//    on a connection the store owns; each test store gets its own key prefix.
vectorStoreSuite(
  {
    name: "vector-redis (vectorset)",
    target,
    create: async ({ dimension, metric }) =>
      new RedisVectorStore({
        url: target.url,
        key_prefix: uniquePrefix("c"),
        engine: "vectorset",
        dimension,
        metric,
      }),
    reopen: async (store, { dimension, metric }) =>
      new RedisVectorStore({
        url: target.url,
        key_prefix: prefixOf(store),
        engine: "auto",
        dimension,
        metric,
      }),
    destroy: async (store) => void (await dropPrefix(prefixOf(store), target.url)),
  },
  api,
);

// 2. engine "auto" over a caller-supplied client (RESP3, ioredis 6's default) that no store may close.
let shared: Redis | undefined;
vectorStoreSuite(
  {
    name: "vector-redis (auto, caller client)",
    target,
    setup: async () => {
      shared = new Redis(target.url!, { lazyConnect: true });
      await shared.connect();
    },
    teardown: async () => void (await shared?.quit()),
    create: async ({ dimension, metric }) =>
      new RedisVectorStore({
        client: shared!,
        key_prefix: uniquePrefix("a"),
        dimension,
        metric,
      }),
    destroy: async (store) => {
      if (shared?.status !== "ready") throw new Error("close() of a store ended the caller's client");
      await dropPrefix(prefixOf(store), target.url);
    },
  },
  api,
);

// 3. RediSearch, when a server with the query engine is given (none can run on the build machines;
//    the engine is verified at the command level in redisearch.test.ts). Every metric; the suite's
//    filter fields declared.
const search = await resolveService({
  name: "Redis with RediSearch vectors (Redis Stack, or Redis 8 with the query engine)",
  envVar: "LANGSWARM_TEST_REDISEARCH_URL",
});
if (search.kind === "skip") console.log(`[vector-redis] RediSearch conformance skipped: ${search.reason}`);
for (const algorithm of ["hnsw", "flat"] as const) {
  vectorStoreSuite(
    {
      name: `vector-redis (redisearch ${algorithm})`,
      target: search,
      create: async ({ dimension, metric }) =>
        new RedisVectorStore({
          url: search.url,
          key_prefix: uniquePrefix("s"),
          engine: "redisearch",
          algorithm,
          dimension,
          metric,
          filterable_fields: {
            kind: "tag",
            color: "tag",
            even: "tag",
            tier: "tag",
            maybe: "tag",
            v: "tag",
            n: "numeric",
            score: "numeric",
            bucket: "numeric",
          },
        }),
      destroy: async (store) => {
        await store.drop();
        await dropPrefix(prefixOf(store), search.url);
      },
    },
    api,
  );
}
