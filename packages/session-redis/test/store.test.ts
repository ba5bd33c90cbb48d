import {
  ConfigError,
  createMemoryManager,
  InMemorySessionStore,
  registry,
  validateSettings,
} from "@langswarm/memory-core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { descriptor, encodeId, indexKey, RedisSessionStore, sessionKeys, storeKeys } from "../src/index.js";
import { dropPrefix, newStore, REDIS_ENV, redisUrl, uniquePrefix } from "./helpers.js";
import { freePort } from "./redis-server.js";

if (!redisUrl)
  console.log(
    `[session-redis] adapter tests against a server skipped: set ${REDIS_ENV} (scripts/services/start.sh exports it)`,
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("settings and registration (no server needed)", () => {
  it("registers backend redis on import, with the descriptor's schema", () => {
    expect(registry.get("session", "redis")).toBe(descriptor);
  });

  it("validates settings with LangSwarm's keys and names the closest valid key", () => {
    const ok = validateSettings(
      descriptor.settingsSchema,
      { url: "redis://localhost:6379", key_prefix: "ls:v1:" },
      { backend: "redis" },
    );
    expect(ok.key_prefix).toBe("ls:v1:");
    expect(validateSettings(descriptor.settingsSchema, {}, { backend: "redis" }).key_prefix).toBe(
      "langswarm:",
    );
    expect(() =>
      validateSettings(descriptor.settingsSchema, { key_prefx: "a:" }, { backend: "redis" }),
    ).toThrow(/did you mean "key_prefix"/);
    for (const bad of ["a{b}:", "a*", "with space", "x".repeat(65)]) {
      expect(() =>
        validateSettings(descriptor.settingsSchema, { key_prefix: bad }, { backend: "redis" }),
      ).toThrow(ConfigError);
    }
    expect(() => validateSettings(descriptor.settingsSchema, { ttl: 0 }, { backend: "redis" })).toThrow(
      /ttl/,
    );
  });

  it("never echoes the URL (it may carry a password)", () => {
    try {
      validateSettings(descriptor.settingsSchema, { url: 42 }, { backend: "redis" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/settings\.url/);
    }
    expect(() => new RedisSessionStore({ url: "http://user:hunter2@host" })).toThrow(ConfigError);
    try {
      new RedisSessionStore({ url: "http://user:hunter2@host" });
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
    }
  });

  it("refuses ambiguous or unsupported clients", () => {
    const client = new Redis({ lazyConnect: true });
    try {
      expect(() => new RedisSessionStore({ client, url: "redis://x" })).toThrow(/either client or url/);
      expect(
        () =>
          new RedisSessionStore({
            client: { isCluster: true, call() {}, quit() {}, disconnect() {} } as never,
          }),
      ).toThrow(/Cluster/);
      expect(() => new RedisSessionStore({ client: {} as never })).toThrow(/ioredis client/);
      expect(() => new RedisSessionStore({ keyPrefix: "bad prefix" })).toThrow(/key_prefix/);
    } finally {
      client.disconnect();
    }
  });

  it("fails fast with BackendUnavailableError when nothing listens, without leaking the password", async () => {
    const port = await freePort();
    const store = new RedisSessionStore({ url: `redis://user:hunter2@127.0.0.1:${port}`, keyPrefix: "x:" });
    const started = Date.now();
    const error = await store.getSession("s").then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe("BACKEND_UNAVAILABLE");
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error?.message).not.toContain("hunter2");
    await store.close();
  });
});

describe.skipIf(!redisUrl)("against Redis", () => {
  let raw: Redis;
  const prefixes: string[] = [];
  const track = (store: RedisSessionStore) => {
    prefixes.push(store.keyPrefix);
    return store;
  };
  beforeAll(async () => {
    raw = new Redis(redisUrl!);
  });
  afterAll(async () => {
    for (const p of prefixes) await dropPrefix(p);
    await raw.quit();
  });

  it("setup is versioned, idempotent, safe concurrently, and refuses a newer layout", async () => {
    const store = track(newStore());
    await Promise.all([
      store.setup(),
      store.setup(),
      store.setup(),
      newStore({ keyPrefix: store.keyPrefix }).setup(),
    ]);
    expect(await raw.hget(storeKeys(store.keyPrefix).meta, "schema_version")).toBe("1");
    await raw.hset(storeKeys(store.keyPrefix).meta, "schema_version", "99");
    await expect(store.setup()).rejects.toThrow(/schema version 99/);
    await store.close();
  });

  it("keeps every key of a session under one hash tag (one Cluster slot) and deletes them all", async () => {
    const store = track(newStore());
    await store.setup();
    const id = "a}{b*?[x] 🧠";
    await store.createSession({ sessionId: id, userId: "u", agentId: "a" });
    await store.appendMessages(id, [{ id: "m1", role: "user", content: "x" }]);
    await store.putSummary(id, { content: "s", uptoSeq: 1 });
    const keys = sessionKeys(store.keyPrefix, id);
    const all = [keys.session, keys.messages, keys.dedupe, keys.summaries];
    expect(await raw.exists(...all)).toBe(4);
    const slots = await Promise.all(all.map((k) => raw.call("CLUSTER", "KEYSLOT", k).catch(() => null)));
    if (slots[0] !== null) expect(new Set(slots).size).toBe(1);
    expect(await raw.zcard(indexKey(store.keyPrefix, { user: encodeId("u"), agent: encodeId("a") }))).toBe(1);
    expect(await store.deleteSession(id)).toBe(true);
    expect(await raw.exists(...all)).toBe(0);
    expect(await raw.zcard(indexKey(store.keyPrefix, {}))).toBe(0);
    expect(await raw.hlen(storeKeys(store.keyPrefix).registry)).toBe(0);
    await store.close();
  });

  it("lists ties in the reference order: createdAt desc, then sessionId desc by JavaScript comparison", async () => {
    const t = new Date("2025-01-01T00:00:00Z");
    const store = track(newStore({ now: () => t }));
    const reference = new InMemorySessionStore({ now: () => t });
    await store.setup();
    const ids = [
      "a",
      "b",
      "B",
      "é",
      "\uff01",
      "🧠",
      "🚀",
      "a\u0000b".replace("\u0000", ""),
      "{x}",
      "}{",
      "zz",
      "z",
    ];
    for (const id of ids) {
      await store.createSession({ sessionId: id, userId: "same" });
      await reference.createSession({ sessionId: id, userId: "same" });
    }
    for (const limit of [1, 3, 100]) {
      const walk = async (s: { listSessions: RedisSessionStore["listSessions"] }) => {
        const out: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<RedisSessionStore["listSessions"]>> = await s.listSessions({
            userId: "same",
            limit,
            cursor,
          });
          out.push(...page.items.map((i) => i.sessionId));
          cursor = page.nextCursor;
        } while (cursor);
        return out;
      };
      expect(await walk(store)).toEqual(await walk(reference));
    }
    await store.close();
  });

  it("applies expiry natively to every key of the session, in the same script as the write", async () => {
    const store = track(newStore());
    await store.setup();
    const until = Date.now() + 60_000;
    await store.createSession({ sessionId: "e", userId: "u", expiresAt: new Date(until) });
    await store.appendMessages("e", [{ id: "m", role: "user", content: "x" }]);
    await store.putSummary("e", { content: "s", uptoSeq: 1 });
    const keys = sessionKeys(store.keyPrefix, "e");
    for (const key of [keys.session, keys.messages, keys.dedupe, keys.summaries]) {
      expect(Number(await raw.pexpiretime(key))).toBe(until);
    }
    await store.updateSession("e", { expiresAt: null });
    for (const key of [keys.session, keys.messages, keys.dedupe, keys.summaries])
      expect(await raw.pttl(key)).toBe(-1);
    await store.close();
  });

  it("a natively expired session is never listed, and prune() removes its index residue", async () => {
    const store = track(newStore());
    await store.setup();
    await store.createSession({
      sessionId: "gone",
      userId: "u",
      agentId: "a",
      status: "active",
      expiresAt: new Date(Date.now() + 150),
    });
    await store.createSession({ sessionId: "stays", userId: "u", agentId: "a" });
    await store.appendMessages("gone", [{ id: "m", role: "user", content: "x" }]);
    await sleep(400);
    const keys = sessionKeys(store.keyPrefix, "gone");
    expect(await raw.exists(keys.session, keys.messages, keys.dedupe)).toBe(0); // Redis removed them itself
    const byAgent = indexKey(store.keyPrefix, { agent: encodeId("a") });
    expect(await raw.zscore(byAgent, encodeId("gone"))).not.toBeNull(); // the entry is still there...
    for (const query of [
      {},
      { userId: "u" },
      { agentId: "a" },
      { status: "active" },
      { userId: "u", agentId: "a", status: "active" },
    ]) {
      expect((await store.listSessions(query)).items.map((s) => s.sessionId)).toEqual(["stays"]); // ...but never listed
    }
    expect(await raw.zscore(byAgent, encodeId("gone"))).toBeNull(); // and the index that was read dropped it
    expect(await store.prune()).toBe(1);
    const members = await Promise.all(
      [
        indexKey(store.keyPrefix, {}),
        indexKey(store.keyPrefix, { user: encodeId("u") }),
        indexKey(store.keyPrefix, { status: encodeId("active") }),
      ].map((k) => raw.zscore(k, encodeId("gone"))),
    );
    expect(members).toEqual([null, null, null]);
    expect(await raw.hexists(storeKeys(store.keyPrefix).registry, encodeId("gone"))).toBe(0);
    expect(await raw.zcard(storeKeys(store.keyPrefix).expiry)).toBe(0);
    expect(await store.prune()).toBe(0);
    await store.close();
  });

  it("ttl: new sessions expire after ttl, each append slides the expiry forward, explicit null stays", async () => {
    let now = Date.now();
    const store = track(newStore({ ttl: 60, now: () => new Date(now) }));
    await store.setup();
    const created = await store.createSession({ sessionId: "t" });
    expect(created.expiresAt?.getTime()).toBe(now + 60_000);
    now += 30_000;
    await store.appendMessages("t", [{ role: "user", content: "x" }]);
    expect((await store.getSession("t"))?.expiresAt?.getTime()).toBe(now + 60_000);
    expect(Number(await raw.pexpiretime(sessionKeys(store.keyPrefix, "t").messages))).toBe(now + 60_000);
    await store.createSession({ sessionId: "forever", expiresAt: null });
    await store.appendMessages("forever", [{ role: "user", content: "x" }]);
    expect((await store.getSession("forever"))?.expiresAt).toBeNull();
    await store.close();
  });

  it("concurrent updates that move a session between indexes leave it in exactly the right ones", async () => {
    const store = track(newStore());
    const other = track(newStore({ keyPrefix: store.keyPrefix }));
    await store.setup();
    await store.createSession({ sessionId: "moving", userId: "u0", agentId: "a0" });
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 ? other : store).updateSession("moving", {
          userId: `u${i % 4}`,
          agentId: i % 3 ? `a${i % 3}` : null,
          status: i % 2 ? "active" : "closed",
        }),
      ),
    );
    const final = (await store.getSession("moving"))!;
    for (let u = 0; u < 4; u++) {
      const listed = (await store.listSessions({ userId: `u${u}` })).items.map((s) => s.sessionId);
      expect(listed).toEqual(final.userId === `u${u}` ? ["moving"] : []);
    }
    for (const agent of ["a0", "a1", "a2"]) {
      expect((await store.listSessions({ agentId: agent })).items.length).toBe(
        final.agentId === agent ? 1 : 0,
      );
    }
    for (const status of ["active", "closed"]) {
      expect((await store.listSessions({ status, userId: final.userId! })).items.length).toBe(
        final.status === status ? 1 : 0,
      );
    }
    // Nothing else is left in any index: 2 + 2 (user) [+ 4 with an agent] entries.
    const keys = (await raw.keys(`${store.keyPrefix}ix:*`)) as string[];
    const counts = await Promise.all(keys.map((k) => raw.zcard(k)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(final.agentId ? 8 : 4);
    await store.close();
    await other.close();
  });

  it("a 1000-message batch is one atomic step with gap-free seq", async () => {
    const store = track(newStore());
    await store.setup();
    await store.createSession({ sessionId: "big" });
    const batch = Array.from({ length: 1000 }, (_, i) => ({ id: `b${i}`, role: "user", content: `c${i}` }));
    const stored = await store.appendMessages("big", batch);
    expect(stored.map((m) => m.seq)).toEqual(batch.map((_, i) => i + 1));
    expect((await store.getMessages("big", { last: 5 })).map((m) => m.id)).toEqual([
      "b995",
      "b996",
      "b997",
      "b998",
      "b999",
    ]);
    expect((await store.getMessages("big", { afterSeq: 998 })).map((m) => m.seq)).toEqual([999, 1000]);
    await store.close();
  });

  it("since scans past a window boundary and keeps seq order", async () => {
    const store = track(newStore());
    await store.setup();
    await store.createSession({ sessionId: "s" });
    const old = new Date("2020-01-01T00:00:00Z");
    const recent = new Date("2030-01-01T00:00:00Z");
    for (let b = 0; b < 3; b++) {
      await store.appendMessages(
        "s",
        Array.from({ length: 1000 }, (_, i) => ({
          id: `${b}-${i}`,
          role: "user",
          content: "x",
          createdAt: (b * 1000 + i) % 700 === 0 ? recent : old,
        })),
      );
    }
    const since = await store.getMessages("s", { since: new Date("2029-01-01T00:00:00Z") });
    expect(since.map((m) => m.seq)).toEqual([1, 701, 1401, 2101, 2801]);
    const lastTwo = await store.getMessages("s", { since: new Date("2029-01-01T00:00:00Z"), last: 2 });
    expect(lastTwo.map((m) => m.seq)).toEqual([2101, 2801]);
    await store.close();
  });

  it("re-sends scripts after SCRIPT FLUSH (EVALSHA falls back to EVAL)", async () => {
    const store = track(newStore());
    await store.setup();
    await store.createSession({ sessionId: "f" });
    await raw.script("FLUSH");
    const [m] = await store.appendMessages("f", [{ role: "user", content: "after flush" }]);
    expect(m!.seq).toBe(1);
    await store.close();
  });

  it("db selects the logical database", async () => {
    const store = newStore({ db: 3 });
    await store.setup();
    await store.createSession({ sessionId: "in-db-3" });
    const db3 = new Redis(redisUrl!, { db: 3 });
    try {
      expect(await db3.exists(sessionKeys(store.keyPrefix, "in-db-3").session)).toBe(1);
      expect(await raw.exists(sessionKeys(store.keyPrefix, "in-db-3").session)).toBe(0);
      await store.deleteSession("in-db-3");
      await db3.del(storeKeys(store.keyPrefix).meta);
    } finally {
      await db3.quit();
      await store.close();
    }
  });

  it("leaves a caller's client open on close() and closes its own", async () => {
    const client = new Redis(redisUrl!);
    const borrowed = track(new RedisSessionStore({ client, keyPrefix: uniquePrefix() }));
    await borrowed.setup();
    await borrowed.close();
    expect(await client.ping()).toBe("PONG");
    await client.quit();
    const owned = track(newStore());
    await owned.setup();
    await owned.close();
    await vi.waitFor(() => expect((owned.client as unknown as Redis).status).toBe("end"), { timeout: 2000 });
  });

  it("an abort while a read is in flight rejects with ABORTED", async () => {
    const store = track(newStore());
    await store.setup();
    await store.createSession({ sessionId: "a" });
    const controller = new AbortController();
    const read = store.getMessages("a", {}, { signal: controller.signal });
    controller.abort();
    await expect(read).rejects.toMatchObject({ code: "ABORTED" });
    await store.close();
  });

  it("works end to end through createMemoryManager with a LangSwarm config", async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const manager = await createMemoryManager({
      backend: "redis",
      settings: { url: redisUrl, key_prefix: prefix },
    });
    try {
      await manager.createSession({ sessionId: "m", userId: "u" });
      await manager.addMessage("m", { role: "user", content: "hello" });
      expect((await manager.getMessages("m", { last: 1 }))[0]?.content).toBe("hello");
      expect((await manager.listSessions({ userId: "u" })).items.map((s) => s.sessionId)).toEqual(["m"]);
    } finally {
      await manager.close();
    }
  });
});
