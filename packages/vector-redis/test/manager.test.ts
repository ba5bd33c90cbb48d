import { createMemoryManager } from "@langswarm/memory-core";
import { afterAll, describe, expect, it } from "vitest";
import "../src/index.js";
import { dropPrefix, redis8Url, SKIP_REASON, uniquePrefix } from "./helpers.js";

// A LangSwarm config naming `store_type: "redis"` works unchanged: the import above registered it.
if (!redis8Url) {
  describe("vector-redis through createMemoryManager", () => {
    it.skip(`skipped: ${SKIP_REASON}`, () => {});
  });
} else {
  const prefix = uniquePrefix("mgr");
  afterAll(async () => void (await dropPrefix(prefix, redis8Url)));

  describe("vector-redis through createMemoryManager", () => {
    it("indexes appended messages and recalls them by session scope; deleting a session deletes its vectors", async () => {
      const manager = await createMemoryManager({
        backend: "vector",
        settings: {
          embedding: { provider: "hash", dimension: 64 },
          vector_store: { store_type: "redis", connection_params: { url: redis8Url, key_prefix: prefix } },
        },
      });
      try {
        await manager.createSession({ sessionId: "s1", userId: "u1" });
        await manager.createSession({ sessionId: "s2", userId: "u1" });
        await manager.addMessages("s1", [
          { role: "user", content: "my cat is called Whiskers" },
          { role: "assistant", content: "Whiskers is a lovely name for a cat" },
        ]);
        await manager.addMessage("s2", { role: "user", content: "the invoice for March is overdue" });
        await manager.flush();
        const s1 = await manager.recall("what is the cat called", { sessionId: "s1", topK: 5 });
        expect(s1.map((m) => m.sessionId)).toEqual(["s1", "s1"]);
        expect(s1[0]!.content).toMatch(/Whiskers/);
        const user = await manager.recall("invoice March", { userId: "u1", topK: 1 });
        expect(user[0]!.sessionId).toBe("s2");
        await manager.deleteSession("s2");
        expect(await manager.recall("invoice March", { userId: "u1", topK: 5 })).toHaveLength(2);
      } finally {
        await manager.close();
      }
    });
  });
}
