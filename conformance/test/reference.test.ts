import { HashEmbeddingProvider, InMemorySessionStore, InMemoryVectorStore } from "@langswarm/memory-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { embeddingSuite, sessionStoreSuite, vectorStoreSuite } from "../src/index.js";

// The reference implementations in core must pass the suites they define the semantics for.
sessionStoreSuite(
  {
    name: "session-memory (reference)",
    target: { kind: "embedded" },
    create: async () => new InMemorySessionStore(),
  },
  { describe, it, beforeAll, afterAll },
);

vectorStoreSuite(
  {
    name: "vector-memory (reference)",
    target: { kind: "embedded" },
    create: async ({ dimension, metric }) => new InMemoryVectorStore({ dimension, metric }),
  },
  { describe, it, beforeAll, afterAll },
);

embeddingSuite(
  {
    name: "embed-hash",
    target: { kind: "embedded" },
    create: async () => new HashEmbeddingProvider(),
    deterministic: true,
  },
  { describe, it, beforeAll, afterAll },
);
