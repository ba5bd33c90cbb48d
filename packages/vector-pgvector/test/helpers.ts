import { randomBytes } from "node:crypto";
import pg from "pg";
import { type PgVectorSettings, PgVectorStore } from "../src/index.js";

/** The server under test (scripts/services/start.sh postgres exports it): PostgreSQL with pgvector 0.8. */
export const TEST_URL = process.env.LANGSWARM_TEST_POSTGRES_URL;
export const SKIP_REASON =
  "set LANGSWARM_TEST_POSTGRES_URL to a PostgreSQL URL with pgvector (scripts/services/start.sh postgres starts one)";

/** A schema no other test (or test run) uses. */
export function uniqueSchema(label = "t"): string {
  return `lsv_${label}_${randomBytes(5).toString("hex")}`;
}

let admin: pg.Pool | undefined;
/** A small pool for test bookkeeping (dropping schemas, reading catalogs and plans). */
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

/** A set-up store on a fresh schema. */
export async function freshStore(settings: PgVectorSettings = {}): Promise<PgVectorStore> {
  const store = new PgVectorStore({
    url: TEST_URL,
    schema: uniqueSchema(),
    pool_size: 4,
    dimension: 8,
    ...settings,
  });
  await store.setup();
  return store;
}

export async function disposeStore(store: PgVectorStore): Promise<void> {
  await dropSchema(store.settings.schema);
  await store.close();
}
