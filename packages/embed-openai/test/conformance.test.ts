import { embeddingSuite } from "@langswarm/memory-conformance";
import { afterAll, beforeAll, describe, it } from "vitest";
import { createOpenAIEmbeddings } from "../src/index.js";
import { type FakeOpenAI, startFakeOpenAI } from "./support/fake-openai.js";

// The shared suite against a local OpenAI-compatible server (deterministic vectors from a hash of the
// text). Three configurations, each a full run: a known model with base64 answers; an unknown model
// whose dimension is probed, answered as floats in reverse order; small batches that force one
// embed() call into many concurrent requests.
let server: FakeOpenAI;
const api = { describe, it, beforeAll, afterAll };
const start = async () => {
  server = await startFakeOpenAI({ apiKey: "sk-test-conformance" });
};
const stop = () => server.close();

embeddingSuite(
  {
    name: "embed-openai (known model, base64)",
    target: { kind: "embedded", detail: "local OpenAI-compatible HTTP server" },
    setup: start,
    teardown: stop,
    deterministic: true,
    create: () => createOpenAIEmbeddings({ base_url: server.baseURL, api_key: "sk-test-conformance" }),
  },
  api,
);

let floats: FakeOpenAI;
embeddingSuite(
  {
    name: "embed-openai (probed model, float, reordered)",
    target: { kind: "embedded", detail: "local OpenAI-compatible HTTP server" },
    setup: async () => {
      floats = await startFakeOpenAI({ alwaysFloat: true, reverse: true });
    },
    teardown: () => floats.close(),
    deterministic: true,
    create: () =>
      createOpenAIEmbeddings({
        base_url: floats.baseURL,
        model: "nomic-embed-text",
        encoding_format: "float",
      }),
  },
  api,
);

let small: FakeOpenAI;
embeddingSuite(
  {
    name: "embed-openai (batch_size 7, concurrency 3)",
    target: { kind: "embedded", detail: "local OpenAI-compatible HTTP server" },
    setup: async () => {
      small = await startFakeOpenAI({ maxInputs: 7 });
    },
    teardown: () => small.close(),
    deterministic: true,
    create: () =>
      createOpenAIEmbeddings({
        base_url: small.baseURL,
        model: "text-embedding-3-large",
        dimensions: 256,
        batch_size: 7,
        max_concurrency: 3,
      }),
  },
  api,
);
