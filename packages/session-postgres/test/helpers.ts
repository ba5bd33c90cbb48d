import { randomBytes } from "node:crypto";
import pg from "pg";
import { type PostgresSessionSettings, PostgresSessionStore } from "../src/index.js";

/** The server under test: scripts/services/start.sh exports it (or any PostgreSQL >= 13 you point it at). */
export const TEST_URL = process.env.LANGSWARM_TEST_POSTGRES_URL;
export const SKIP_REASON =
  "set LANGSWARM_TEST_POSTGRES_URL to a PostgreSQL URL (scripts/services/start.sh postgres starts one)";

/** A schema name no other test (or test run) uses. */
export function uniqueSchema(label = "t"): string {
  return `lsm_${label}_${randomBytes(5).toString("hex")}`;
}

let admin: pg.Pool | undefined;
/** One small pool for test bookkeeping (dropping schemas, inspecting plans). */
export function adminPool(): pg.Pool {
  if (!TEST_URL) throw new Error(SKIP_REASON);
  admin ??= new pg.Pool({ connectionString: TEST_URL, max: 3 });
  return admin;
}

export async function closeAdmin(): Promise<void> {
  const pool = admin;
  admin = undefined;
  await pool?.end();
}

export async function dropSchema(schema: string): Promise<void> {
  await adminPool().query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}

/** A store on a fresh schema, set up. */
export async function freshStore(settings: PostgresSessionSettings = {}): Promise<PostgresSessionStore> {
  const store = new PostgresSessionStore({
    url: TEST_URL,
    schema: uniqueSchema(),
    pool_size: 4,
    ...settings,
  });
  await store.setup();
  return store;
}

export async function disposeStore(store: PostgresSessionStore): Promise<void> {
  await dropSchema(store.names.raw.schema);
  await store.close();
}
