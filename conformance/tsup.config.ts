import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    shims: true,
    target: "node22",
    removeNodeProtocol: false,
  },
  // The CLI is ESM only (top-level await); it is a bin, not an import.
  { entry: ["src/cli.ts"], format: ["esm"], sourcemap: true, target: "node22", removeNodeProtocol: false },
]);
