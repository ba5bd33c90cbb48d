import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { rejectsWith } from "@langswarm/memory-conformance";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisVectorStore } from "../src/index.js";

/**
 * A private Redis 8 that the test stops and starts again (the shared service must not be killed):
 * the binary the services script builds, or $REDIS8_SERVER.
 */
const BIN =
  process.env.REDIS8_SERVER ??
  join(process.env.LANGSWARM_CACHE ?? join(homedir(), ".cache/langswarm"), "redis8/bin/redis-server");
const reason = `no Redis 8 server binary at ${BIN} (run scripts/services/start.sh redis8 once, or set REDIS8_SERVER)`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function start(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    BIN,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
    ],
    {
      stdio: "ignore",
    },
  );
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(port, "127.0.0.1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error("redis-server did not start");
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

if (!existsSync(BIN)) {
  describe("vectorset: server restart", () => {
    it.skip(`skipped: ${reason}`, () => {});
  });
  console.log(`[vector-redis] restart test skipped: ${reason}`);
} else {
  describe("vectorset: server restart", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-vredis-restart-"));
    let child: ChildProcess | undefined;
    afterAll(async () => {
      if (child && child.exitCode === null) await stop(child, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    });

    it("fails fast with BackendUnavailableError while the server is down, heals when it is back, data intact", async () => {
      const port = await freePort();
      child = await start(port, dir);
      const store = new RedisVectorStore({
        url: `redis://127.0.0.1:${port}`,
        engine: "vectorset",
        dimension: 4,
      });
      try {
        await store.setup();
        await store.upsert([{ id: "a", vector: [1, 0, 0, 0], metadata: { k: "v" }, document: "kept" }]);
        await stop(child, "SIGKILL");
        const started = Date.now();
        await rejectsWith(store.query({ vector: [1, 0, 0, 0] }), "BACKEND_UNAVAILABLE", "server down");
        expect(Date.now() - started).toBeLessThan(5000);
        child = await start(port, dir);
        let hits: Awaited<ReturnType<typeof store.query>> = [];
        for (let i = 0; i < 50 && hits.length === 0; i++) {
          hits = await store.query({ vector: [1, 0, 0, 0] }).catch(() => []);
          if (hits.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(hits.map((h) => [h.id, h.document, h.metadata])).toEqual([["a", "kept", { k: "v" }]]);
      } finally {
        await store.close();
      }
    });
  });
}
