import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
// @ts-expect-error plain ESM example without types
import { runQuickstart } from "../index.mjs";

it("the quickstart recalls Monday's diet in Friday's session and keeps the budget", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "quickstart-test-"));
  const lines: string[] = [];
  try {
    const result = await runQuickstart({ dir, log: (l: string) => lines.push(l) });
    expect(result.recalled[0].sessionId).toBe(result.mondayId);
    expect(result.recalled[0].content).toMatch(/vegetarian/);
    expect(result.context.tokens).toBeLessThanOrEqual(400);
    expect(result.context.messages[0].content).toMatch(/vegetarian and allergic to peanuts/);
    expect(result.sessions).toHaveLength(2);
    expect(lines.join("\n")).toMatch(/Context for the model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
