import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteSessionStore } from "../src/index.js";
import { tableNames } from "../src/schema.js";
import { Statements } from "../src/statements.js";

// Regression guard for "reading the last N reads the whole history" (LangChain's histories did):
// every hot statement must be an index search, never a table scan or a sort of the whole session.
const db = new Database(":memory:");
const store = new SqliteSessionStore({ database: db });
await store.setup();
const sql = new Statements(db, tableNames("ls_", "sqlite"));
afterAll(async () => {
  await store.close();
  db.close();
});

function plan(source: string, params: unknown[] | Record<string, unknown>): string[] {
  const explain = db.prepare(`EXPLAIN QUERY PLAN ${source}`);
  return (Array.isArray(params) ? explain.all(...params) : explain.all(params)).map(
    (r) => (r as { detail: string }).detail,
  );
}

function expectIndexOnly(details: string[]): void {
  expect(details.length).toBeGreaterThan(0);
  for (const d of details) {
    expect(d).toMatch(
      /^SEARCH .* USING (COVERING )?INDEX|^SEARCH .* USING INTEGER PRIMARY KEY|^SEARCH .* USING PRIMARY KEY/,
    );
    expect(d).not.toMatch(/TEMP B-TREE/);
  }
}

describe("query plans", () => {
  it("last N and cursor pages walk UNIQUE (session_id, seq)", () => {
    const args = ["s", 0, 1e15, 0, 50];
    for (const statement of [sql.lastMessages, sql.messagePage]) {
      const details = plan(statement.source, args);
      expectIndexOnly(details);
      expect(details.join()).toMatch(/session_id=\? AND seq>\? AND seq<\?/);
    }
  });

  it("idempotency lookups, sessions, summaries and watermarks are point lookups", () => {
    expectIndexOnly(plan(sql.messageById.source, ["s", "m"]));
    expectIndexOnly(plan(sql.sessionById.source, ["s"]));
    expectIndexOnly(plan(sql.latestSummary.source, ["s"]));
    expectIndexOnly(plan(sql.watermark.source, ["s", "w"]));
  });

  it("listing by user, agent or status uses its index in (created_at, id_key) order, without a sort", () => {
    for (const filter of ["userId", "agentId", "status"] as const) {
      for (const cursor of [false, true]) {
        const statement = sql.listing({
          userId: filter === "userId",
          agentId: filter === "agentId",
          status: filter === "status",
          cursor,
        });
        const params: Record<string, unknown> = { now: 0, limit: 10, [filter]: "x" };
        if (cursor) Object.assign(params, { afterCreatedAt: 1, afterIdKey: Buffer.from("a") });
        const details = plan(statement.source, params);
        expectIndexOnly(details);
      }
    }
  });
});
