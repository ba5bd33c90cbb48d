// Cost in requests and wall time of embedding N texts (default 10,000) against a local
// OpenAI-compatible server that adds an artificial latency to every request (default 20 ms, like a
// nearby API region), comparing:
//   naive (raw SDK)       one client.embeddings.create per text, awaited in a loop
//   naive x8 (raw SDK)    one request per text, 8 in flight (what a p-limit wrapper does)
//   batched (raw SDK)     chunks of 2048 texts, awaited in a loop: the raw driver doing our work
//   adapter               OpenAIEmbeddingProvider.embed(all texts): 2048-text batches, 4 in flight
// Not a test. Build first (pnpm build); run: node bench/batching-bench.mjs [--texts N] [--latency MS]
// Writes bench/results/embed-openai.json and prints a table.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { createOpenAIEmbeddings } from "../dist/index.js";
import { startFakeOpenAI } from "../test/support/fake-openai.ts";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg("texts", 10_000);
const LATENCY = arg("latency", 20);
const MODEL = "text-embedding-3-small";
const KEY = "sk-bench";

// Chat-message-like texts of varied length (40-400 chars).
const words =
  "memory agent session vector recall summary message context user tool lesson index token batch".split(" ");
const texts = Array.from({ length: N }, (_, i) => {
  const n = 8 + ((i * 7919) % 70);
  return `#${i} ${Array.from({ length: n }, (_, j) => words[(i + j * 31) % words.length]).join(" ")}`;
});

const server = await startFakeOpenAI({ apiKey: KEY, latencyMs: LATENCY });
const sdk = new OpenAI({ baseURL: server.baseURL, apiKey: KEY, maxRetries: 0 });

async function measure(name, run) {
  server.reset();
  const started = performance.now();
  const vectors = await run();
  const ms = performance.now() - started;
  if (vectors.length !== N || vectors.some((v) => v.length !== 1536))
    throw new Error(`${name}: wrong result`);
  const row = { name, requests: server.requests.length, ms: Math.round(ms), maxInFlight: server.maxInFlight };
  console.log(
    `${name.padEnd(22)} ${String(row.requests).padStart(6)} requests ${String(row.ms).padStart(8)} ms  (max in flight ${row.maxInFlight})`,
  );
  return row;
}

const rows = [];
rows.push(
  await measure("naive (raw SDK)", async () => {
    const out = [];
    for (const text of texts) {
      const r = await sdk.embeddings.create({ model: MODEL, input: [text] });
      out.push(r.data[0].embedding);
    }
    return out;
  }),
);
rows.push(
  await measure("naive x8 (raw SDK)", async () => {
    const out = new Array(N);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < N) {
          const i = next++;
          const r = await sdk.embeddings.create({ model: MODEL, input: [texts[i]] });
          out[i] = r.data[0].embedding;
        }
      }),
    );
    return out;
  }),
);
rows.push(
  await measure("batched (raw SDK)", async () => {
    const out = [];
    for (let i = 0; i < N; i += 2048) {
      const r = await sdk.embeddings.create({ model: MODEL, input: texts.slice(i, i + 2048) });
      for (const d of r.data.sort((a, b) => a.index - b.index)) out.push(d.embedding);
    }
    return out;
  }),
);
const provider = await createOpenAIEmbeddings({ base_url: server.baseURL, api_key: KEY, model: MODEL });
rows.push(await measure("adapter", () => provider.embed(texts)));
await server.close();

const naive = rows[0];
const raw = rows[2];
const adapter = rows[3];
const summary = {
  requestsSaved: `${naive.requests} -> ${adapter.requests} (${Math.round(naive.requests / adapter.requests)}x fewer)`,
  speedupVsNaive: Number((naive.ms / adapter.ms).toFixed(1)),
  speedupVsNaiveX8: Number((rows[1].ms / adapter.ms).toFixed(1)),
  adapterVsRawBatched: Number((adapter.ms / raw.ms).toFixed(2)),
};
console.log(summary);

const here = path.dirname(fileURLToPath(import.meta.url));
mkdirSync(path.join(here, "results"), { recursive: true });
const result = {
  bench: "embed-openai batching",
  date: new Date().toISOString(),
  node: process.version,
  texts: N,
  latencyMs: LATENCY,
  model: MODEL,
  loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  rows,
  summary,
};
writeFileSync(path.join(here, "results", "embed-openai.json"), `${JSON.stringify(result, null, 2)}\n`);
