import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { toMemoryError } from "./errors.js";

export interface OpenOptions {
  path: string;
  busyTimeoutMs: number;
  wal: boolean;
  backend: string;
}

/**
 * Open a connection the store owns, configured for several connections (and processes) on one file:
 * the busy timeout first (so even switching to WAL waits for a competing opener instead of failing),
 * then WAL + synchronous=NORMAL, which is durable against application crashes and only loses the last
 * transactions on power loss, in exchange for far fewer fsyncs.
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
