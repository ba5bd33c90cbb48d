import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["dist/**", "node_modules/**"],
    // The JSON report scripts/test-summary.mjs sums into CI's closing line (as vitest.shared.ts does).
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    // Real servers: setup and the concurrency tests take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files share one PostgreSQL server (and a 2-core machine): run them one after another.
    fileParallelism: false,
  },
});
