import { randomBytes } from "node:crypto";
import { QdrantVectorStore } from "../src/index.js";

/** A collection name no other test uses. */
export function uniqueCollection(prefix = "t"): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

export function storeOf(store: unknown): QdrantVectorStore {
  if (!(store instanceof QdrantVectorStore)) throw new Error("not a QdrantVectorStore");
  return store;
}
