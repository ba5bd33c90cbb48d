import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["dist/**", "node_modules/**"],
    // The JSON report scripts/test-summary.mjs sums into CI's closing line (as vitest.shared.ts does).
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    // The multi-process tests spawn Node children; give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
