import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Bundle src/ into one ESM file that child processes can import (they run plain Node, without the
 * test runner's TypeScript transform). It lives under the package's node_modules so that
 * better-sqlite3 and memory-core resolve exactly as they do for the tests.
 */
export async function bundleStoreForChildren(): Promise<string> {
  const outdir = join(packageDir, "node_modules", ".cache", "vector-sqlite-test");
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `store-${process.pid}.mjs`);
  await build({
    entryPoints: [join(packageDir, "src", "index.ts")],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node22",
    logLevel: "silent",
  });
  return outfile;
}

export const childScript = join(packageDir, "test", "support", "upsert-process.mjs");
