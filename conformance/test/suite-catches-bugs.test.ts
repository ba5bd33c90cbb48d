import {
  type AppendOptions,
  InMemorySessionStore,
  InMemoryVectorStore,
  type MessageInput,
  type StoredMessage,
  type VectorMatch,
  type VectorQuery,
} from "@langswarm/memory-core";
import { describe, expect, it } from "vitest";
import { sessionStoreSuite, type TestApi, vectorStoreSuite } from "../src/index.js";

/**
 * The suites must fail adapters that break a contract. Each broken store below breaks one rule;
 * the suite is run through a collecting TestApi and the named tests must fail (and the rest pass).
 */
function collect(register: (api: TestApi) => void) {
  const tests: { name: string; fn: () => unknown }[] = [];
  const before: (() => unknown)[] = [];
  const after: (() => unknown)[] = [];
  const api: TestApi = {
    describe: (_name, fn) => fn(),
    it: Object.assign((name: string, fn: () => unknown) => void tests.push({ name, fn }), { skip: () => {} }),
    beforeAll: (fn) => void before.push(fn),
    afterAll: (fn) => void after.push(fn),
  };
  register(api);
  return async (only: RegExp) => {
    for (const fn of before) await fn();
    const failed: string[] = [];
    const messages: string[] = [];
    for (const t of tests.filter((t) => only.test(t.name))) {
      try {
        await t.fn();
      } catch (error) {
        failed.push(t.name);
        messages.push((error as Error).message);
      }
    }
    for (const fn of after) await fn();
    return { failed, messages };
  };
}

/** Forgets idempotency: a retried batch is stored again. */
class DuplicatingStore extends InMemorySessionStore {
  override async appendMessages(
    sessionId: string,
    messages: MessageInput[],
    options?: AppendOptions,
  ): Promise<StoredMessage[]> {
    return super.appendMessages(
      sessionId,
      messages.map((m) => ({ ...m, id: `${m.id ?? "x"}-${Math.random()}` })),
      options,
    );
  }
}

/** Returns history in reverse. */
class ReversingStore extends InMemorySessionStore {
  override async getMessages(...args: Parameters<InMemorySessionStore["getMessages"]>) {
    return (await super.getMessages(...args)).reverse();
  }
}

/** Drops the last result of every query (a silent wrong answer). */
class LossyVectorStore extends InMemoryVectorStore {
  override async query(query: VectorQuery): Promise<VectorMatch[]> {
    return (await super.query(query)).slice(0, -1);
  }
}

describe("the conformance suites catch broken adapters", () => {
  it("fails a store whose appends are not idempotent", async () => {
    const run = collect((api) =>
      sessionStoreSuite(
        {
          name: "dup",
          target: { kind: "embedded" },
          quiet: true,
          create: async () => new DuplicatingStore(),
          modelRuns: 5,
          modelSeed: 42,
        },
        api,
      ),
    );
    const { failed, messages } = await run(/idempotent|retries/);
    expect(failed.length).toBe(2);
    expect(messages.join("\n")).toMatch(/retry|deepStrictEqual|Expected/i);
  }, 60_000);

  it("fails a store that returns history out of order", async () => {
    const run = collect((api) =>
      sessionStoreSuite(
        {
          name: "rev",
          target: { kind: "embedded" },
          quiet: true,
          create: async () => new ReversingStore(),
          modelSeed: 42,
        },
        api,
      ),
    );
    const { failed } = await run(/seq order|last N|model-based/);
    expect(failed.sort()).toEqual([
      expect.stringMatching(/^history is in seq order/),
      expect.stringMatching(/^model-based/),
      expect.stringMatching(/^reads: last N/),
    ]);
  }, 60_000);

  it("fails a vector store that silently drops results", async () => {
    const run = collect((api) =>
      vectorStoreSuite(
        {
          name: "lossy",
          target: { kind: "embedded" },
          quiet: true,
          create: async (s) => new LossyVectorStore(s),
        },
        api,
      ),
    );
    const { failed } = await run(/filter \$eq|minScore|recall/);
    expect(failed.length).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
