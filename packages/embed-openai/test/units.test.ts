import { getEncoding } from "js-tiktoken";
import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  decodeEmbedding,
  estimateTokens,
  planBatches,
  retryAfter,
  truncateToTokens,
} from "../src/index.js";

const SAMPLES: Record<string, string> = {
  prose:
    "Agents keep two kinds of memory: the ordered conversation history and embeddings of past messages. It's well-known that we'd rather they'll do it.",
  code: "function add(a: number, b: number): number { return a + b; } // sum\n\tconst x = [1,2,3].map((v) => v * 2);\n    if (x !== null && y >= 10) {\n        console.log(`value ` + x);\n    }",
  url: "https://example.com/path?query=1&other=two#frag 0xDEADBEEF 3.14159265358979 1e-10",
  latin: "Ünïcödé façade naïve café résumé Ærøskøbing Straße",
  cyrillic: "Съешь же ещё этих мягких французских булок, да выпей чаю.",
  cjk: "我能吞下玻璃而不伤身体。日本語のテキストも少し。한국어 문장도 있습니다.",
  emoji: "emoji 🎉🎉🎉 👩‍👩‍👧‍👦 🇺🇳 mixed with words and 🙂 smileys",
  symbols: "ﷺ ﷽ ऄ ௵ ꧁꧂ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 ∀x∈ℝ: x²≥0",
  repeated: "a".repeat(100),
  punctuation: "!@#$%^&*()_+-=[]{}|;':\",./<>?`~ \\ \t\n\r",
  alternating: "a1b2c3d4e5f6g7h8i9j0".repeat(20),
  base64: "ZmFrZSBiYXNlNjQgZGF0YSB0aGF0IHRva2VuaXplcyBiYWRseQ==".repeat(10),
  sha256:
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  uuid: "123e4567-e89b-12d3-a456-426614174000 550e8400-e29b-41d4-a716-446655440000",
  json: '{"id":12345,"name":"alice","tags":["a","b"],"nested":{"k":[1,2,3]},"ok":true}',
  numbers: "1 22 333 4444 55555 666666 7777777 88888888 999999999 1234567890",
  whitespace: "a        b\n\n\n\nc\t\t\td     \n   e",
  markdown: "# Title\n\n- item one\n- item two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nlet x = 1;\n```",
  arabic: "مرحبا بالعالم، هذا نص عربي للاختبار ١٢٣",
  hindi: "नमस्ते दुनिया, यह परीक्षण के लिए हिंदी पाठ है",
  thai: "สวัสดีชาวโลก นี่คือข้อความภาษาไทย",
};

describe("estimateTokens", () => {
  // The batching relies on the estimate never being below what OpenAI's tokenizers count.
  for (const encoding of ["cl100k_base", "o200k_base"] as const) {
    it(`is never below the real ${encoding} count on prose, code, URLs, scripts and emoji`, () => {
      const enc = getEncoding(encoding);
      for (const [name, text] of Object.entries(SAMPLES)) {
        expect(estimateTokens(text), name).toBeGreaterThanOrEqual(enc.encode(text).length);
      }
    });
  }

  it("is within 2x of the real count on English prose (not uselessly pessimistic)", () => {
    const enc = getEncoding("cl100k_base");
    const prose =
      "Agents keep two kinds of memory: the ordered conversation history and embeddings of past messages for semantic recall. ".repeat(
        20,
      );
    const ratio = estimateTokens(prose) / enc.encode(prose).length;
    expect(ratio).toBeGreaterThanOrEqual(1);
    expect(ratio).toBeLessThan(2);
  });

  it("charges pieces as documented", () => {
    expect(estimateTokens("a")).toBe(1);
    expect(estimateTokens("abcd")).toBe(2);
    expect(estimateTokens("é")).toBe(1);
    expect(estimateTokens("the cat")).toBe(2);
    expect(estimateTokens("1234567")).toBe(3);
    expect(estimateTokens("中")).toBe(2);
    expect(estimateTokens("🎉")).toBe(4);
    expect(estimateTokens("camelCaseName")).toBe(9);
    expect(estimateTokens("a\n\nb")).toBe(3);
  });
});

describe("truncateToTokens", () => {
  it("keeps the longest prefix within the budget and never splits a surrogate pair", () => {
    const text = `${"word ".repeat(50)}🎉🎉🎉🎉`;
    for (const max of [1, 5, 50, 84, 85, 86, 87, 1000]) {
      const cut = truncateToTokens(text, max);
      expect(text.startsWith(cut)).toBe(true);
      expect(estimateTokens(cut)).toBeLessThanOrEqual(max);
      expect(cut.isWellFormed()).toBe(true);
      if (cut.length < text.length) {
        // one more code point would not fit
        const next = text.slice(0, cut.length + (text.codePointAt(cut.length)! > 0xffff ? 2 : 1));
        expect(estimateTokens(next)).toBeGreaterThan(max);
      }
    }
    expect(truncateToTokens("short", 100)).toBe("short");
  });
});

describe("planBatches", () => {
  it("cuts by input count, keeping order and start offsets", () => {
    const texts = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const batches = planBatches(
      texts,
      texts.map(() => 1),
      4,
      1000,
    );
    expect(batches.map((b) => b.texts.length)).toEqual([4, 4, 2]);
    expect(batches.map((b) => b.start)).toEqual([0, 4, 8]);
    expect(batches.flatMap((b) => b.texts)).toEqual(texts);
  });

  it("cuts by tokens, whichever limit comes first", () => {
    const texts = ["a", "b", "c", "d", "e"];
    const batches = planBatches(texts, [60, 50, 30, 100, 1], 100, 100);
    expect(batches.map((b) => b.texts)).toEqual([["a"], ["b", "c"], ["d"], ["e"]]);
    expect(batches.every((b) => b.tokens <= 100)).toBe(true);
  });
});

describe("retryAfter", () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it("reads retry-after-ms first, then retry-after seconds or HTTP date", () => {
    expect(retryAfter(h({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(retryAfter(h({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfter(h({ "retry-after": "0.5" }))).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfter(h({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now)).toBe(3000);
    expect(retryAfter(h({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfter(h({}))).toBeUndefined();
    expect(retryAfter({ "Retry-After": "1" })).toBe(1000);
  });
});

describe("backoffDelay", () => {
  it("doubles per attempt, with jitter in [50%, 100%], capped", () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 0.999999)).toBeCloseTo(100, 3);
    expect(backoffDelay(3, policy, () => 0.999999)).toBeCloseTo(800, 2);
    expect(backoffDelay(10, policy, () => 0.999999)).toBeCloseTo(1000, 2);
    expect(backoffDelay(10, policy, () => 0)).toBe(500);
  });
});

describe("decodeEmbedding", () => {
  it("decodes base64 float32 from an unaligned buffer and float arrays to the same vector", () => {
    const v = Float32Array.from([0.5, -1.25, 3e-8, 1e30]);
    const b64 = Buffer.concat([Buffer.from([7]), Buffer.from(v.buffer)])
      .subarray(1)
      .toString("base64");
    expect(Array.from(decodeEmbedding(b64, 4, "x"))).toEqual(Array.from(v));
    expect(Array.from(decodeEmbedding(Array.from(v), 4, "x"))).toEqual(Array.from(v));
  });

  it("refuses a wrong dimension, non-finite values and junk with typed errors", () => {
    expect(() => decodeEmbedding([1, 2, 3], 4, "x")).toThrow(
      expect.objectContaining({ code: "DIMENSION_MISMATCH", expected: 4, actual: 3 }),
    );
    expect(() => decodeEmbedding([1, Number.NaN], 2, "x")).toThrow(
      expect.objectContaining({ code: "BACKEND" }),
    );
    expect(() => decodeEmbedding(Buffer.from([1, 2, 3]).toString("base64"), undefined, "x")).toThrow(
      expect.objectContaining({ code: "BACKEND" }),
    );
    expect(() => decodeEmbedding({ not: "a vector" }, 2, "x")).toThrow(
      expect.objectContaining({ code: "BACKEND" }),
    );
    const inf = Buffer.from(Float32Array.from([Number.POSITIVE_INFINITY]).buffer).toString("base64");
    expect(() => decodeEmbedding(inf, 1, "x")).toThrow(expect.objectContaining({ code: "BACKEND" }));
  });
});
