import { resolveService, sessionStoreSuite } from "@langswarm/memory-conformance";
import { Client } from "@opensearch-project/opensearch";
import { afterAll, beforeAll, describe, it } from "vitest";
import { ElasticsearchSessionStore } from "../src/index.js";
import { dropIndices, ELASTICSEARCH_ENV, OPENSEARCH_ENV, uniquePrefix } from "./helpers.js";

const api = { describe, it, beforeAll, afterAll };
const opensearch = await resolveService({ name: "opensearch", envVar: OPENSEARCH_ENV });
if (opensearch.kind === "skip")
  console.log(`[session-elasticsearch] OpenSearch suite skipped: ${opensearch.reason}`);

// 1. OpenSearch, the adapter owns its client; flavor detected from GET /.
sessionStoreSuite(
  {
    name: "session-elasticsearch (opensearch)",
    target: opensearch,
    create: async () => new ElasticsearchSessionStore({ node: opensearch.url!, indexPrefix: uniquePrefix() }),
    reopen: async (store) =>
      new ElasticsearchSessionStore({
        node: opensearch.url!,
        flavor: "opensearch",
        indexPrefix: (store as ElasticsearchSessionStore).indexPrefix,
      }),
    destroy: (store) => dropIndices(store as ElasticsearchSessionStore, opensearch.url!),
  },
  api,
);

// 2. A caller-supplied OpenSearch client: used as is and left open by close().
let shared: Client | undefined;
sessionStoreSuite(
  {
    name: "session-elasticsearch (opensearch, caller client)",
    target: opensearch,
    setup: async () => {
      shared = new Client({ node: opensearch.url! });
    },
    teardown: async () => void (await shared?.close()),
    create: async () => new ElasticsearchSessionStore({ client: shared!, indexPrefix: uniquePrefix() }),
    destroy: async (store) => {
      await shared!.ping(); // throws if close() of a store ended the caller's client
      await dropIndices(store as ElasticsearchSessionStore, opensearch.url!);
    },
    modelRuns: 5,
  },
  api,
);

// 3. Elasticsearch itself: no server can run on this machine; runs wherever the variable is set.
const elastic = await resolveService({ name: "elasticsearch", envVar: ELASTICSEARCH_ENV });
if (elastic.kind === "skip")
  console.log(`[session-elasticsearch] Elasticsearch suite skipped: ${elastic.reason}`);
sessionStoreSuite(
  {
    name: "session-elasticsearch (elasticsearch)",
    target: elastic,
    create: async () =>
      new ElasticsearchSessionStore({
        node: elastic.url!,
        flavor: "elasticsearch",
        indexPrefix: uniquePrefix(),
      }),
    reopen: async (store) =>
      new ElasticsearchSessionStore({
        node: elastic.url!,
        flavor: "elasticsearch",
        indexPrefix: (store as ElasticsearchSessionStore).indexPrefix,
      }),
    destroy: async (store) => {
      const { Client: ElasticClient } = await import("@elastic/elasticsearch");
      const client = new ElasticClient({ node: elastic.url! });
      const { sessions, messages, keys } = (store as ElasticsearchSessionStore).indices;
      await client.indices.delete({ index: [sessions, messages, keys], ignore_unavailable: true });
      await client.close();
    },
  },
  api,
);
