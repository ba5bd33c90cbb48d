import { describe, expect, it } from "vitest";
import {
  approximateTokens,
  createMemoryManager,
  type EmbeddingProviderDescriptor,
  HashEmbeddingProvider,
  UnsupportedError,
  ValidationError,
} from "../src/index.js";

const semanticConfig = {
  backend: "memory",
  settings: { embedding: { provider: "hash" }, vector_store: { store_type: "memory" } },
};

describe("MemoryManager", () => {
  it("sessions and messages: create, getOrCreate, append, read, list, delete", async () => {
    await using m = await createMemoryManager({ backend: "in_memory" });
    const s = await m.createSession({ userId: "u1", agentId: "a1" });
    expect(s.sessionId).toMatch(/[0-9a-f-]{36}/);
    const again = await m.getOrCreateSession(s.sessionId, { userId: "other" });
    expect(again.userId).toBe("u1");
    const m1 = await m.addMessage(s.sessionId, { role: "user", content: "hello" });
    const batch = await m.addMessages(s.sessionId, [
      { role: "assistant", content: "hi" },
      { role: "user", content: "bye" },
    ]);
    expect([m1.seq, ...batch.map((b) => b.seq)]).toEqual([1, 2, 3]);
    expect((await m.getMessages(s.sessionId, { last: 2 })).map((x) => x.content)).toEqual(["hi", "bye"]);
    expect((await m.listSessions({ userId: "u1" })).items).toHaveLength(1);
    await expect(m.searchMessages("hello")).rejects.toBeInstanceOf(UnsupportedError);
    await expect(m.recall("hello")).rejects.toThrow(/semantic memory is not configured/);
    expect(await m.deleteSession(s.sessionId)).toBe(true);
  });

  it("recalls across sessions by meaning-bearing words, scoped by user", async () => {
    await using m = await createMemoryManager(semanticConfig);
    await m.createSession({ sessionId: "trip", userId: "ana" });
    await m.createSession({ sessionId: "work", userId: "ana" });
    await m.createSession({ sessionId: "bob", userId: "bob" });
    await m.addMessages("trip", [
      { role: "user", content: "I am planning a hiking trip to the Dolomites in July" },
      { role: "assistant", content: "Great, the Alta Via 1 is a classic route" },
    ]);
    await m.addMessages("work", [{ role: "user", content: "Our quarterly revenue report is due Friday" }]);
    await m.addMessages("bob", [{ role: "user", content: "hiking boots for the Dolomites trip" }]);
    await m.flush();
    const found = await m.recall("which hiking trip did I plan?", { userId: "ana", topK: 2 });
    expect(found[0]!.sessionId).toBe("trip");
    expect(found[0]!.content).toMatch(/Dolomites/);
    expect(found.every((f) => f.userId === "ana")).toBe(true);
    const scoped = await m.recall("revenue report", { sessionId: "work" });
    expect(scoped.map((f) => f.sessionId)).toEqual(["work"]);
    await expect(m.recall("x", { scope: "user" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("an embedding outage loses nothing: appends succeed, indexing catches up from the watermark", async () => {
    let down = true;
    let calls = 0;
    const flaky: EmbeddingProviderDescriptor = {
      kind: "embedding",
      name: "flaky",
      settingsSchema: {},
      create: () => {
        const inner = new HashEmbeddingProvider();
        return {
          provider: "flaky",
          model: inner.model,
          dimension: inner.dimension,
          maxBatchSize: 16,
          embed: async (texts) => {
            calls++;
            if (down) throw new Error("503 from the embedding service");
            return inner.embed(texts);
          },
        };
      },
    };
    const errors: unknown[] = [];
    await using m = await createMemoryManager(
      {
        backend: "memory",
        settings: { embedding: { provider: "flaky" }, vector_store: { store_type: "memory" } },
      },
      { adapters: [flaky], onBackgroundError: (e) => errors.push(e) },
    );
    await m.createSession({ sessionId: "s" });
    for (let i = 0; i < 40; i++)
      await m.addMessage("s", { role: "user", content: `note ${i} about topic ${i % 5}` });
    await expect(m.flush()).rejects.toThrow(/503/);
    expect((await m.getMessages("s")).length).toBe(40);
    expect(await m.sessions.getWatermark("s", "semantic")).toBe(0);
    down = false;
    await m.flush();
    expect(await m.sessions.getWatermark("s", "semantic")).toBe(40);
    expect(await m.vectors!.count()).toBe(40);
    expect(calls).toBeGreaterThan(1);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("does not embed the same text twice (content-hash cache) and batches requests", async () => {
    await using m = await createMemoryManager(semanticConfig);
    await m.createSession({ sessionId: "c" });
    await m.addMessages(
      "c",
      Array.from({ length: 100 }, (_, i) => ({ role: "user", content: i % 2 ? "same text" : `unique ${i}` })),
    );
    await m.flush();
    expect(m.indexer!.embedCalls).toBeLessThanOrEqual(2);
    await m.addMessage("c", { role: "user", content: "same text" });
    const before = m.indexer!.embedCalls;
    await m.flush();
    expect(m.indexer!.embedCalls).toBe(before);
    expect(await m.vectors!.count()).toBe(101);
  });

  it("summaries: triggered by the threshold, versioned, newest wins", async () => {
    const seen: number[] = [];
    await using m = await createMemoryManager(
      { backend: "memory" },
      {
        summaryThreshold: 4,
        summarizer: async ({ previous, messages }) => {
          seen.push(messages.length);
          return `${previous ? `${previous.content} + ` : ""}${messages.length} msgs`;
        },
      },
    );
    await m.createSession({ sessionId: "s" });
    for (let i = 0; i < 9; i++) {
      await m.addMessage("s", { role: "user", content: `m${i}` });
      await m.flush(); // one append at a time, so the versions are predictable
    }
    const summary = await m.getSummary("s");
    expect(summary?.version).toBe(2);
    expect(summary?.uptoSeq).toBe(8);
    expect(summary?.content).toBe("4 msgs + 4 msgs");
  });

  it("the context builder keeps the budget, orders history, and de-duplicates recalled memories", async () => {
    await using m = await createMemoryManager(semanticConfig);
    await m.createSession({ sessionId: "old", userId: "u" });
    await m.createSession({ sessionId: "now", userId: "u" });
    await m.addMessages("old", [{ role: "user", content: "My cat is called Miso and she loves tuna" }]);
    for (let i = 0; i < 30; i++)
      await m.addMessage("now", {
        role: i % 2 ? "assistant" : "user",
        content: `filler turn number ${i} `.repeat(5),
      });
    await m.addMessage("now", { role: "user", content: "what does my cat Miso love to eat?" });
    await m.flush();
    const ctx = await m.buildContext("now", { maxTokens: 300, system: "You are helpful." });
    const total = ctx.messages.reduce((sum, x) => sum + approximateTokens(x.content), 0);
    expect(total).toBeLessThanOrEqual(300);
    expect(ctx.tokens).toBeLessThanOrEqual(300);
    expect(ctx.recalled.map((r) => r.sessionId)).toContain("old");
    expect(ctx.messages[0]!.role).toBe("system");
    expect(ctx.messages[0]!.content).toMatch(/Miso and she loves tuna/);
    expect(ctx.recent.at(-1)!.content).toMatch(/what does my cat/);
    const seqs = ctx.recent.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(ctx.recalled.some((r) => r.sessionId === "now" && seqs.includes(r.seq))).toBe(false);
    expect(ctx.anthropic.system).toBe(ctx.messages[0]!.content);
  });

  it("deleteSession also removes the session's memories; reindex rebuilds them", async () => {
    await using m = await createMemoryManager(semanticConfig);
    await m.createSession({ sessionId: "a" });
    await m.createSession({ sessionId: "b" });
    await m.addMessages("a", [{ role: "user", content: "alpha fact" }]);
    await m.addMessages("b", [
      { role: "user", content: "beta fact" },
      { role: "user", content: "gamma fact" },
    ]);
    await m.flush();
    await m.deleteSession("a");
    expect(await m.vectors!.count()).toBe(2);
    await m.vectors!.drop();
    expect(await m.reindex()).toBe(2);
    expect(await m.vectors!.count()).toBe(2);
  });
});
