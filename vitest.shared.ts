import { defineConfig } from "vitest/config";

/**
 * Every package's vitest config re-exports this: tests in test/, never dist/, and a JSON report that
 * scripts/test-summary.mjs sums into the one closing line CI reads.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["dist/**", "node_modules/**"],
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
