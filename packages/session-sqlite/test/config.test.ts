import { ConfigError, createMemoryManager, registry, validateSettings } from "@langswarm/memory-core";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteSessionStore, sqliteSessionDescriptor } from "../src/index.js";
import { tempDir } from "./support/tmp.js";

const tmp = tempDir("session-sqlite-config");
afterAll(() => tmp.cleanup());

const configError = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
};

describe("settings", () => {
  it("applies LangSwarm's defaults", () => {
    const s = validateSettings(sqliteSessionDescriptor.settingsSchema, {}, { backend: "sqlite" });
    expect(s).toEqual({ path: "langswarm_memory.db", table_prefix: "ls_", busy_timeout_ms: 5000, wal: true });
  });

  it("names a misspelt key and its closest valid spelling", () => {
    const error = configError(() => new SqliteSessionStore({ path: ":memory:", table_prefx: "x_" } as never));
    expect(error.message).toMatch(/table_prefx/);
    expect(error.message).toMatch(/did you mean "table_prefix"/);
  });

  it("rejects table prefixes that could be SQL, and other out-of-range values", () => {
    expect(
      configError(() => new SqliteSessionStore({ table_prefix: 'x"; DROP TABLE y; --' })).message,
    ).toMatch(/table_prefix/);
    expect(configError(() => new SqliteSessionStore({ table_prefix: "a".repeat(39) })).message).toMatch(
      /table_prefix/,
    );
    expect(configError(() => new SqliteSessionStore({ busy_timeout_ms: -1 })).message).toMatch(
      /busy_timeout_ms/,
    );
    expect(configError(() => new SqliteSessionStore({ path: "" })).message).toMatch(/path/);
    expect(configError(() => new SqliteSessionStore({ database: {} as never })).message).toMatch(
      /better-sqlite3/,
    );
  });
});

describe("registration", () => {
  it("registers as sqlite with LangSwarm's alias local", () => {
    expect(registry.get("session", "sqlite")).toBe(sqliteSessionDescriptor);
    expect(registry.get("session", "local")).toBe(sqliteSessionDescriptor);
  });

  it("works end to end through createMemoryManager, by name, alias and explicit adapter", async () => {
    for (const [backend, adapters] of [
      ["sqlite", undefined],
      ["local", undefined],
      ["sqlite", [sqliteSessionDescriptor]],
    ] as const) {
      const path = tmp.file(`${backend}-${adapters ? "explicit" : "registry"}.db`);
      const manager = await createMemoryManager(
        { backend, settings: { path } },
        adapters ? { adapters: [...adapters] } : {},
      );
      const session = await manager.createSession({ userId: "u" });
      await manager.addMessage(session.sessionId, { role: "user", content: "hello" });
      await manager.addMessages(session.sessionId, [
        { role: "assistant", content: "hi" },
        { role: "user", content: "bye" },
      ]);
      const last = await manager.getMessages(session.sessionId, { last: 2 });
      expect(last.map((m) => [m.seq, m.content])).toEqual([
        [2, "hi"],
        [3, "bye"],
      ]);
      expect((await manager.listSessions({ userId: "u" })).items).toHaveLength(1);
      await manager.close();

      // Durable: a new manager on the same file sees the history.
      const again = await createMemoryManager(
        { backend, settings: { path } },
        adapters ? { adapters: [...adapters] } : {},
      );
      expect((await again.getMessages(session.sessionId)).map((m) => m.content)).toEqual([
        "hello",
        "hi",
        "bye",
      ]);
      await again.close();
    }
  });
});
