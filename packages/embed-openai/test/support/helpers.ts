import { createOpenAIEmbeddings, type OpenAIEmbeddingSettings } from "../../src/index.js";
import type { FakeOpenAI } from "./fake-openai.js";

export const KEY = "sk-test-0123456789abcdef";

/** A provider on the fake server with fast retries (tests measure waits, not defaults). */
export function providerFor(server: FakeOpenAI, settings: OpenAIEmbeddingSettings = {}) {
  return createOpenAIEmbeddings({
    base_url: server.baseURL,
    api_key: KEY,
    retry_base_delay_ms: 1,
    ...settings,
  });
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; key?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a rejection, but it resolved");
}

export const texts = (n: number, prefix = "text") => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
