import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The committed real-embedding fixture (all-MiniLM-L6-v2, 384-d, L2-normalised; provenance in
 * fixtures/minilm-384/README.md). Recall is never measured on random vectors.
 */
export interface EmbeddingFixture {
  dimension: number;
  corpus: { id: string; text: string; vector: Float32Array }[];
  queries: { id: string; text: string; vector: Float32Array }[];
}

export function fixtureDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    path.join(here, "../fixtures/minilm-384"),
    path.join(here, "../../fixtures/minilm-384"),
  ]) {
    if (existsSync(path.join(candidate, "corpus.f32"))) return candidate;
  }
  throw new Error(`embedding fixture not found next to ${here}`);
}

let cached: EmbeddingFixture | null = null;

export function loadEmbeddingFixture(): EmbeddingFixture {
  if (cached) return cached;
  const dir = fixtureDir();
  const dimension = 384;
  const read = (name: string) => {
    const rows = readFileSync(path.join(dir, `${name}.jsonl`), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; text: string });
    const buf = readFileSync(path.join(dir, `${name}.f32`));
    const floats = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (floats.length !== rows.length * dimension)
      throw new Error(`${name}.f32 has ${floats.length} floats for ${rows.length} rows`);
    return rows.map((row, i) => ({ ...row, vector: floats.slice(i * dimension, (i + 1) * dimension) }));
  };
  cached = { dimension, corpus: read("corpus"), queries: read("queries") };
  return cached;
}
