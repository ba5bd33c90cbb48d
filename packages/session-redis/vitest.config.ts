import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["dist/**", "node_modules/**"],
    // The JSON report scripts/test-summary.mjs sums into CI's closing line (as vitest.shared.ts does).
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The kill test stops its own server; the others share one: run files one after another (2 cores).
    fileParallelism: false,
  },
});
