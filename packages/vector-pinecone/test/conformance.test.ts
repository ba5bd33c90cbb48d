import { vectorStoreSuite } from "@langswarm/memory-conformance";
import { afterAll, beforeAll, describe, it } from "vitest";
import { PineconeVectorStore } from "../src/index.js";
import { FakePinecone } from "./fake-pinecone.js";

const api = { describe, it, beforeAll, afterAll };
let n = 0;
const unique = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}-${n++}`;

// 1. Through the real SDK against the in-process fake of Pinecone's REST API (always runs).
const fake = new FakePinecone();
vectorStoreSuite(
  {
    name: "vector-pinecone (fake REST server, real SDK)",
    target: { kind: "embedded", detail: "in-process fake of Pinecone's control and data plane" },
    setup: () => fake.start(),
    create: async ({ dimension, metric }) =>
      new PineconeVectorStore({
        api_key: "test-key",
        controller_host_url: fake.url,
        index_name: unique("c"),
        namespace: "ns1",
        dimension,
        metric,
        max_retries: 0,
      }),
    reopen: async (store, { dimension, metric }) =>
      new PineconeVectorStore({
        api_key: "test-key",
        controller_host_url: fake.url,
        index_name: (store as PineconeVectorStore).settings.indexName,
        namespace: "ns1",
        dimension,
        metric,
      }),
    destroy: (store) => store.drop(),
    teardown: () => fake.stop(),
    minRecall: 1,
  },
  api,
);

// 2. Live Pinecone when PINECONE_API_KEY and LANGSWARM_TEST_PINECONE_INDEX are set; skipped otherwise.
const liveKey = process.env.PINECONE_API_KEY;
const liveIndex = process.env.LANGSWARM_TEST_PINECONE_INDEX;
vectorStoreSuite(
  {
    name: "vector-pinecone (live Pinecone)",
    target:
      liveKey && liveIndex
        ? { kind: "env", url: "https://api.pinecone.io", variable: "PINECONE_API_KEY" }
        : {
            kind: "skip",
            reason: "no live Pinecone: set PINECONE_API_KEY and LANGSWARM_TEST_PINECONE_INDEX",
          },
    create: async ({ dimension, metric }) =>
      new PineconeVectorStore({ index_name: liveIndex!, namespace: unique("ls"), dimension, metric }),
    destroy: (store) => store.drop(),
  },
  api,
);
