import { ConfigError, throwIfAborted } from "../errors.js";
import type { CallOptions } from "../types/common.js";
import type { EmbeddingProvider } from "../types/embedding.js";
import { assertStorableText } from "../util/validate.js";

/**
 * Offline, deterministic embeddings by feature hashing (the "hashing trick") over word unigrams and
 * bigrams, signed, log-scaled and L2-normalised. Lexical, not semantic: texts that share words land
 * close together, paraphrases do not. Meant for tests and the no-key demo; use a real model in production.
 */
export class HashEmbeddingProvider implements EmbeddingProvider {
  readonly provider = "hash";
  readonly model: string;
  readonly dimension: number;
  readonly maxBatchSize = 4096;

  constructor(options: { dimension?: number } = {}) {
    const dimension = options.dimension ?? 256;
    if (!Number.isSafeInteger(dimension) || dimension < 8 || dimension > 8192) {
      throw new ConfigError("dimension must be an integer between 8 and 8192", {
        backend: "hash",
        key: "dimension",
      });
    }
    this.dimension = dimension;
    this.model = `hash-${dimension}`;
  }

  async embed(texts: string[], options?: CallOptions): Promise<Float32Array[]> {
    throwIfAborted(options?.signal, "hash");
    return texts.map((text, i) => {
      assertStorableText(text, `texts[${i}]`, { backend: "hash" });
      return this.embedOne(text);
    });
  }

  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dimension);
    const words = tokenize(text);
    const counts = new Map<string, number>();
    for (let i = 0; i < words.length; i++) {
      counts.set(words[i]!, (counts.get(words[i]!) ?? 0) + 1);
      if (i > 0)
        counts.set(`${words[i - 1]} ${words[i]}`, (counts.get(`${words[i - 1]} ${words[i]}`) ?? 0) + 0.5);
    }
    for (const [feature, count] of counts) {
      const h = fnv1a(feature);
      const sign = h & 0x80000000 ? -1 : 1;
      vector[h % this.dimension]! += sign * (1 + Math.log(count + 1));
    }
    let norm = 0;
    for (const v of vector) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
    return vector;
  }
}

const STOPWORDS = new Set(
  "a an and are as at be by for from has have i in is it its of on or that the this to was we were what when where which who will with you your".split(
    " ",
  ),
);

function tokenize(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize("NFKC")
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
    .filter((w) => !STOPWORDS.has(w))
    .map((w) => (w.length > 4 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w));
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
