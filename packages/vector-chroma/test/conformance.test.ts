import { resolveService, vectorStoreSuite } from "@langswarm/memory-conformance";
import type { VectorStore } from "@langswarm/memory-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { ChromaVectorStore } from "../src/index.js";
import { adminClient, dropCollection, uniqueCollection } from "./helpers.js";

const target = await resolveService({ name: "chroma", envVar: "LANGSWARM_TEST_CHROMA_URL" });
const api = { describe, it, beforeAll, afterAll };
const collectionOf = (store: VectorStore) => (store as ChromaVectorStore).settings.collection;

// 1. Settings: the store makes its own client from the URL; each test store gets its own collection,
//    deleted in destroy.
vectorStoreSuite(
  {
    name: "vector-chroma (url)",
    target,
    create: async ({ dimension, metric }) =>
      new ChromaVectorStore({ url: target.url, collection_name: uniqueCollection("c"), dimension, metric }),
    reopen: async (store, { dimension, metric }) =>
      new ChromaVectorStore({ url: target.url, collection_name: collectionOf(store), dimension, metric }),
    destroy: (store) => dropCollection(collectionOf(store)),
  },
  api,
);

// 2. A caller-supplied ChromaClient, which no store may close, and small upsert batches (so the
//    recall test's 500-record upserts span several requests).
vectorStoreSuite(
  {
    name: "vector-chroma (caller client, batch 64)",
    target,
    create: async ({ dimension, metric }) =>
      new ChromaVectorStore({
        client: adminClient(),
        collection_name: uniqueCollection("p"),
        upsert_batch_size: 64,
        dimension,
        metric,
      }),
    destroy: (store) => dropCollection(collectionOf(store)),
    teardown: async () => {
      // Every store was closed by now: the caller's client must still answer.
      await adminClient().heartbeat();
    },
  },
  api,
);
