import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Starts test/edge/bridge.py: Qdrant's REST API over Qdrant's own engine (qdrant-edge-py). Found
 * through $QDRANT_EDGE_PYTHON, else the virtualenv that test/edge/install.sh makes.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const BRIDGE = path.join(here, "edge", "bridge.py");

export function edgePython(): { python?: string; reason?: string } {
  const cache = process.env.LANGSWARM_CACHE ?? path.join(homedir(), ".cache", "langswarm");
  const python = process.env.QDRANT_EDGE_PYTHON ?? path.join(cache, "qdrant-edge-venv", "bin", "python");
  const how =
    "run `bash packages/vector-qdrant/test/edge/install.sh` (pip installs qdrant-edge-py) or set QDRANT_EDGE_PYTHON";
  if (!existsSync(python)) return { reason: `no Python with qdrant-edge at ${python}: ${how}` };
  const probe = spawnSync(python, ["-c", "import qdrant_edge, numpy"], { timeout: 30_000 });
  if (probe.status !== 0) return { reason: `${python} cannot import qdrant_edge and numpy: ${how}` };
  return { python };
}

export class EdgeBridge {
  #child: ChildProcess | undefined;
  url = "";

  async start(python: string, options: { hnsw?: boolean } = {}): Promise<this> {
    const child = spawn(python, [BRIDGE, "0"], {
      env: { ...process.env, QDRANT_EDGE_HNSW: options.hnsw ? "1" : "0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.#child = child;
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("qdrant-edge bridge did not start in 30 s")), 30_000);
      child.once("exit", (code) => reject(new Error(`qdrant-edge bridge exited with ${code}`)));
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}
