import assert from "node:assert/strict";
import type { MessageInput, SessionStore, StoredMessage } from "@langswarm/memory-core";
import { defineSuite } from "../harness.js";
import type { SessionStoreInitializer, TestApi } from "../types.js";
import { basicTests } from "./basics.js";
import { concurrencyTests } from "./concurrency.js";
import { expiryTests } from "./expiry.js";
import { hostileTests } from "./hostile.js";
import { listingTests } from "./listing.js";
import { messageTests } from "./messages.js";
import { modelTests } from "./model.js";
import { searchTests } from "./search.js";

/**
 * The session-store conformance suite: every contract of `SessionStore` (see memory-core's
 * types/session.ts), each test on a fresh isolated store from `init.create()`.
 */
export function sessionStoreSuite(init: SessionStoreInitializer, api: TestApi): void {
  defineSuite<SessionStore, undefined>(
    {
      suite: "session",
      init,
      api,
      make: async () => {
        const store = await init.create();
        try {
          await store.setup();
        } catch (error) {
          await store.close().catch(() => {}); // a store that failed setup must not leak its connection
          throw error;
        }
        return store;
      },
      close: (store) => store.close(),
    },
    undefined,
    (test, recorder) => {
      basicTests(test);
      messageTests(test);
      listingTests(test, init);
      expiryTests(test);
      concurrencyTests(test, init);
      hostileTests(test);
      searchTests(test);
      modelTests(test, init, recorder);
    },
  );
}

export type SessionTest = Parameters<Parameters<typeof defineSuite<SessionStore, undefined>>[2]>[0];

/** Helpers shared by the session test groups. */
export function msgs(n: number, prefix = "m", extra: Partial<MessageInput> = {}): MessageInput[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i + 1}`,
    role: i % 2 ? "assistant" : "user",
    content: `${prefix} message ${i + 1}`,
    ...extra,
  }));
}

export function seqs(messages: StoredMessage[]): number[] {
  return messages.map((m) => m.seq);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export { assert };
