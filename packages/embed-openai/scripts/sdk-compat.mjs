// Runs the built provider against older majors of the `openai` SDK (the package accepts v5, v6, v7),
// each fetched from the npm registry with `npm pack` into a temporary folder, against the local
// OpenAI-compatible test server. Not part of `pnpm test` (it needs the registry). Build first.
// Usage: node scripts/sdk-compat.mjs [versions...]   (default: 5.23.2 6.49.0 and the installed one)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fakeVector, startFakeOpenAI } from "../test/support/fake-openai.ts";

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const versions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["5.23.2", "6.49.0", "installed"];
const root = mkdtempSync(path.join(tmpdir(), "embed-openai-compat-"));
let failures = 0;
try {
  for (const version of versions) {
    const dir = path.join(root, version);
    mkdirSync(path.join(dir, "node_modules", "@langswarm"), { recursive: true });
    if (version === "installed") {
      symlinkSync(path.join(pkg, "node_modules", "openai"), path.join(dir, "node_modules", "openai"));
    } else {
      execFileSync("npm", ["pack", `openai@${version}`, "--silent"], { cwd: dir, stdio: "pipe" });
      const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
      mkdirSync(path.join(dir, "node_modules", "openai"));
      execFileSync("tar", ["xzf", tarball, "-C", "node_modules/openai", "--strip-components=1"], {
        cwd: dir,
      });
    }
    symlinkSync(
      path.join(pkg, "node_modules", "@langswarm", "memory-core"),
      path.join(dir, "node_modules", "@langswarm", "memory-core"),
    );
    cpSync(path.join(pkg, "dist"), path.join(dir, "dist"), { recursive: true });
    try {
      const sdk = (await import(path.join(dir, "node_modules", "openai", "version.mjs"))).VERSION;
      await check(dir);
      console.log(
        `ok    openai ${sdk}: base64, float, batching, Retry-After, dropped connection, 401, abort, Azure`,
      );
    } catch (error) {
      failures++;
      console.log(`FAIL  openai ${version}: ${error.stack ?? error}`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exit(failures > 0 ? 1 : 0);

async function check(dir) {
  const { createOpenAIEmbeddings } = await import(path.join(dir, "dist", "index.js"));
  const KEY = "sk-compat-1234567890";
  const server = await startFakeOpenAI({ apiKey: KEY });
  try {
    const texts = Array.from({ length: 300 }, (_, i) => `text ${i}`);
    for (const encoding_format of ["base64", "float"]) {
      const p = await createOpenAIEmbeddings({
        base_url: server.baseURL,
        api_key: KEY,
        batch_size: 100,
        encoding_format,
      });
      const v = await p.embed(texts);
      assert.deepEqual(
        Array.from(v[299]),
        Array.from(fakeVector("text 299", 1536, "text-embedding-3-small")),
      );
    }
    server.reset();
    const p = await createOpenAIEmbeddings({
      base_url: server.baseURL,
      api_key: KEY,
      retry_base_delay_ms: 1,
    });
    server.script({ status: 429, headers: { "retry-after-ms": "200" } }, { reset: true });
    await p.embed(["x"]);
    assert.equal(server.requests.length, 3);
    assert.ok(server.requests[1].at - server.requests[0].at >= 195, "Retry-After honoured");
    const bad = await createOpenAIEmbeddings({ base_url: server.baseURL, api_key: "sk-wrong-xyz-1234" });
    await assert.rejects(bad.embed(["x"]), (e) => e.code === "CONFIG" && !e.message.includes("sk-wr"));
    server.options.latencyMs = 3000;
    await assert.rejects(p.embed(["x"], { signal: AbortSignal.timeout(50) }), (e) => e.code === "ABORTED");
    server.options.latencyMs = 0;
    server.reset();
    const az = await createOpenAIEmbeddings({
      azure_endpoint: server.url,
      api_version: "2024-10-21",
      api_key: KEY,
      deployment: "tiny-embed",
    });
    assert.equal(az.dimension, 8);
    assert.equal(server.requests[0].path, "/openai/deployments/tiny-embed/embeddings?api-version=2024-10-21");
    assert.equal(server.requests[0].headers["api-key"], KEY);
  } finally {
    await server.close();
  }
}
