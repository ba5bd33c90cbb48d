import {
  BackendUnavailableError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from "@langswarm/memory-core";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteSessionStore } from "../src/index.js";
import { tempDir } from "./support/tmp.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let clock = Date.parse("2026-01-01T00:00:00Z");
const now = () => new Date(clock);
let store: SqliteSessionStore;
let n = 0;

beforeEach(async () => {
  clock = Date.parse("2026-01-01T00:00:00Z");
  store = new SqliteSessionStore({ path: tmp.file(`s${n++}.db`) }, { now });
  await store.setup();
});
afterEach(async () => {
  await store.close();
});

describe("sessions", () => {
  it("creates, reads, updates and deletes a session with all its data", async () => {
    const created = await store.createSession({
      sessionId: "s1",
      userId: "u1",
      agentId: "a1",
      metadata: { topic: "x" },
    });
    expect(created).toMatchObject({
      sessionId: "s1",
      userId: "u1",
      agentId: "a1",
      status: "active",
      lastSeq: 0,
      expiresAt: null,
    });
    expect(await store.getSession("s1")).toEqual(created);

    clock += 1000;
    const updated = await store.updateSession("s1", {
      status: "archived",
      metadata: { topic: "y" },
      userId: null,
    });
    expect(updated).toMatchObject({
      status: "archived",
      metadata: { topic: "y" },
      userId: null,
      agentId: "a1",
    });
    expect(updated.updatedAt.getTime()).toBe(clock);
    expect(updated.createdAt).toEqual(created.createdAt);

    await store.appendMessages("s1", [{ role: "user", content: "hi" }]);
    await store.putSummary("s1", { content: "sum", uptoSeq: 1 });
    await store.setWatermark("s1", "semantic", 1);
    expect(await store.deleteSession("s1")).toBe(true);
    expect(await store.deleteSession("s1")).toBe(false);
    expect(await store.getSession("s1")).toBeNull();

    // Nothing of the old session survives into a new one with the same id.
    await store.createSession({ sessionId: "s1" });
    expect(await store.getMessages("s1")).toEqual([]);
    expect(await store.getSummary("s1")).toBeNull();
    expect(await store.getWatermark("s1", "semantic")).toBe(0);
    const counts = store.database
      .prepare(
        "SELECT (SELECT count(*) FROM ls_messages) + (SELECT count(*) FROM ls_summaries) + (SELECT count(*) FROM ls_watermarks)",
      )
      .pluck()
      .get();
    expect(counts).toBe(0);
  });

  it("refuses a second live session with the same id", async () => {
    await store.createSession({ sessionId: "dup" });
    await expect(store.createSession({ sessionId: "dup" })).rejects.toBeInstanceOf(ConflictError);
  });

  it("answers NotFoundError for a missing session on every session-scoped call", async () => {
    await expect(store.updateSession("nope", { status: "x" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.appendMessages("nope", [{ role: "user", content: "x" }])).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(store.getMessages("nope")).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.putSummary("nope", { content: "x", uptoSeq: 0 })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(store.getSummary("nope")).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.getWatermark("nope", "w")).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.setWatermark("nope", "w", 1)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("messages", () => {
  beforeEach(async () => {
    await store.createSession({ sessionId: "s" });
  });

  it("assigns gap-free seq from 1 and keeps batch order", async () => {
    const a = await store.appendMessages("s", [
      { role: "user", content: "one" },
      { role: "assistant", content: "two" },
    ]);
    const b = await store.appendMessages("s", [
      { role: "user", content: "three", metadata: { k: [1, { x: null }] } },
    ]);
    expect([...a, ...b].map((m) => m.seq)).toEqual([1, 2, 3]);
    expect((await store.getSession("s"))!.lastSeq).toBe(3);
    const all = await store.getMessages("s");
    expect(all.map((m) => m.content)).toEqual(["one", "two", "three"]);
    expect(all[2]!.metadata).toEqual({ k: [1, { x: null }] });
  });

  it("is idempotent by message id, within and across batches", async () => {
    const first = await store.appendMessages("s", [{ id: "m1", role: "user", content: "hello" }]);
    const again = await store.appendMessages("s", [
      { id: "m1", role: "user", content: "changed on retry" },
      { id: "m2", role: "assistant", content: "new" },
    ]);
    expect(again[0]).toEqual(first[0]);
    expect(again[1]!.seq).toBe(2);
    expect((await store.getMessages("s")).map((m) => m.id)).toEqual(["m1", "m2"]);
  });

  it("rolls the whole batch back when one insert fails", async () => {
    await store.appendMessages("s", [{ role: "user", content: "kept" }]);
    // A trigger stands in for a disk or constraint failure in the middle of a batch.
    store.database.exec(
      `CREATE TRIGGER fail_on_boom BEFORE INSERT ON ls_messages WHEN NEW.content = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`,
    );
    await expect(
      store.appendMessages("s", [
        { role: "user", content: "a" },
        { role: "user", content: "boom" },
      ]),
    ).rejects.toThrow(/boom/);
    expect((await store.getMessages("s")).map((m) => m.content)).toEqual(["kept"]);
    expect((await store.getSession("s"))!.lastSeq).toBe(1);
    store.database.exec("DROP TRIGGER fail_on_boom");
    const next = await store.appendMessages("s", [{ role: "user", content: "after" }]);
    expect(next[0]!.seq).toBe(2);
  });

  it("reads the last N, pages by cursor, and filters by time", async () => {
    for (let i = 1; i <= 10; i++) {
      clock += 1000;
      await store.appendMessages("s", [{ role: "user", content: `m${i}` }]);
    }
    const seqs = (ms: { seq: number }[]) => ms.map((m) => m.seq);
    expect(seqs(await store.getMessages("s", { last: 3 }))).toEqual([8, 9, 10]);
    expect(seqs(await store.getMessages("s", { last: 3, beforeSeq: 5 }))).toEqual([2, 3, 4]);
    expect(seqs(await store.getMessages("s", { afterSeq: 4, limit: 3 }))).toEqual([5, 6, 7]);
    expect(seqs(await store.getMessages("s", { afterSeq: 4, beforeSeq: 7 }))).toEqual([5, 6]);
    const since = new Date(Date.parse("2026-01-01T00:00:00Z") + 8000);
    expect(seqs(await store.getMessages("s", { since }))).toEqual([8, 9, 10]);
    expect(seqs(await store.getMessages("s", { since, last: 2 }))).toEqual([9, 10]);
    await expect(store.getMessages("s", { last: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it("orders by seq, never by time: equal and backwards createdAt change nothing", async () => {
    const t = new Date("2020-01-01T00:00:00Z");
    await store.appendMessages(
      "s",
      Array.from({ length: 50 }, (_, i) => ({ role: "user", content: `same-${i}`, createdAt: t })),
    );
    await store.appendMessages("s", [
      { role: "user", content: "older", createdAt: new Date("2019-01-01T00:00:00Z") },
    ]);
    const read = await store.getMessages("s");
    expect(read.map((m) => m.content)).toEqual([
      ...Array.from({ length: 50 }, (_, i) => `same-${i}`),
      "older",
    ]);
    expect(read.map((m) => m.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
  });

  it("stores text exactly: unicode, quotes, SQL-looking content, 1 MiB bodies", async () => {
    const weird = [
      "'; DROP TABLE ls_messages; --",
      "emoji 🧠👩‍💻",
      "\u{10FFFF}\uFFFF",
      "line\nbreak\ttab",
      "x".repeat(1 << 20),
    ];
    await store.appendMessages(
      "s",
      weird.map((content) => ({ role: "user", content, metadata: { content } })),
    );
    const read = await store.getMessages("s");
    expect(read.map((m) => m.content)).toEqual(weird);
    expect(read.map((m) => m.metadata.content)).toEqual(weird);
  });

  it("sets the expiry in the same transaction as an append (sliding TTL)", async () => {
    const expiresAt = new Date(clock + 60_000);
    await store.appendMessages("s", [{ role: "user", content: "x" }], { expiresAt });
    expect((await store.getSession("s"))!.expiresAt).toEqual(expiresAt);
    await store.appendMessages("s", [{ role: "user", content: "y" }], { expiresAt: null });
    expect((await store.getSession("s"))!.expiresAt).toBeNull();
  });
});

describe("summaries and watermarks", () => {
  beforeEach(async () => {
    await store.createSession({ sessionId: "s" });
  });

  it("versions summaries per session; the newest wins", async () => {
    expect(await store.getSummary("s")).toBeNull();
    const v1 = await store.putSummary("s", { content: "first", uptoSeq: 3 });
    const v2 = await store.putSummary("s", { content: "second", uptoSeq: 7, metadata: { by: "llm" } });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(await store.getSummary("s")).toEqual(v2);
    await store.createSession({ sessionId: "other" });
    expect((await store.putSummary("other", { content: "o", uptoSeq: 0 })).version).toBe(1);
  });

  it("only ever raises a watermark", async () => {
    expect(await store.getWatermark("s", "semantic")).toBe(0);
    await store.setWatermark("s", "semantic", 5);
    await store.setWatermark("s", "semantic", 3);
    expect(await store.getWatermark("s", "semantic")).toBe(5);
    await store.setWatermark("s", "other", 1);
    expect(await store.getWatermark("s", "other")).toBe(1);
    await expect(store.setWatermark("s", "semantic", -1)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("expiry", () => {
  it("hides expired sessions from every read, lets createSession replace them, and prunes them", async () => {
    await store.createSession({ sessionId: "old", userId: "u", expiresAt: new Date(clock + 1000) });
    await store.appendMessages("old", [{ role: "user", content: "x" }]);
    await store.createSession({ sessionId: "keep", userId: "u" });
    clock += 1000; // expiresAt <= now: expired
    expect(await store.getSession("old")).toBeNull();
    await expect(store.getMessages("old")).rejects.toBeInstanceOf(NotFoundError);
    expect((await store.listSessions({ userId: "u" })).items.map((s) => s.sessionId)).toEqual(["keep"]);
    expect(await store.deleteSession("old")).toBe(false);

    await store.createSession({ sessionId: "old2", expiresAt: new Date(clock + 10) });
    clock += 10;
    const replaced = await store.createSession({ sessionId: "old2" });
    expect(replaced.lastSeq).toBe(0);

    await store.createSession({ sessionId: "old3", expiresAt: new Date(clock + 5) });
    await store.appendMessages("old3", [{ role: "user", content: "x" }]);
    expect(await store.prune({ now: new Date(clock + 5) })).toBe(1);
    expect(await store.prune({ now: new Date(clock + 5) })).toBe(0);
    const left = store.database.prepare("SELECT count(*) FROM ls_messages").pluck().get();
    expect(left).toBe(0);
  });

  it("prunes in bounded batches and counts every removed session", async () => {
    for (let i = 0; i < 250; i++)
      await store.createSession({ sessionId: `e${i}`, expiresAt: new Date(clock + 1) });
    await store.createSession({ sessionId: "live" });
    expect(await store.prune({ now: new Date(clock + 1) })).toBe(250);
    expect((await store.listSessions()).items.map((s) => s.sessionId)).toEqual(["live"]);
  });
});

describe("listing", () => {
  it("lists newest first with ties broken by id (descending, JavaScript order), across pages", async () => {
    const ids = ["a", "b", "B", "é", "\uFFFF", "\u{1F600}", "z"];
    for (const id of ids) await store.createSession({ sessionId: id, userId: "u" }); // same millisecond
    clock += 1;
    await store.createSession({ sessionId: "newest", userId: "u" });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listSessions({ userId: "u", limit: 3, cursor });
      seen.push(...page.items.map((s) => s.sessionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["newest", ...[...ids].sort().reverse()]);
  });

  it("filters by user, agent and status together", async () => {
    await store.createSession({ sessionId: "1", userId: "u", agentId: "a" });
    await store.createSession({ sessionId: "2", userId: "u", agentId: "b" });
    await store.createSession({ sessionId: "3", userId: "v", agentId: "a", status: "closed" });
    const ids = async (q: object) => (await store.listSessions(q)).items.map((s) => s.sessionId).sort();
    expect(await ids({ userId: "u" })).toEqual(["1", "2"]);
    expect(await ids({ agentId: "a" })).toEqual(["1", "3"]);
    expect(await ids({ agentId: "a", status: "closed" })).toEqual(["3"]);
    expect(await ids({ userId: "u", agentId: "a", status: "active" })).toEqual(["1"]);
    await expect(store.listSessions({ cursor: "garbage" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("lists sessions another connection created", async () => {
    const other = new SqliteSessionStore({ path: store.database.name });
    await other.createSession({ sessionId: "from-other", userId: "u" });
    expect((await store.listSessions({ userId: "u" })).items.map((s) => s.sessionId)).toEqual(["from-other"]);
    await other.close();
  });
});

describe("lifecycle", () => {
  it("leaves a caller's database open on close and refuses further calls", async () => {
    const db = new Database(":memory:");
    const own = new SqliteSessionStore({ database: db });
    await own.setup();
    await own.createSession({ sessionId: "x" });
    expect(own.capabilities.persistent).toBe(false);
    await own.close();
    expect(db.open).toBe(true);
    expect(db.prepare("SELECT count(*) FROM ls_sessions").pluck().get()).toBe(1);
    await expect(own.getSession("x")).rejects.toBeInstanceOf(BackendUnavailableError);
    db.close();
  });

  it("closes a connection it opened", async () => {
    const db = store.database;
    await store.close();
    expect(db.open).toBe(false);
    await store.close(); // idempotent
  });

  it("honours an aborted signal before doing any work", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      store.createSession({ sessionId: "x" }, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: "ABORTED" });
    expect(await store.getSession("x")).toBeNull();
  });
});
