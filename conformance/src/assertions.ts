import assert from "node:assert/strict";
import type { MemoryErrorCode } from "@langswarm/memory-core";

/**
 * Assert a promise rejects with a typed memory error of this code. Checked by `code`, not
 * `instanceof`, so an adapter built against another copy of core still passes.
 */
export async function rejectsWith(
  promise: Promise<unknown> | (() => Promise<unknown>),
  code: MemoryErrorCode,
  what: string,
): Promise<Error> {
  let error: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${what}: expected a ${code} error, but it succeeded`);
  const actual = (error as { code?: string }).code;
  assert.equal(
    actual,
    code,
    `${what}: expected a ${code} error, got ${actual ?? "an untyped error"}: ${(error as Error).message}`,
  );
  return error as Error;
}

export function assertSameMembers<T>(actual: T[], expected: T[], message: string): void {
  assert.deepEqual([...actual].sort(), [...expected].sort(), message);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
