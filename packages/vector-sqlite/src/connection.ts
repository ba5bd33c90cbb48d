import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "@langswarm/memory-core";
import Database from "better-sqlite3";
import { toMemoryError } from "./errors.js";

export interface OpenOptions {
  path: string;
  busyTimeoutMs: number;
  wal: boolean;
  backend: string;
}

/**
 * Open a connection the store owns: busy timeout first (so even the switch to WAL waits for a
 * competing opener), then WAL + synchronous=NORMAL (durable against application crashes).
 */
export function openDatabase(options: OpenOptions): Database.Database {
  const inMemory = options.path === ":memory:";
  if (!inMemory) mkdirSync(dirname(options.path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    db = new Database(options.path, { timeout: options.busyTimeoutMs });
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    if (options.wal && !inMemory) {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
    }
    return db;
  } catch (error) {
    db?.close();
    throw toMemoryError(error, options.backend, `opening ${JSON.stringify(options.path)}`);
  }
}

export type SqliteVecState = { loaded: true; version: string } | { loaded: false; reason: string };

/**
 * Make sqlite-vec available on the connection: already there (a caller's connection), or loaded from
 * the `sqlite-vec` package's platform binary. Never throws; says why when it cannot.
 */
export async function loadSqliteVec(db: Database.Database): Promise<SqliteVecState> {
  const probe = (): string | null => {
    try {
      return db.prepare("SELECT vec_version()").pluck().get() as string;
    } catch {
      return null;
    }
  };
  const present = probe();
  if (present) return { loaded: true, version: present };
  try {
    // Imported lazily: use_sqlite_vec: false never touches the native binary.
    const sqliteVec = await import("sqlite-vec");
    sqliteVec.load(db);
  } catch (error) {
    return { loaded: false, reason: (error as Error).message.split("\n")[0] ?? String(error) };
  }
  const version = probe();
  return version
    ? { loaded: true, version }
    : { loaded: false, reason: "vec_version() is not available after loading" };
}

/** SQLite 3.45 brought JSONB, which the metadata column uses. */
export function assertSqliteVersion(db: Database.Database, backend: string): void {
  const version = db.prepare("SELECT sqlite_version()").pluck().get() as string;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major < 3 || (major === 3 && minor < 45)) {
    throw new ConfigError(
      `SQLite ${version} is too old: JSONB metadata needs 3.45 or newer (better-sqlite3 12+ bundles it)`,
      {
        backend,
      },
    );
  }
}
