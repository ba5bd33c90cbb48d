import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresSessionStore } from "../src/index.js";
import { closeAdmin, disposeStore, freshStore, SKIP_REASON, TEST_URL } from "./helpers.js";

if (!TEST_URL) console.warn(`[session-postgres] query plan tests skipped: ${SKIP_REASON}`);

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Scan Direction"?: string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * The plans that make "last N" and listing independent of data size, checked on the generic plan
 * (the one a prepared statement settles on), so a schema or query change cannot silently lose them.
 */
describe.skipIf(!TEST_URL)("query plans", () => {
  let store: PostgresSessionStore;

  beforeAll(async () => {
    store = await freshStore();
    await store.createSession({ sessionId: "s0", userId: "u0", agentId: "a" });
    // Enough sessions (written directly, it is only for the planner) that an index beats a scan.
    await store.pool.query(
      `INSERT INTO ${store.names.sessions} (session_id, user_id, agent_id, status, metadata, created_at, updated_at)
       SELECT 'bulk' || i, 'u' || (i % 200), 'a' || (i % 10), 'active', '{}', now() - i * interval '1 second', now()
         FROM generate_series(1, 20000) AS i`,
    );
    for (let b = 0; b < 10; b++) {
      await store.appendMessages(
        "s0",
        Array.from({ length: 500 }, (_, i) => ({ role: "user", content: `message ${b}-${i}` })),
      );
    }
    await store.pool.query(`ANALYZE ${store.names.sessions}; ANALYZE ${store.names.messages}`);
  });
  afterAll(async () => {
    await disposeStore(store);
    await closeAdmin();
  });

  async function genericPlan(text: string, values: unknown[]): Promise<PlanNode[]> {
    const client = await store.pool.connect();
    try {
      await client.query("SET plan_cache_mode = force_generic_plan");
      await client.query(`PREPARE plan_probe AS ${text}`);
      const literals = values.map((v) =>
        v === null
          ? "NULL"
          : v instanceof Date
            ? `'${v.toISOString()}'`
            : typeof v === "number"
              ? String(v)
              : `'${String(v).replaceAll("'", "''")}'`,
      );
      const result = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE plan_probe(${literals.join(", ")})`);
      return nodes(result.rows[0]["QUERY PLAN"][0].Plan as PlanNode);
    } finally {
      await client.query("DEALLOCATE ALL").catch(() => {});
      await client.query("RESET plan_cache_mode").catch(() => {});
      client.release();
    }
  }

  it("last N: a backward scan of the (session_id, seq) primary key, no sort of the history", async () => {
    const plan = await genericPlan(store.statements.lastMessages, [
      "s0",
      new Date(),
      0,
      Number.MAX_SAFE_INTEGER,
      null,
      50,
    ]);
    const scan = plan.find((n) => n["Relation Name"] === `${store.names.raw.prefix}messages`);
    expect(scan).toMatchObject({
      "Node Type": "Index Scan",
      "Index Name": "ls_messages_pkey",
      "Scan Direction": "Backward",
    });
    // The only sort allowed is the final re-ordering of the N rows, above the limit.
    const limitIndex = plan.findIndex((n) => n["Node Type"] === "Limit");
    expect(plan.slice(limitIndex).some((n) => n["Node Type"] === "Sort")).toBe(false);
  });

  it("listing by user: an index scan in (created_at, session_id) order, no sort", async () => {
    const text = store.statements.listSessions({ userId: true, agentId: false, status: false, cursor: true });
    const plan = await genericPlan(text, [new Date(), "u1", new Date(), "zzz", 101]);
    expect(plan.some((n) => n["Index Name"] === "ls_sessions_user_idx")).toBe(true);
    expect(plan.some((n) => n["Node Type"] === "Sort")).toBe(false);
  });

  it("listing everything: the recency index, no sort", async () => {
    const text = store.statements.listSessions({
      userId: false,
      agentId: false,
      status: false,
      cursor: false,
    });
    const plan = await genericPlan(text, [new Date(), 101]);
    expect(plan.some((n) => n["Node Type"] === "Sort")).toBe(false);
  });
});
