import { resolveService, type ServiceTarget, sessionStoreSuite } from "@langswarm/memory-conformance";
import type { SessionStore } from "@langswarm/memory-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { MongoSessionStore } from "../src/index.js";
import { mongoTarget, mongoUrl, uniqueDatabase } from "./helpers/stores.js";

// LANGSWARM_TEST_MONGODB_URL (CI), else the private FerretDB the global setup started, else a skip.
const fromEnv = await resolveService({ name: "mongodb", envVar: "LANGSWARM_TEST_MONGODB_URL" });
const target: ServiceTarget =
  fromEnv.kind !== "skip" || !mongoUrl ? fromEnv : { kind: "embedded", url: mongoUrl, detail: mongoTarget };

const asMongo = (store: SessionStore) => store as MongoSessionStore;

// 1. The adapter owns its client; every store gets its own database, dropped afterwards.
sessionStoreSuite(
  {
    name: "session-mongodb",
    target,
    create: async () =>
      new MongoSessionStore({ uri: target.url!, database: uniqueDatabase(), serverSelectionTimeoutMS: 5000 }),
    reopen: async (store) =>
      new MongoSessionStore({
        uri: target.url!,
        database: asMongo(store).databaseName,
        serverSelectionTimeoutMS: 5000,
      }),
    destroy: async (store) => {
      await asMongo(store).db.dropDatabase();
    },
  },
  { describe, it, beforeAll, afterAll },
);
