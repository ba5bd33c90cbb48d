// A separate Node process with its own connection to the test's database file.
// argv: <bundled store module> <JSON job>. Runs setup() at once (racing the other processes), then
// upserts its share of vectors in small batches, queries as it goes, and prints one JSON line.
import { pathToFileURL } from "node:url";

const [bundle, jobJson] = process.argv.slice(2);
const job = JSON.parse(jobJson);
const { SqliteVectorStore } = await import(pathToFileURL(bundle).href);
const store = new SqliteVectorStore({
  path: job.path,
  dimension: job.dimension,
  use_sqlite_vec: job.useSqliteVec,
});
const errors = [];
let queries = 0;
try {
  await store.setup();
  const vector = (i) =>
    Array.from({ length: job.dimension }, (_, j) => Math.sin(i * 0.37 + j * (job.worker + 1)));
  for (let start = 0; start < job.count; start += job.batch) {
    const batch = [];
    for (let i = start; i < Math.min(job.count, start + job.batch); i++) {
      batch.push({ id: `w${job.worker}-${i}`, vector: vector(i), metadata: { worker: job.worker, i } });
    }
    await store.upsert(batch);
    // Read your own writes, through whatever engine this process uses.
    const [hit] = await store.query({ vector: batch[0].vector, topK: 1, filter: { worker: job.worker } });
    if (hit?.id !== batch[0].id) errors.push(`query after upsert returned ${hit?.id}, wanted ${batch[0].id}`);
    queries++;
    await new Promise((resolve) => setImmediate(resolve));
  }
} catch (error) {
  errors.push(`${error.name}: ${error.message}`);
}
await store.close();
process.stdout.write(`${JSON.stringify({ engine: store.engine, queries, errors: errors.slice(0, 5) })}\n`);
