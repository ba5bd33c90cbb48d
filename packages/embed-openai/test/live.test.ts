import { describe, expect, it } from "vitest";
import { createOpenAIEmbeddings } from "../src/index.js";

// Against the real OpenAI API, only when a key is given (costs a fraction of a cent).
const key = process.env.OPENAI_API_KEY;
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe("live OpenAI API", () => {
  if (!key) {
    const reason = "OPENAI_API_KEY is not set (set it to run 2 small requests against api.openai.com)";
    console.log(`[embed-openai] live tests skipped: ${reason}`);
    it.skip(`skipped: ${reason}`, () => {});
    return;
  }

  it("text-embedding-3-small: 1536-d unit vectors, related texts closer than unrelated", async () => {
    const provider = await createOpenAIEmbeddings({ api_key: key, base_url: "https://api.openai.com/v1" });
    const [cat, kitten, tax] = await provider.embed([
      "a cat sleeps on the sofa",
      "a kitten naps on the couch",
      "quarterly tax filing deadline",
    ]);
    expect(cat).toHaveLength(1536);
    expect(cos(cat!, cat!)).toBeCloseTo(1, 3);
    expect(cos(cat!, kitten!)).toBeGreaterThan(cos(cat!, tax!));
  });

  it("dimensions: 256 on text-embedding-3-small", async () => {
    const provider = await createOpenAIEmbeddings({
      api_key: key,
      base_url: "https://api.openai.com/v1",
      dimensions: 256,
      encoding_format: "float",
    });
    const [v] = await provider.embed(["shortened"]);
    expect(v).toHaveLength(256);
  });
});
