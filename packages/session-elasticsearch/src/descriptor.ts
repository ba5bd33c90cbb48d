import type { SessionStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND, optionsFromSettings, settingsSchema } from "./settings.js";
import { ELASTICSEARCH_SESSION_CAPABILITIES, ElasticsearchSessionStore } from "./store.js";

/**
 * The adapter descriptor: `backend: "elasticsearch"` in a LangSwarm config; core also maps
 * `backend: "opensearch"` here. `create(settings)` does not learn which name the config used, so
 * without `flavor` the server is asked (GET /, `version.distribution`).
 */
export const descriptor: SessionStoreDescriptor = {
  kind: "session",
  name: BACKEND,
  packageName: "@langswarm/session-elasticsearch",
  description:
    "Elasticsearch / OpenSearch session store: gap-free seq, idempotent appends, full-text search.",
  capabilities: ELASTICSEARCH_SESSION_CAPABILITIES,
  settingsSchema,
  create: (settings) => new ElasticsearchSessionStore(optionsFromSettings(settings)),
};
