import assert from "node:assert/strict";
import type { EmbeddingProvider } from "@langswarm/memory-core";
import { rejectsWith } from "./assertions.js";
import { defineSuite } from "./harness.js";
import type { EmbeddingProviderInitializer, TestApi } from "./types.js";

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
};

/** Contracts of an EmbeddingProvider: shape, order, batching beyond the provider limit, errors. */
export function embeddingSuite(init: EmbeddingProviderInitializer, api: TestApi): void {
  defineSuite<EmbeddingProvider, undefined>(
    {
      suite: "embedding",
      init,
      api,
      make: () => init.create(),
      close: async (p) => void (await p.close?.()),
    },
    undefined,
    (test) => {
      test("one finite vector of the declared dimension per text, in order", async (provider) => {
        assert.ok(Number.isInteger(provider.dimension) && provider.dimension > 0);
        assert.ok(provider.model.length > 0);
        const texts = [
          "the cat sat on the mat",
          "quarterly revenue grew by ten percent",
          "the cat sat on the mat",
        ];
        const vectors = await provider.embed(texts);
        assert.equal(vectors.length, texts.length);
        for (const v of vectors) {
          assert.equal(v.length, provider.dimension);
          assert.ok(v.every(Number.isFinite));
        }
        assert.ok(cosine(vectors[0]!, vectors[2]!) > 0.99, "the same text gives the same vector");
        assert.ok(
          cosine(vectors[0]!, vectors[1]!) < cosine(vectors[0]!, vectors[2]!),
          "different texts differ",
        );
      });

      test("empty input gives an empty result; more texts than one request holds are batched", async (provider) => {
        assert.deepEqual(await provider.embed([]), []);
        const n = Math.min(provider.maxBatchSize * 2 + 3, 300);
        const texts = Array.from({ length: n }, (_, i) => `text number ${i} about topic ${i % 7}`);
        const vectors = await provider.embed(texts);
        assert.equal(vectors.length, n);
        const again = await provider.embed([texts[n - 1]!]);
        assert.ok(cosine(vectors[n - 1]!, again[0]!) > 0.99, "order is preserved across batches");
      });

      test("text that cannot be stored or sent is refused with ValidationError", async (provider) => {
        await rejectsWith(provider.embed(["ok", "nul\u0000"]), "VALIDATION", "NUL in text");
      });

      if (init.deterministic) {
        test("deterministic: the same text always gives the same vector", async (provider) => {
          const [a] = await provider.embed(["repeatable"]);
          const [b] = await provider.embed(["repeatable"]);
          assert.deepEqual(Array.from(a!), Array.from(b!));
        });
      }
    },
  );
}
