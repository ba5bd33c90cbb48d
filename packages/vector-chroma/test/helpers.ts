import { randomBytes } from "node:crypto";
import { ChromaClient } from "chromadb";
import { type ChromaSettings, ChromaVectorStore } from "../src/index.js";

/** The server under test (scripts/services/start.sh chroma exports it). */
export const TEST_URL = process.env.LANGSWARM_TEST_CHROMA_URL;
export const SKIP_REASON =
  "set LANGSWARM_TEST_CHROMA_URL to a Chroma server URL (scripts/services/start.sh chroma starts one)";

/** A collection name no other test (or test run) uses. */
export function uniqueCollection(label = "t"): string {
  return `lsv_${label}_${randomBytes(5).toString("hex")}`;
}

let admin: ChromaClient | undefined;
/** A raw client for test bookkeeping (dropping collections, reading what the store wrote). */
export function adminClient(): ChromaClient {
  if (!TEST_URL) throw new Error(SKIP_REASON);
  const url = new URL(TEST_URL);
  admin ??= new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: url.protocol === "https:" });
  return admin;
}

export async function dropCollection(name: string): Promise<void> {
  try {
    await adminClient().deleteCollection({ name });
  } catch (error) {
    if ((error as Error).constructor.name !== "ChromaNotFoundError") throw error;
  }
}

export function newStore(settings: Partial<ChromaSettings> = {}): ChromaVectorStore {
  return new ChromaVectorStore({
    url: TEST_URL,
    collection_name: uniqueCollection(),
    dimension: 4,
    ...settings,
  });
}
