import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteVectorStore } from "../src/index.js";
import { bundleStoreForChildren, childScript } from "./support/bundle.js";
import { tempDir } from "./support/tmp.js";

const tmp = tempDir("vector-sqlite-mp");
let bundle: string;
beforeAll(async () => {
  bundle = await bundleStoreForChildren();
});
afterAll(() => tmp.cleanup());

function run(job: Record<string, unknown>): Promise<{ engine: string; queries: number; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, bundle, JSON.stringify(job)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.stderr.on("data", (c) => {
      err += c;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${err}`)),
    );
  });
}

describe("several processes on one file", () => {
  it("4 processes (two with sqlite-vec, two without) set up and write one index at once; nothing is lost and the KNN table catches up", async () => {
    const path = tmp.file("shared.db");
    const dimension = 16;
    const count = 300;
    const jobs = [true, false, "auto", false].map((useSqliteVec, worker) => ({
      path,
      dimension,
      worker,
      count,
      batch: 25,
      useSqliteVec,
    }));
    const results = await Promise.all(jobs.map(run));
    expect(results.map((r) => r.engine)).toEqual(["sqlite-vec", "js", "sqlite-vec", "js"]);
    for (const r of results) expect(r).toMatchObject({ queries: count / 25, errors: [] });

    const store = new SqliteVectorStore({ path, dimension });
    await store.setup(); // rebuilds the KNN table the JS writers could not maintain
    expect(await store.count()).toBe(4 * count);
    const db = store.database;
    expect(db.prepare("SELECT count(*) FROM ls_vectors_knn").pluck().get()).toBe(4 * count);
    const meta = Object.fromEntries(
      db.prepare("SELECT key, value FROM ls_vectors_meta").raw().all() as [string, number][],
    );
    expect(meta.knn_generation).toBe(meta.generation);
    expect(meta.generation).toBe(4 * (count / 25)); // one generation per committed write
    for (let worker = 0; worker < 4; worker++) {
      const got = await store.query({
        vector: Array.from({ length: dimension }, (_, j) => Math.sin(7 * 0.37 + j * (worker + 1))),
        topK: 1,
      });
      expect(got[0]?.id).toBe(`w${worker}-7`);
    }
    await store.close();
  });
});
