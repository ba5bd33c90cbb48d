import { createMemoryManager } from "@langswarm/memory-core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import "../src/index.js";
import { adminPool, closeAdmin, dropSchema, SKIP_REASON, TEST_URL, uniqueSchema } from "./helpers.js";

if (!TEST_URL) console.warn(`[vector-pgvector] manager test skipped: ${SKIP_REASON}`);
const server = TEST_URL ? describe : describe.skip;

server(`a LangSwarm config with store_type "postgres"${TEST_URL ? "" : ` (skipped: ${SKIP_REASON})`}`, () => {
  afterAll(closeAdmin);

  it("indexes messages in pgvector with the provider's dimension and recalls them by session and user", async () => {
    const schema = uniqueSchema("mgr");
    try {
      await using m = await createMemoryManager({
        backend: "vector",
        settings: {
          enable_semantic_search: true,
          embedding: { provider: "hash", dimension: 64 },
          vector_store: {
            store_type: "postgres",
            connection_params: { connection_string: TEST_URL, schema, table_name: "agent_memory" },
          },
        },
      });
      await m.createSession({ sessionId: "trip", userId: "ana" });
      await m.createSession({ sessionId: "work", userId: "ana" });
      await m.addMessages("trip", [
        { role: "user", content: "I am planning a hiking trip to the Dolomites in July" },
        { role: "assistant", content: "Great, the Alta Via 1 is a classic hiking route" },
      ]);
      await m.addMessage("work", { role: "user", content: "Our quarterly revenue report is due Friday" });
      await m.flush();
      const inTrip = await m.recall("hiking in the Dolomites", { sessionId: "trip", topK: 5 });
      expect(inTrip.map((r) => r.sessionId)).toEqual(["trip", "trip"]);
      expect(inTrip[0]!.content).toContain("Dolomites");
      const forAna = await m.recall("revenue report", { userId: "ana", topK: 1 });
      expect(forAna[0]!.sessionId).toBe("work");
      const meta = await adminPool().query(
        `SELECT table_name, dimension, metric FROM ${pg.escapeIdentifier(schema)}.langswarm_vector_tables`,
      );
      expect(meta.rows).toEqual([{ table_name: "agent_memory", dimension: 64, metric: "cosine" }]);
    } finally {
      await dropSchema(schema);
    }
  });
});
