import assert from "node:assert/strict";
import {
  InMemorySessionStore,
  type MessageInput,
  type SessionStore,
  type StoredMessage,
} from "@langswarm/memory-core";
import fc from "fast-check";
import type { MatrixRecorder } from "../matrix.js";
import type { SessionStoreInitializer } from "../types.js";
import type { SessionTest } from "./suite.js";

/**
 * Model-based test: random command sequences run against the store under test and the in-memory
 * reference; every observable result must agree (timestamps aside).
 */
type Command =
  | { op: "create"; s: number; user: number }
  | { op: "append"; s: number; ids: number[] }
  | { op: "read"; s: number; last?: number; afterSeq?: number; limit?: number }
  | { op: "update"; s: number; status: string }
  | { op: "delete"; s: number }
  | { op: "summary"; s: number; text: string }
  | { op: "watermark"; s: number; value: number }
  | { op: "list"; user: number; limit: number };

const SESSIONS = ["m-a", "m-b", "m-{c}*"];
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant("create" as const), s: fc.nat(2), user: fc.nat(1) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("append" as const),
      s: fc.nat(2),
      ids: fc.uniqueArray(fc.nat(12), { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("read" as const),
      s: fc.nat(2),
      last: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      afterSeq: fc.option(fc.nat(8), { nil: undefined }),
      limit: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("update" as const),
      s: fc.nat(2),
      status: fc.constantFrom("active", "closed"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), s: fc.nat(2) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("summary" as const),
      s: fc.nat(2),
      text: fc.string({ maxLength: 20 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("watermark" as const), s: fc.nat(2), value: fc.nat(20) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("list" as const),
      user: fc.nat(1),
      limit: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

const strip = (m: StoredMessage) => ({
  id: m.id,
  seq: m.seq,
  role: m.role,
  content: m.content,
  metadata: m.metadata,
});

async function outcome<T>(fn: () => Promise<T>): Promise<{ ok: T } | { error: string }> {
  try {
    return { ok: await fn() };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? `untyped: ${(error as Error).message}` };
  }
}

async function run(cmd: Command, store: SessionStore): Promise<unknown> {
  const sessionId = "s" in cmd ? SESSIONS[cmd.s]! : "";
  switch (cmd.op) {
    case "create":
      return outcome(async () => {
        const s = await store.createSession({ sessionId, userId: `user${cmd.user}` });
        return [s.sessionId, s.userId, s.lastSeq];
      });
    case "append": {
      const messages: MessageInput[] = cmd.ids.map((i) => ({
        id: `id${i}`,
        role: i % 2 ? "assistant" : "user",
        content: `content ${i}`,
        metadata: { i },
      }));
      return outcome(async () => (await store.appendMessages(sessionId, messages)).map(strip));
    }
    case "read":
      return outcome(async () =>
        (
          await store.getMessages(sessionId, { last: cmd.last, afterSeq: cmd.afterSeq, limit: cmd.limit })
        ).map(strip),
      );
    case "update":
      return outcome(async () => (await store.updateSession(sessionId, { status: cmd.status })).status);
    case "delete":
      return outcome(() => store.deleteSession(sessionId));
    case "summary":
      return outcome(async () => {
        const s = await store.putSummary(sessionId, { content: cmd.text, uptoSeq: 1 });
        const current = await store.getSummary(sessionId);
        return [s.version, current?.version, current?.content];
      });
    case "watermark":
      return outcome(async () => {
        await store.setWatermark(sessionId, "w", cmd.value);
        return store.getWatermark(sessionId, "w");
      });
    case "list":
      return outcome(async () => {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const page: {
            items: { sessionId: string; lastSeq: number; status: string }[];
            nextCursor: string | null;
          } = await store.listSessions({ userId: `user${cmd.user}`, limit: cmd.limit, cursor });
          ids.push(...page.items.map((s) => `${s.sessionId}:${s.lastSeq}:${s.status}`));
          cursor = page.nextCursor;
        } while (cursor);
        return ids.sort();
      });
  }
}

export function modelTests(test: SessionTest, init: SessionStoreInitializer, recorder: MatrixRecorder): void {
  const runs = init.modelRuns ?? 25;
  test(
    `model-based: ${runs} random command sequences agree with the in-memory reference`,
    async (_store, ctx) => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 30 }), async (commands) => {
          const store = await ctx.fresh(undefined);
          const reference = new InMemorySessionStore();
          try {
            // Start with every session present, so most commands exercise data rather than NotFound.
            for (const [s, sid] of SESSIONS.entries()) {
              for (const target of [store, reference])
                await target.createSession({ sessionId: sid, userId: `user${s % 2}` });
            }
            for (const [step, cmd] of commands.entries()) {
              const expected = await run(cmd, reference);
              const actual = await run(cmd, store);
              assert.deepEqual(actual, expected, `step ${step} ${JSON.stringify(cmd)}`);
            }
          } finally {
            await ctx.discard(store);
          }
        }),
        {
          numRuns: runs,
          endOnFailure: true,
          interruptAfterTimeLimit: 240_000,
          ...(init.modelSeed !== undefined ? { seed: init.modelSeed } : {}),
        },
      );
      recorder.note(`model runs ${runs}`);
    },
    { timeout: 300_000 },
  );
}
