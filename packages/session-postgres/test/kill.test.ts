import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresSessionStore } from "../src/index.js";

/**
 * The server is killed with SIGKILL (no shutdown, no checkpoint) and restarted in the middle of a
 * write loop. The same store object must reconnect by itself, calls while the server is down must
 * fail with BackendUnavailableError (or succeed after the adapter's own retry), and every append
 * that was acknowledged must be there afterwards, exactly once, with gap-free seq.
 *
 * It needs a server this test may kill, so it starts a private one from the PostgreSQL binaries
 * (LANGSWARM_TEST_POSTGRES_BIN, default /usr/lib/postgresql/15/bin). Running as root, the server
 * runs as the `postgres` OS user (initdb refuses root). Otherwise the test skips and says why.
 */
const BIN = process.env.LANGSWARM_TEST_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function unavailableReason(): string | null {
  if (process.platform !== "linux" && process.platform !== "darwin")
    return `needs a Unix host (this is ${process.platform})`;
  for (const tool of ["initdb", "pg_ctl", "postgres"]) {
    if (!existsSync(join(BIN, tool)))
      return `no ${tool} in ${BIN} (set LANGSWARM_TEST_POSTGRES_BIN to a PostgreSQL bin directory)`;
  }
  if (process.getuid?.() === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0)
    return "running as root but there is no `postgres` OS user to run the server as";
  return null;
}

const reason = unavailableReason();
if (reason) console.warn(`[session-postgres] kill-and-restart test skipped: ${reason}`);

/** A throwaway PostgreSQL cluster on a random port in a temp directory. */
class PrivateServer {
  readonly dir = mkdtempSync(join(tmpdir(), "lsm-pg-kill-"));
  readonly data = join(this.dir, "data");
  readonly asRoot = process.getuid?.() === 0;
  port = 0;

  async #as(tool: string, args: string[]): Promise<void> {
    const command = this.asRoot ? "runuser" : join(BIN, tool);
    const argv = this.asRoot ? ["-u", "postgres", "--", join(BIN, tool), ...args] : args;
    await run(command, argv, { timeout: 60_000 });
  }

  async init(): Promise<void> {
    if (this.asRoot) {
      const uid = Number(spawnSync("id", ["-u", "postgres"]).stdout.toString());
      const gid = Number(spawnSync("id", ["-g", "postgres"]).stdout.toString());
      chownSync(this.dir, uid, gid);
    }
    this.port = await freePort();
    await this.#as("initdb", [
      "-D",
      this.data,
      "-U",
      "lsm",
      "--auth=trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    await this.start();
  }

  async start(): Promise<void> {
    // Durability as in production: synchronous_commit=on and fsync=on (the defaults).
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on`;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#as("pg_ctl", [
          "-D",
          this.data,
          "-l",
          join(this.dir, "server.log"),
          "-w",
          "-t",
          "60",
          "-o",
          options,
          "start",
        ]);
        return;
      } catch (error) {
        // Right after a SIGKILL the old backends may still hold the shared memory for a moment.
        if (attempt >= 20) throw error;
        await sleep(250);
      }
    }
  }

  get url(): string {
    return `postgres://lsm@127.0.0.1:${this.port}/postgres`;
  }

  postmasterPid(): number {
    return Number(readFileSync(join(this.data, "postmaster.pid"), "utf8").split("\n")[0]);
  }

  /** SIGKILL the postmaster and wait until it and its backends are gone. */
  async kill(): Promise<void> {
    const pid = this.postmasterPid();
    process.kill(pid, "SIGKILL");
    for (let i = 0; i < 200 && alive(pid); i++) await sleep(25);
  }

  async stop(): Promise<void> {
    try {
      await this.#as("pg_ctl", ["-D", this.data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // Already down.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(reason !== null)("server killed (SIGKILL) and restarted during a write loop", () => {
  const server = new PrivateServer();
  beforeAll(() => server.init(), 120_000);
  afterAll(() => server.stop(), 60_000);

  it("reconnects without a new store, fails fast and typed while down, loses no acknowledged append", async () => {
    const store = new PostgresSessionStore({
      url: server.url,
      pool_size: 4,
      connect_timeout_ms: 2_000,
      max_retries: 2,
    });
    await store.setup();
    await store.createSession({ sessionId: "k" });

    const WRITERS = 4;
    const TARGET = 400; // acknowledged appends in total
    const acked = new Map<string, number>();
    const failures = new Map<string, number>();
    let killed = false;
    let restarted = false;

    const writer = async (w: number) => {
      // Move on only once an id is acknowledged, and never stop with one unacknowledged: it may
      // have been stored before the reply was lost, and its retry must find it, not duplicate it.
      for (let i = 0, unacknowledged = false; acked.size < TARGET || unacknowledged; ) {
        const id = `w${w}-${i}`;
        try {
          const [m] = await store.appendMessages("k", [{ id, role: "user", content: `${w}:${i}` }]);
          acked.set(id, m!.seq);
          unacknowledged = false;
          i++;
        } catch (error) {
          unacknowledged = true;
          const code = (error as { code?: string }).code ?? `untyped: ${(error as Error).message}`;
          failures.set(code, (failures.get(code) ?? 0) + 1);
          if (code !== "BACKEND_UNAVAILABLE") throw error;
          await sleep(20);
        }
      }
    };

    const chaos = async () => {
      while (acked.size < 100) await sleep(5);
      await server.kill();
      killed = true;
      // While it is down, reads fail typed and fast (no hanging on a dead socket).
      const started = Date.now();
      await expect(store.getSession("k")).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
      expect(Date.now() - started).toBeLessThan(5_000);
      await sleep(1_000);
      const ackedWhileDown = acked.size;
      await server.start();
      restarted = true;
      return ackedWhileDown;
    };

    const [ackedBeforeRestart] = await Promise.all([
      chaos(),
      ...Array.from({ length: WRITERS }, (_, w) => writer(w)),
    ]);
    console.log(
      `[session-postgres] kill test: ${acked.size} appends acknowledged (${ackedBeforeRestart} before the restart), ` +
        `${failures.get("BACKEND_UNAVAILABLE") ?? 0} calls failed with BackendUnavailableError while the server was down`,
    );
    expect(killed && restarted).toBe(true);
    expect(failures.get("BACKEND_UNAVAILABLE") ?? 0).toBeGreaterThan(0);
    expect([...failures.keys()]).toEqual(["BACKEND_UNAVAILABLE"]);
    expect(acked.size).toBeGreaterThan(ackedBeforeRestart);

    // Every acknowledged append survived the crash, exactly once, at the seq it was acknowledged with.
    const all = [];
    for (let after = 0; ; ) {
      const page = await store.getMessages("k", { afterSeq: after, limit: 1000 });
      if (page.length === 0) break;
      all.push(...page);
      after = page.at(-1)!.seq;
    }
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    for (const [id, seq] of acked) expect(all[seq - 1]?.id, `acknowledged ${id} at seq ${seq}`).toBe(id);
    // Nothing beyond what was acknowledged (an append whose reply was lost was retried until acknowledged).
    expect(all.length).toBe(acked.size);
    expect((await store.getSession("k"))?.lastSeq).toBe(all.length);
    await store.close();
  }, 120_000);
});
