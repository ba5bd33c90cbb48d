/** Options every public async method accepts. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** One page of a cursor-paginated listing. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** JSON-compatible values allowed in message and session metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
