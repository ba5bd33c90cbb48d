// Adapter vs the raw OpenSearch client doing the same work, in one run, on the same server.
// Not a test. Usage: LANGSWARM_TEST_OPENSEARCH_URL=http://... node bench/bench.mjs [--quick]
// Writes bench/results/session-elasticsearch.json and prints a table.
import { writeFileSync } from "node:fs";
import { Client } from "@opensearch-project/opensearch";
import { ElasticsearchSessionStore } from "../dist/index.js";

const url = process.env.LANGSWARM_TEST_OPENSEARCH_URL;
if (!url) {
  console.log("set LANGSWARM_TEST_OPENSEARCH_URL to an OpenSearch URL");
  process.exit(0);
}
const quick = process.argv.includes("--quick");
const N = quick ? 100 : 500;
const prefix = `lsw-bench-${Date.now()}-`;
const raw = new Client({ node: url });
const rawIndex = `${prefix}raw`;
const store = new ElasticsearchSessionStore({ node: url, flavor: "opensearch", indexPrefix: prefix });
await store.setup();
await raw.indices.create({ index: rawIndex, body: { mappings: { properties: { seq: { type: "long" } } } } });

const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];
async function timed(n, fn) {
  const lat = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    lat.push(performance.now() - t);
  }
  return { opsPerSec: n / ((performance.now() - t0) / 1000), p50: pct(lat, 0.5), p95: pct(lat, 0.95) };
}

const results = {};
await store.createSession({ sessionId: "bench" });
// Appends, one message each, sequential. The raw baseline is one index request per message with
// op_type=create (no seq allocation, no idempotency): the floor any design must pay.
results.appendRaw = await timed(N, (i) =>
  raw.index({
    index: rawIndex,
    id: `bench:${i + 1}`,
    op_type: "create",
    body: { seq: i + 1, content: `m${i}` },
  }),
);
results.appendAdapter = await timed(N, (i) =>
  store.appendMessages("bench", [{ id: `m${i}`, role: "user", content: `m${i}` }]),
);
// 32 concurrent single-message appends (group commit) vs 32 concurrent raw index requests.
const C = 32;
const per = quick ? 10 : 25;
let t0 = performance.now();
await Promise.all(
  Array.from({ length: C }, (_, w) =>
    (async () => {
      for (let i = 0; i < per; i++)
        await raw.index({ index: rawIndex, id: `c${w}:${i}`, body: { seq: i, content: `${w}:${i}` } });
    })(),
  ),
);
results.concurrent32Raw = { opsPerSec: (C * per) / ((performance.now() - t0) / 1000) };
t0 = performance.now();
await Promise.all(
  Array.from({ length: C }, (_, w) =>
    (async () => {
      for (let i = 0; i < per; i++)
        await store.appendMessages("bench", [{ id: `c${w}-${i}`, role: "user", content: `${w}:${i}` }]);
    })(),
  ),
);
results.concurrent32Adapter = { opsPerSec: (C * per) / ((performance.now() - t0) / 1000) };
// Last 20: raw mget of 20 known ids vs getMessages({ last: 20 }) (session GET + mget).
const ids = Array.from({ length: 20 }, (_, i) => `bench:${N - 19 + i}`);
results.last20Raw = await timed(N, () => raw.mget({ index: rawIndex, body: { ids } }));
results.last20Adapter = await timed(N, () => store.getMessages("bench", { last: 20 }));

await raw.indices.delete({ index: [rawIndex, ...Object.values(store.indices)].join(",") });
await store.close();
await raw.close();

const ratio = (a, b) => (results[a].opsPerSec / results[b].opsPerSec).toFixed(2);
const out = {
  server: "OpenSearch 2.19 (loopback)",
  n: N,
  results,
  ratios: {
    append: ratio("appendAdapter", "appendRaw"),
    concurrent32: ratio("concurrent32Adapter", "concurrent32Raw"),
    last20: ratio("last20Adapter", "last20Raw"),
  },
};
writeFileSync(
  new URL(`./results/session-elasticsearch${quick ? ".quick" : ""}.json`, import.meta.url),
  `${JSON.stringify(out, null, 2)}\n`,
);
console.table(
  Object.fromEntries(
    Object.entries(results).map(([k, v]) => [
      k,
      {
        "ops/s": v.opsPerSec.toFixed(0),
        "p50 ms": v.p50?.toFixed(2) ?? "",
        "p95 ms": v.p95?.toFixed(2) ?? "",
      },
    ]),
  ),
);
console.log("adapter/raw throughput:", out.ratios);
