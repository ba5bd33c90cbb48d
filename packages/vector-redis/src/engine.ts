import type {
  FilterNode,
  StoredVector,
  VectorCapabilities,
  VectorMatch,
  vectorRules,
} from "@langswarm/memory-core";

export type CheckedRecord = vectorRules.CheckedRecord;
export type CheckedQuery = vectorRules.CheckedQuery;

/** What each Redis engine implements; the store validates inputs first and maps errors after. */
export interface StoreEngine {
  readonly name: "vectorset" | "redisearch";
  readonly capabilities: VectorCapabilities;
  /** Meta fields this engine records at setup and compares when reopening. */
  metaFields(): Record<string, string>;
  /** Compare the engine's own meta fields with an existing index's; throw ConfigError on a difference. */
  checkMeta(existing: Record<string, string>): void;
  /** Create (or check) the server-side structure after the meta record was written or read. */
  setup(): Promise<void>;
  upsert(records: CheckedRecord[]): Promise<void>;
  query(query: CheckedQuery, signal: AbortSignal | undefined): Promise<VectorMatch[]>;
  get(ids: string[], signal: AbortSignal | undefined): Promise<StoredVector[]>;
  delete(ids: string[]): Promise<void>;
  deleteByFilter(filter: FilterNode): Promise<void>;
  count(signal: AbortSignal | undefined): Promise<number>;
  drop(): Promise<void>;
}

/** Best first, ties by id (deterministic across engines and runs), then minScore, then topK. */
export function rankMatches<T extends { id: string; score: number }>(
  matches: T[],
  topK: number,
  minScore: number | undefined,
): T[] {
  const sorted = [...matches].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const kept = minScore === undefined ? sorted : sorted.filter((m) => m.score >= minScore);
  return kept.slice(0, topK);
}
