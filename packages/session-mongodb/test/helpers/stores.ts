import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { inject } from "vitest";
import { MongoSessionStore, type MongoSessionStoreOptions } from "../../src/index.js";

export const mongoUrl = inject("mongoUrl");
export const mongoTarget = inject("mongoTarget");
if (!mongoUrl) console.log(`[session-mongodb] ${mongoTarget}`);

/** A database name no other test uses (dropped by dropStore). */
export function uniqueDatabase(): string {
  return `ls_t_${randomBytes(6).toString("hex")}`;
}

/** A store on its own database, set up. */
export async function newStore(options: Partial<MongoSessionStoreOptions> = {}): Promise<MongoSessionStore> {
  const store = new MongoSessionStore({
    uri: mongoUrl,
    database: uniqueDatabase(),
    serverSelectionTimeoutMS: 5000,
    ...options,
  });
  await store.setup();
  return store;
}

export async function dropStore(store: MongoSessionStore): Promise<void> {
  await store.db.dropDatabase().catch(() => {});
  await store.close();
}

export async function rawClient(): Promise<MongoClient> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  return client;
}
