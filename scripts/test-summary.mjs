// Prints the conformance matrix and one closing line "tests: N passed, N failed, N skipped" summed over
// every package's vitest JSON report. Exits 1 if any test failed or no test ran at all.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const matrixFile = process.argv[2];
const reports = [];
for (const dir of ["packages", "examples"]) {
  if (!existsSync(path.join(root, dir))) continue;
  for (const name of readdirSync(path.join(root, dir)))
    reports.push(path.join(root, dir, name, "test-results.json"));
}
reports.push(path.join(root, "conformance", "test-results.json"));

// A package with a test script but no report was either not run or not configured to write one:
// either way its results would be missing from the closing line, so that counts as a failure.
const missing = reports.filter((file) => {
  const pkg = path.join(path.dirname(file), "package.json");
  return existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).scripts?.test && !existsSync(file);
});

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const file of reports.filter((f) => existsSync(f))) {
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  rows.push([path.relative(root, path.dirname(file)), r.numPassedTests, r.numFailedTests, r.numPendingTests]);
}

console.log("\nPer package (passed / failed / skipped):");
for (const [name, p, f, s] of rows)
  console.log(
    `  ${name.padEnd(34)} ${String(p).padStart(5)} ${String(f).padStart(5)} ${String(s).padStart(5)}`,
  );

if (matrixFile && existsSync(matrixFile)) {
  const lines = readFileSync(matrixFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  console.log("\nConformance matrix:");
  for (const m of lines) {
    const status = m.skipped ? `skipped: ${m.skipped}` : `${m.passed} passed, ${m.failed} failed`;
    console.log(
      `  ${m.suite.padEnd(9)} ${m.adapter.padEnd(34)} ${m.target.padEnd(44)} ${status}${m.notes.length ? ` | ${m.notes.join("; ")}` : ""}`,
    );
  }
}
for (const file of missing)
  console.log(
    `\nno test report from ${path.relative(root, path.dirname(file))} (vitest JSON reporter missing?)`,
  );
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 || missing.length > 0 ? 1 : 0);
