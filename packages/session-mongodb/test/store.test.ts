import {
  BackendUnavailableError,
  ConfigError,
  createMemoryManager,
  registry,
  type SessionStore,
} from "@langswarm/memory-core";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descriptor, MongoSessionStore } from "../src/index.js";
import { freePort } from "./helpers/ferretdb.js";
import { dropStore, mongoUrl, newStore, uniqueDatabase } from "./helpers/stores.js";

describe("settings", () => {
  it("registers backend mongodb with alias mongo", () => {
    expect(registry.get("session", "mongodb")).toBe(descriptor);
    expect(registry.get("session", "mongo")).toBe(descriptor);
  });

  it("validates LangSwarm settings and names the closest key", () => {
    expect(() => descriptor.create({ urii: "mongodb://localhost" })).toThrow(/did you mean "uri"/);
    expect(() => descriptor.create({ collection_prefix: "bad prefix" })).toThrow(ConfigError);
    expect(() => descriptor.create({ database: "a/b" })).toThrow(ConfigError);
    expect(() => descriptor.create({ server_selection_timeout_ms: 0 })).toThrow(ConfigError);
    expect(() => descriptor.create({ uri: "mongodb://a/", url: "mongodb://b/" })).toThrow(/aliases/);
    expect(() => descriptor.create({ uri: "mongodb://a/", client: {} })).toThrow(ConfigError);
  });

  it("accepts url as an alias of uri and takes the database from it", async () => {
    const store = (await descriptor.create({ url: "mongodb://127.0.0.1:1/fromurl" })) as MongoSessionStore;
    expect(store.databaseName).toBe("fromurl");
    expect(store.collectionPrefix).toBe("ls_");
    await store.close();
  });

  it("never prints the password of the connection string", async () => {
    const secret = "s3cr3t-P4ss";
    // A connection string the driver refuses: the ConfigError names no secret.
    const refused = (() => {
      try {
        descriptor.create({ uri: `mongodb://admin:${secret}@127.0.0.1:27017/x?notAnOption=1&w=banana` });
        return null;
      } catch (error) {
        return error as Error;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    expect(`${refused?.message} ${String(refused?.cause ?? "")}`).not.toContain(secret);
    // A well-formed URI whose server is down: the error names no secret either.
    const port = await freePort();
    const store = new MongoSessionStore({
      uri: `mongodb://admin:${secret}@127.0.0.1:${port}/x`,
      serverSelectionTimeoutMS: 300,
    });
    const error = await store.getSession("s").catch((e: Error) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(JSON.stringify({ m: (error as Error).message, s: (error as Error).stack })).not.toContain(secret);
    await store.close();
  });
});

describe.skipIf(!mongoUrl)("against the server", () => {
  let store: MongoSessionStore;
  beforeAll(async () => {
    store = await newStore();
  });
  afterAll(async () => {
    if (store) await dropStore(store);
  });

  it("setup is versioned, idempotent and safe to run from two processes at once", async () => {
    const database = uniqueDatabase();
    const a = new MongoSessionStore({ uri: mongoUrl, database });
    const b = new MongoSessionStore({ uri: mongoUrl, database });
    try {
      await Promise.all([a.setup(), b.setup(), a.setup()]);
      const info = await a.schemaInfo();
      expect(info?.version).toBe(1);
      expect([true, "unsupported"]).toContain(info?.ttl);
      await a.createSession({ sessionId: "x" });
      await a.setup(); // again: nothing lost
      expect(await b.getSession("x")).not.toBeNull();
    } finally {
      await a.db.dropDatabase();
      await a.close();
      await b.close();
    }
  });

  it("refuses a schema newer than it knows", async () => {
    const other = await newStore();
    try {
      await other.db.collection("ls_meta").updateOne({ _id: "schema" as never }, { $set: { version: 99 } });
      await expect(other.setup()).rejects.toThrow(/schema version 99/);
    } finally {
      await dropStore(other);
    }
  });

  it("a caller-supplied client stays open after close()", async () => {
    const client = new MongoClient(mongoUrl);
    const owned = new MongoSessionStore({ client, database: store.databaseName });
    await owned.createSession({ sessionId: "owned" });
    await owned.close();
    await expect(owned.getSession("owned")).rejects.toThrow(/closed/);
    // The client still works for its owner.
    const doc = await client.db(store.databaseName).collection("ls_sessions").findOne({ sessionId: "owned" });
    expect(doc?.sessionId).toBe("owned");
    await client.close();
  });

  it("collection prefixes isolate stores in one database", async () => {
    const other = new MongoSessionStore({
      uri: mongoUrl,
      database: store.databaseName,
      collectionPrefix: "other_",
    });
    try {
      await other.setup();
      await other.createSession({ sessionId: "iso" });
      await store.createSession({ sessionId: "iso" });
      await other.appendMessages("iso", [{ id: "a", role: "user", content: "other" }]);
      expect(await store.getMessages("iso")).toEqual([]);
      const names = (await store.db.listCollections().toArray()).map((c) => c.name);
      expect(names).toContain("other_messages");
      expect(names).toContain("ls_messages");
    } finally {
      await other.close();
    }
  });

  it("user data never becomes query syntax: ids like operators match only themselves", async () => {
    await store.createSession({ sessionId: "victim", userId: "u1", metadata: { a: 1 } });
    await store.createSession({ sessionId: '{"$gt": ""}', userId: '{"$ne": null}' });
    await store.appendMessages("victim", [{ id: "v1", role: "user", content: "secret" }]);
    expect(await store.getSession('{"$gt": ""}')).toMatchObject({ sessionId: '{"$gt": ""}' });
    const listed = await store.listSessions({ userId: '{"$ne": null}' });
    expect(listed.items.map((s) => s.sessionId)).toEqual(['{"$gt": ""}']);
    // Metadata is stored as JSON text: no stored field name comes from the user.
    const meta = { $where: "sleep(1)", "a.b": { $gt: 1 } };
    await store.updateSession("victim", { metadata: meta });
    const raw = await store.db.collection("ls_sessions").findOne({ sessionId: "victim" });
    expect(typeof raw?.metadata).toBe("string");
    expect((await store.getSession("victim"))?.metadata).toEqual(meta);
  });

  it("a large batch goes through intent chunks and comes back whole", async () => {
    await store.createSession({ sessionId: "large" });
    const big = "x".repeat(3 * 1024 * 1024);
    const batch = [0, 1, 2].map((i) => ({ id: `big${i}`, role: "user", content: `${i}${big}` }));
    const stored = await store.appendMessages("large", batch);
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 3]);
    const read = await store.getMessages("large");
    expect(read.map((m) => m.content.length)).toEqual(batch.map((b) => b.content.length));
    expect(read[2]!.content.startsWith("2x")).toBe(true);
    expect(await store.db.collection("ls_intents").countDocuments({})).toBe(0);
    const again = await store.appendMessages("large", batch.slice(1));
    expect(again.map((m) => m.seq)).toEqual([2, 3]);
  });

  it("a batch whose writer died after committing is visible at once and finished later", async () => {
    await store.createSession({ sessionId: "crash" });
    await store.appendMessages("crash", [{ id: "c1", role: "user", content: "one" }]);
    const session = await store.db.collection("ls_sessions").findOne({ sessionId: "crash" });
    const gen = session!.gen as string;
    // What a writer leaves when it dies right after the commit insert: claims + batch, no rows.
    const at = new Date(Date.now() - 60_000);
    const dead = { id: "c2", role: "assistant", content: "two", metadata: "{}", createdAt: at };
    await store.db
      .collection("ls_claims")
      .insertOne({ sessionId: "crash", gen, messageId: "c2", token: "deadtoken", at });
    await store.db.collection<Record<string, unknown> & { _id: string }>("ls_batches").insertOne({
      _id: `${gen}:2`,
      sessionId: "crash",
      gen,
      token: "deadtoken",
      k: 2,
      start: 2,
      n: 1,
      at,
      mat: false,
      ids: ["c2"],
      m: [dead],
    });
    expect((await store.getMessages("crash")).map((m) => m.id)).toEqual(["c1", "c2"]);
    expect((await store.getSession("crash"))?.lastSeq).toBe(2);
    // A retry of the dead writer's message finds it; a new message goes after it.
    const retried = await store.appendMessages("crash", [
      { id: "c2", role: "assistant", content: "two" },
      { id: "c3", role: "user", content: "three" },
    ]);
    expect(retried.map((m) => m.seq)).toEqual([2, 3]);
    expect(await store.db.collection("ls_messages").countDocuments({ gen, messageId: "c2" })).toBe(0);
    await store.prune();
    expect(await store.db.collection("ls_messages").countDocuments({ gen, messageId: "c2" })).toBe(1);
    expect((await store.getMessages("crash")).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it("claims left by a writer that died before committing are released", async () => {
    await store.createSession({ sessionId: "orphan-claims" });
    const session = await store.db.collection("ls_sessions").findOne({ sessionId: "orphan-claims" });
    await store.db.collection("ls_claims").insertOne({
      sessionId: "orphan-claims",
      gen: session!.gen,
      messageId: "m1",
      token: "neverCommitted",
      at: new Date(Date.now() - 60_000),
    });
    const [m] = await store.appendMessages("orphan-claims", [{ id: "m1", role: "user", content: "hello" }]);
    expect(m!.seq).toBe(1);
    expect(await store.db.collection("ls_batches").findOne({ token: "neverCommitted" })).toMatchObject({
      aborted: true,
    });
  });

  it("the same batch retried from two processes at once is stored once", async () => {
    const other = new MongoSessionStore({ uri: mongoUrl, database: store.databaseName });
    try {
      await store.createSession({ sessionId: "twice" });
      const batch = Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, role: "user", content: `${i}` }));
      const results = await Promise.all([
        store.appendMessages("twice", batch),
        other.appendMessages("twice", batch),
        store.appendMessages("twice", batch),
        other.appendMessages("twice", batch),
      ]);
      for (const r of results) expect(r.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
      expect((await store.getMessages("twice")).length).toBe(5);
    } finally {
      await other.close();
    }
  });

  it("sweepOrphans removes rows whose session document is gone", async () => {
    await store.createSession({ sessionId: "gone" });
    await store.appendMessages("gone", [{ id: "g1", role: "user", content: "x" }]);
    await store.setWatermark("gone", "w", 3);
    // As the TTL monitor would: only the session document disappears.
    await store.db.collection("ls_sessions").deleteOne({ sessionId: "gone" });
    const removed = await store.sweepOrphans();
    expect(removed).toBeGreaterThanOrEqual(4); // message, batch, claim, watermark
    expect(await store.db.collection("ls_messages").countDocuments({ sessionId: "gone" })).toBe(0);
  });

  it("works through createMemoryManager with a LangSwarm config", async () => {
    const manager = await createMemoryManager({
      backend: "mongo",
      settings: { url: mongoUrl, database: store.databaseName, collection_prefix: "mgr_" },
    });
    try {
      const session = await manager.createSession({ sessionId: "via-manager", userId: "u" });
      expect(session.sessionId).toBe("via-manager");
      await manager.addMessage("via-manager", { role: "user", content: "hi" });
      const messages = await manager.getMessages("via-manager", { last: 5 });
      expect(messages.map((m) => m.content)).toEqual(["hi"]);
    } finally {
      await manager.close();
    }
  });

  it("honours an AbortSignal on reads", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(store.listSessions({}, { signal: controller.signal })).rejects.toMatchObject({
      code: "ABORTED",
    });
    const s: SessionStore = store;
    await expect(s.getMessages("crash", {}, { signal: controller.signal })).rejects.toMatchObject({
      code: "ABORTED",
    });
  });
});
