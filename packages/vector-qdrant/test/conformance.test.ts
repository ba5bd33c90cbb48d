import { resolveService, vectorStoreSuite } from "@langswarm/memory-conformance";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, it } from "vitest";
import { QdrantVectorStore } from "../src/index.js";
import { EdgeBridge, edgePython } from "./edge-bridge.js";
import { FakeQdrant } from "./fake-qdrant.js";
import { storeOf, uniqueCollection } from "./helpers.js";

const api = { describe, it, beforeAll, afterAll };

// 1. Against the in-process fake of Qdrant's REST API (always runs): proves the adapter's requests,
//    translation and score conversion against Qdrant's documented behaviour as the fake implements it.
const fake = new FakeQdrant();
vectorStoreSuite(
  {
    name: "vector-qdrant (fake REST server)",
    target: { kind: "embedded", detail: "in-process fake of Qdrant's REST API" },
    setup: async () => {
      await fake.start();
    },
    create: async ({ dimension, metric }) =>
      new QdrantVectorStore({
        url: fake.url,
        collection_name: uniqueCollection("c"),
        dimension,
        metric,
        batch_size: 100,
        filterable_fields: { color: "keyword", n: "integer", even: "bool" },
      }),
    reopen: async (store, { dimension, metric }) =>
      new QdrantVectorStore({
        url: fake.url,
        collection_name: storeOf(store).settings.collection,
        dimension,
        metric,
      }),
    destroy: (store) => store.drop(),
    teardown: () => fake.stop(),
    // The fake searches exactly; ANN behaviour is the live server's business.
    minRecall: 1,
  },
  api,
);

// 2. Against Qdrant's own engine: qdrant-edge (Qdrant's segment code, from PyPI) behind a thin REST
//    bridge (test/edge/bridge.py). Filtering, payload indexes, scoring, score_threshold and HNSW
//    search are Qdrant's; only the HTTP routing is the bridge's. HNSW segments are built, so recall
//    is measured on Qdrant's HNSW.
const edge = edgePython();
const bridge = new EdgeBridge();
vectorStoreSuite(
  {
    name: "vector-qdrant (Qdrant engine: qdrant-edge bridge, HNSW)",
    target: edge.python
      ? { kind: "embedded", detail: "qdrant-edge-py 0.9 behind test/edge/bridge.py" }
      : { kind: "skip", reason: edge.reason! },
    setup: async () => {
      await bridge.start(edge.python!, { hnsw: true });
    },
    create: async ({ dimension, metric }) =>
      new QdrantVectorStore({
        url: bridge.url,
        collection_name: uniqueCollection("e"),
        dimension,
        metric,
        filterable_fields: { color: "keyword", n: "integer", even: "bool", bucket: "integer" },
        // The Python bridge is one process answering in turn: on a loaded CI machine one HNSW query or a
        // 500-point upsert took longer than the default timeout, which is a property of the bridge.
        timeout_ms: 120_000,
      }),
    reopen: async (store, { dimension, metric }) =>
      new QdrantVectorStore({
        timeout_ms: 120_000,
        url: bridge.url,
        collection_name: storeOf(store).settings.collection,
        dimension,
        metric,
      }),
    destroy: (store) => store.drop(),
    teardown: () => bridge.stop(),
  },
  api,
);

// 3. Against a real Qdrant when QDRANT_URL (or LANGSWARM_TEST_QDRANT_URL) names one, through a
//    caller-supplied client that no store may close. Skipped, with the reason printed, otherwise.
if (!process.env.LANGSWARM_TEST_QDRANT_URL && process.env.QDRANT_URL)
  process.env.LANGSWARM_TEST_QDRANT_URL = process.env.QDRANT_URL;
const resolved = await resolveService({ name: "qdrant", envVar: "LANGSWARM_TEST_QDRANT_URL" });
const target: typeof resolved =
  resolved.kind === "skip"
    ? {
        kind: "skip",
        reason:
          "no Qdrant server: set QDRANT_URL (or LANGSWARM_TEST_QDRANT_URL), plus QDRANT_API_KEY if it needs one",
      }
    : resolved;
let shared: QdrantClient | undefined;
vectorStoreSuite(
  {
    name: "vector-qdrant (live server, caller client)",
    target,
    setup: async () => {
      shared = new QdrantClient({
        url: target.url!,
        ...(process.env.QDRANT_API_KEY ? { apiKey: process.env.QDRANT_API_KEY } : {}),
        checkCompatibility: false,
      });
    },
    create: async ({ dimension, metric }) =>
      new QdrantVectorStore({
        client: shared!,
        collection_name: uniqueCollection("live"),
        dimension,
        metric,
        filterable_fields: { color: "keyword", n: "integer", even: "bool", bucket: "integer" },
      }),
    reopen: async (store, { dimension, metric }) =>
      new QdrantVectorStore({
        client: shared!,
        collection_name: storeOf(store).settings.collection,
        dimension,
        metric,
      }),
    destroy: (store) => store.drop(),
    teardown: async () => {
      // Every store was closed by now: the caller's client must still answer.
      await shared!.getCollections();
    },
  },
  api,
);
