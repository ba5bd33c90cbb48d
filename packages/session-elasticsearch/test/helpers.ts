import { randomBytes } from "node:crypto";
import { Client } from "@opensearch-project/opensearch";
import type { ElasticsearchSessionStore } from "../src/index.js";

export const OPENSEARCH_ENV = "LANGSWARM_TEST_OPENSEARCH_URL";
export const ELASTICSEARCH_ENV = "LANGSWARM_TEST_ELASTICSEARCH_URL";

/** A fresh index prefix per store, so tests never see each other's data. */
export function uniquePrefix(): string {
  return `lsw-test-${randomBytes(5).toString("hex")}-`;
}

/** Delete every index of a store (by its exact names, never a wildcard). */
export async function dropIndices(store: ElasticsearchSessionStore, url: string): Promise<void> {
  const client = new Client({ node: url });
  try {
    const { sessions, messages, keys } = store.indices;
    await client.indices.delete({ index: [sessions, messages, keys].join(","), ignore_unavailable: true });
  } finally {
    await client.close();
  }
}
