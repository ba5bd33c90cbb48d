// A separate Node process with its own connection to the test's database file.
// argv: <bundled store module> <JSON job>. Prints "ready" after setup(), waits for "go" on stdin,
// then runs its writers and prints one JSON line with the outcome.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [bundle, jobJson] = process.argv.slice(2);
const job = JSON.parse(jobJson);
const { SqliteSessionStore } = await import(pathToFileURL(bundle).href);
const store = new SqliteSessionStore({ path: job.path, busy_timeout_ms: job.busyTimeoutMs ?? 5000 });
const report = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

try {
  await store.setup();
} catch (error) {
  report({ setupError: `${error.name}: ${error.message}` });
  process.exit(1);
}
report({ ready: true });
if (job.writers === 0) {
  await store.close();
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once("line", resolve));
lines.close();

const errors = [];
let acknowledged = 0;
const writer = async (w) => {
  for (let i = 0; i < job.appends; i++) {
    try {
      await store.appendMessages(job.sessionId, [
        { id: `${job.name}-w${w}-${i}`, role: "user", content: `${job.name}:${w}:${i}` },
      ]);
      acknowledged++;
    } catch (error) {
      errors.push(`${error.name}: ${error.message}`);
    }
    // Yield to the event loop so this process's writers interleave with each other too.
    await new Promise((resolve) => setImmediate(resolve));
  }
};
await Promise.all(Array.from({ length: job.writers }, (_, w) => writer(w)));
await store.close();
report({ acknowledged, errors: errors.slice(0, 5), errorCount: errors.length });
