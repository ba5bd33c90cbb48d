import { BackendUnavailableError, ConfigError, DimensionMismatchError } from "@langswarm/memory-core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteVectorStore } from "../src/index.js";
import { tempDir } from "./support/tmp.js";

const tmp = tempDir("vector-sqlite-setup");
afterAll(() => tmp.cleanup());

describe("setup()", () => {
  it("persists dimension and metric, and refuses to reopen the index with others", async () => {
    const path = tmp.file("spec.db");
    const first = new SqliteVectorStore({ path, dimension: 8, metric: "euclidean" });
    await first.setup();
    await first.setup(); // idempotent
    await first.upsert([{ id: "a", vector: [1, 0, 0, 0, 0, 0, 0, 0] }]);
    const meta = Object.fromEntries(
      first.database.prepare("SELECT key, value FROM ls_vectors_meta").raw().all() as [string, unknown][],
    );
    expect(meta).toMatchObject({ schema_version: 1, dimension: 8, metric: "euclidean" });

    const wrongDimension = new SqliteVectorStore({ path, dimension: 16, metric: "euclidean" });
    const error = await wrongDimension.setup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DimensionMismatchError);
    expect(error).toMatchObject({ expected: 8, actual: 16 });
    expect((error as Error).message).toMatch(/16.*8/);
    await wrongDimension.close();

    const wrongMetric = new SqliteVectorStore({ path, dimension: 8, metric: "cosine" });
    await expect(wrongMetric.setup()).rejects.toThrow(/created with metric "euclidean"/);
    await wrongMetric.close();

    const again = new SqliteVectorStore({ path, dimension: 8, metric: "euclidean" });
    await again.setup();
    expect(await again.count()).toBe(1);
    await again.close();
    await first.close();
  });

  it("is required before use, and again after drop()", async () => {
    const store = new SqliteVectorStore({ path: ":memory:", dimension: 2 });
    await expect(store.count()).rejects.toThrow(/call setup\(\) first/);
    await store.setup();
    await store.upsert([{ id: "a", vector: [1, 1] }]);
    await store.drop();
    await expect(store.count()).rejects.toBeInstanceOf(ConfigError);
    await store.setup();
    expect(await store.count()).toBe(0);
    await store.close();
  });

  it("refuses an index written by a newer schema", async () => {
    const store = new SqliteVectorStore({ path: ":memory:", dimension: 2 });
    await store.setup();
    store.database.prepare("UPDATE ls_vectors_meta SET value = 99 WHERE key = 'schema_version'").run();
    await expect(store.setup()).rejects.toThrow(/newer than this package supports/);
    await store.close();
  });

  it("two connections running setup() on a fresh file create the index once", async () => {
    const path = tmp.file("race.db");
    const stores = Array.from({ length: 4 }, () => new SqliteVectorStore({ path, dimension: 4 }));
    await Promise.all(stores.map((s) => s.setup()));
    await Promise.all(stores.map((s, i) => s.upsert([{ id: `s${i}`, vector: [i + 1, 1, 1, 1] }])));
    expect(await stores[0]!.count()).toBe(4);
    await Promise.all(stores.map((s) => s.close()));
  });

  it("keeps several indexes in one file apart (table_name and the manager's index name)", async () => {
    const path = tmp.file("many.db");
    const a = new SqliteVectorStore({ path, dimension: 2 });
    const lessons = new SqliteVectorStore({ path, dimension: 3 }, { context: { indexName: "lessons" } });
    expect(lessons.index.name).toBe("ls_vectors_lessons");
    await a.setup();
    await lessons.setup();
    await a.upsert([{ id: "x", vector: [1, 0] }]);
    expect(await lessons.count()).toBe(0);
    await a.close();
    await lessons.close();
  });
});

describe("lifecycle and errors", () => {
  it("leaves a caller's database open (with sqlite-vec loaded into it) and refuses calls after close()", async () => {
    const db = new Database(":memory:");
    const store = new SqliteVectorStore({ database: db, dimension: 2 });
    await store.setup();
    expect(store.engine).toBe("sqlite-vec");
    await store.close();
    expect(db.open).toBe(true);
    expect(db.prepare("SELECT vec_version()").pluck().get()).toMatch(/^v0\./);
    await expect(store.count()).rejects.toBeInstanceOf(BackendUnavailableError);
    db.close();
  });

  it("says why sqlite-vec is not used when it is turned off", async () => {
    const store = new SqliteVectorStore({ path: ":memory:", dimension: 2, use_sqlite_vec: false });
    await store.setup();
    expect(store.engine).toBe("js");
    expect(store.sqliteVecStatus).toBeNull();
    await store.close();
  });

  it("maps a write lock held past busy_timeout_ms to BackendUnavailableError, and reads continue", async () => {
    const path = tmp.file("busy.db");
    const store = new SqliteVectorStore({ path, dimension: 2, busy_timeout_ms: 50 });
    await store.setup();
    await store.upsert([{ id: "a", vector: [1, 0] }]);
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    await expect(store.upsert([{ id: "b", vector: [0, 1] }])).rejects.toBeInstanceOf(BackendUnavailableError);
    expect((await store.query({ vector: [1, 0] })).map((m) => m.id)).toEqual(["a"]);
    other.exec("ROLLBACK");
    other.close();
    await store.close();
  });

  it("a failed upsert batch stores nothing (validation before any write)", async () => {
    const store = new SqliteVectorStore({ path: ":memory:", dimension: 2 });
    await store.setup();
    await expect(
      store.upsert([
        { id: "ok", vector: [1, 0] },
        { id: "bad", vector: [1, Number.NaN] },
      ]),
    ).rejects.toMatchObject({ code: "VALIDATION" });
    expect(await store.count()).toBe(0);
    await store.close();
  });
});
