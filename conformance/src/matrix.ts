import { appendFileSync } from "node:fs";
import type { ServiceTarget } from "./types.js";

/**
 * One line per adapter run, so CI shows at a glance what ran where:
 *   [conformance] session-postgres | env URL (LANGSWARM_TEST_POSTGRES_URL) | 61 passed, 0 failed
 * Also appended as JSON to $LANGSWARM_MATRIX_FILE when set, for the CI summary table.
 */
export class MatrixRecorder {
  passed = 0;
  failed = 0;
  readonly notes: string[] = [];

  constructor(
    readonly suite: string,
    readonly adapter: string,
    readonly target: ServiceTarget,
  ) {}

  note(text: string): void {
    this.notes.push(text);
  }

  print(): void {
    const status =
      this.target.kind === "skip"
        ? `skipped: ${this.target.reason}`
        : `${this.passed} passed, ${this.failed} failed`;
    const notes = this.notes.length > 0 ? ` | ${this.notes.join("; ")}` : "";
    const line = `[conformance] ${this.suite} ${this.adapter} | ${describeTarget(this.target)} | ${status}${notes}`;
    console.log(line);
    const file = process.env.LANGSWARM_MATRIX_FILE;
    if (file) {
      const record = {
        suite: this.suite,
        adapter: this.adapter,
        target: describeTarget(this.target),
        passed: this.passed,
        failed: this.failed,
        skipped: this.target.kind === "skip" ? this.target.reason : null,
        notes: this.notes,
      };
      appendFileSync(file, `${JSON.stringify(record)}\n`);
    }
  }
}

export function describeTarget(target: ServiceTarget): string {
  switch (target.kind) {
    case "embedded":
      return target.detail ? `embedded (${target.detail})` : "embedded";
    case "env":
      return `env URL (${target.variable})`;
    case "container":
      return `container (${target.image})`;
    case "skip":
      return "not run";
  }
}
