import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["dist/**", "node_modules/**"],
    // The JSON report scripts/test-summary.mjs sums into CI's closing line (as vitest.shared.ts does).
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    // LANGSWARM_TEST_MONGODB_URL, else a private FerretDB, else the suites skip with the reason.
    globalSetup: ["test/helpers/global-setup.ts"],
    // Real servers: setup, the concurrency test and the kill test take seconds, not milliseconds.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Test files share one server (and a 2-core machine): run them one after another.
    fileParallelism: false,
  },
});
