import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteSessionStore } from "../src/index.js";
import { bundleStoreForChildren, childScript } from "./support/bundle.js";
import { tempDir } from "./support/tmp.js";

const tmp = tempDir("session-sqlite-mp");
let bundle: string;
beforeAll(async () => {
  bundle = await bundleStoreForChildren();
});
afterAll(() => tmp.cleanup());

interface Child {
  process: ChildProcessWithoutNullStreams;
  next: () => Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startChild(job: Record<string, unknown>): Child {
  const child = spawn(process.execPath, [childScript, bundle, JSON.stringify(job)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const take = (line: string) => resolve(JSON.parse(line) as Record<string, unknown>);
      const queued = queue.shift();
      if (queued !== undefined) return take(queued);
      waiters.push(take);
      void exited.then((code) => reject(new Error(`child exited (${code}) before answering: ${stderr}`)));
    });
  return { process: child, next, exited };
}

describe("several processes on one file", () => {
  it("4 processes running setup() at the same moment on a fresh file all succeed, migrating once", async () => {
    const path = tmp.file("setup-race.db");
    const children = Array.from({ length: 4 }, (_, i) => startChild({ name: `p${i}`, path, writers: 0 }));
    const answers = await Promise.all(children.map((c) => c.next()));
    expect(answers).toEqual(Array(4).fill({ ready: true }));
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0, 0, 0]);

    const store = new SqliteSessionStore({ path });
    const versions = store.database
      .prepare("SELECT version FROM ls_migrations ORDER BY version")
      .pluck()
      .all();
    expect(versions).toEqual([1]);
    await store.close();
  });

  it("4 processes x 8 writers x 200 appends to one session: 6400 messages, gap-free seq, no 'database is locked'", async () => {
    const path = tmp.file("appends.db");
    const processes = 4;
    const writers = 8;
    const appends = 200;
    const children = Array.from({ length: processes }, (_, i) =>
      startChild({ name: `p${i}`, path, sessionId: "hot", writers, appends }),
    );
    // All four run setup() concurrently on the fresh file, then wait.
    expect(await Promise.all(children.map((c) => c.next()))).toEqual(Array(processes).fill({ ready: true }));

    const store = new SqliteSessionStore({ path });
    await store.setup();
    await store.createSession({ sessionId: "hot" });
    for (const c of children) c.process.stdin.write("go\n");
    const results = await Promise.all(children.map((c) => c.next()));
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0, 0, 0]);

    for (const r of results)
      expect(r).toEqual({ acknowledged: writers * appends, errors: [], errorCount: 0 });
    const total = processes * writers * appends;
    const all = [];
    for (let after = 0; ; ) {
      const page = await store.getMessages("hot", { afterSeq: after, limit: 5000 });
      if (page.length === 0) break;
      all.push(...page);
      after = page[page.length - 1]!.seq;
    }
    expect(all).toHaveLength(total);
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(all.map((m) => m.id)).size).toBe(total);
    // Each writer's messages keep the order it wrote them in.
    const lastIndex = new Map<string, number>();
    for (const m of all) {
      const [p, w, i] = m.content.split(":");
      const key = `${p}:${w}`;
      expect(Number(i)).toBeGreaterThan(lastIndex.get(key) ?? -1);
      lastIndex.set(key, Number(i));
    }
    expect((await store.getSession("hot"))!.lastSeq).toBe(total);
    await store.close();
  });
});

describe("many connections in one process", () => {
  it("32 writers, each with its own connection, x 200 appends: 6400 messages, gap-free", async () => {
    const path = tmp.file("connections.db");
    const first = new SqliteSessionStore({ path });
    await first.setup();
    await first.createSession({ sessionId: "hot" });
    const stores = [first, ...Array.from({ length: 31 }, () => new SqliteSessionStore({ path }))];
    await Promise.all(
      stores.map(async (store, w) => {
        for (let i = 0; i < 200; i++) {
          await store.appendMessages("hot", [{ id: `w${w}-${i}`, role: "user", content: `${w}:${i}` }]);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
    const seqs = first.database
      .prepare("SELECT seq FROM ls_messages WHERE session_id = 'hot' ORDER BY seq")
      .pluck()
      .all();
    expect(seqs).toEqual(Array.from({ length: 6400 }, (_, i) => i + 1));
    expect((await first.getSession("hot"))!.lastSeq).toBe(6400);
    await Promise.all(stores.map((s) => s.close()));
  });
});
