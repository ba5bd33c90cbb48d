import type { VectorStoreDescriptor } from "@langswarm/memory-core";
import { BACKEND, settingsSchema } from "./settings.js";
import { SQLITE_VECTOR_CAPABILITIES, SqliteVectorStore } from "./store.js";

export const sqliteVectorDescriptor: VectorStoreDescriptor = {
  kind: "vector",
  name: BACKEND,
  aliases: ["local"],
  packageName: "@langswarm/vector-sqlite",
  description:
    "Exact vector search in one SQLite file: sqlite-vec where it loads, a JS scan otherwise; JSON metadata filters.",
  capabilities: SQLITE_VECTOR_CAPABILITIES,
  settingsSchema,
  create: (settings, context) => new SqliteVectorStore(settings, { context }),
};
