import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/**
 * A private FerretDB (MongoDB wire protocol over SQLite) for tests that must kill and restart the
 * server. The binary comes from LANGSWARM_FERRETDB_BIN, PATH, or the cache scripts/services fills.
 */
export function findFerretdbBinary(): { bin?: string; reason: string } {
  const candidates: string[] = [];
  if (process.env.LANGSWARM_FERRETDB_BIN) candidates.push(process.env.LANGSWARM_FERRETDB_BIN);
  for (const dir of (process.env.PATH ?? "").split(delimiter))
    if (dir) candidates.push(join(dir, "ferretdb"));
  const cache = process.env.LANGSWARM_CACHE ?? join(homedir(), ".cache", "langswarm");
  candidates.push(join(cache, "ferretdb-v1.24.2", "bin", "ferretdb"));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return { bin: candidate, reason: `using ${candidate}` };
    } catch {
      // not here
    }
  }
  return {
    reason:
      "no ferretdb binary: set LANGSWARM_FERRETDB_BIN or put ferretdb on PATH (scripts/services/ferretdb.sh install builds v1.24.2 into ~/.cache/langswarm)",
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export class FerretServer {
  readonly port: number;
  readonly dataDir: string;
  #bin: string;
  #child: ChildProcess | null = null;
  #log = "";

  private constructor(bin: string, port: number, dataDir: string) {
    this.#bin = bin;
    this.port = port;
    this.dataDir = dataDir;
  }

  static async start(bin: string): Promise<FerretServer> {
    const server = new FerretServer(
      bin,
      await freePort(),
      mkdtempSync(join(tmpdir(), "ls-session-mongodb-ferretdb-")),
    );
    await server.launch();
    return server;
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Start (again) on the same port and data directory. */
  async launch(): Promise<void> {
    const child = spawn(
      this.#bin,
      [
        "--handler=sqlite",
        `--sqlite-url=file:${this.dataDir}/`,
        `--state-dir=${this.dataDir}`,
        `--listen-addr=127.0.0.1:${this.port}`,
        "--telemetry=disable",
        "--debug-addr=-",
        "--log-level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-4000);
    });
    this.#child = child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`ferretdb exited with ${child.exitCode}: ${this.#log}`);
      if (await portOpen(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`ferretdb did not listen on ${this.port} within 30 s: ${this.#log}`);
  }

  /** Kill the server process with a signal (SIGKILL = no chance to flush or say goodbye). */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
    this.#child = null;
  }

  async stop(): Promise<void> {
    await this.kill("SIGTERM");
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
