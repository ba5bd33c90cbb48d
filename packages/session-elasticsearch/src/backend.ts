/**
 * A thin interface over the two drivers, so the store logic is written once. The OpenSearch client
 * (`@opensearch-project/opensearch`) takes request bodies in `body` and answers `{ body, statusCode }`;
 * the Elastic client (`@elastic/elasticsearch` 8/9) takes the body's fields at the top level
 * (`document`, `operations`, `query`, ...) and answers the body itself. Everything else is the same REST API.
 */

export type Flavor = "elasticsearch" | "opensearch";
export type Refresh = "true" | "false" | "wait_for";

export interface StoredDoc<T> {
  id: string;
  source: T;
  seqNo: number;
  primaryTerm: number;
}

export interface WriteOptions {
  /** `create` fails with a 409 when the id exists. */
  opType?: "create" | "index";
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
  refresh?: Refresh;
}

export interface BulkIndexOp {
  index: string;
  id: string;
  doc: Record<string, unknown>;
}

export interface SearchHit<T> {
  id: string;
  score: number | null;
  source: T;
  sort?: unknown[];
  highlight?: Record<string, string[]>;
}

/** The operations the store needs, with driver differences removed. */
export interface SearchBackend {
  readonly flavor: Flavor;
  info(signal?: AbortSignal): Promise<{ distribution: string; number: string }>;
  get<T>(index: string, id: string, signal?: AbortSignal): Promise<StoredDoc<T> | null>;
  mget<T>(index: string, ids: string[], signal?: AbortSignal): Promise<(StoredDoc<T> | null)[]>;
  /** Returns the written document's `_seq_no` / `_primary_term`. */
  index(
    index: string,
    id: string,
    doc: Record<string, unknown>,
    options?: WriteOptions,
  ): Promise<{ seqNo: number; primaryTerm: number }>;
  delete(index: string, id: string, options?: WriteOptions): Promise<boolean>;
  /** Index (overwrite) every document; throws if any item failed. */
  bulkIndex(ops: BulkIndexOp[], refresh?: Refresh): Promise<void>;
  search<T>(index: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<SearchHit<T>[]>;
  deleteByQuery(index: string, query: Record<string, unknown>): Promise<number>;
  updateByQuery(
    index: string,
    query: Record<string, unknown>,
    script: Record<string, unknown>,
  ): Promise<void>;
  refresh(index: string): Promise<void>;
  /** Create an index; false when it already exists. */
  createIndex(index: string, body: Record<string, unknown>): Promise<boolean>;
  close(): Promise<void>;
}

/** Thrown by the backends for a version conflict or an existing id (HTTP 409). */
export class VersionConflict extends Error {
  constructor() {
    super("version conflict");
    this.name = "VersionConflict";
  }
}

type AnyClient = Record<string, any>;

function statusOf(error: unknown): number | undefined {
  const e = error as { meta?: { statusCode?: number }; statusCode?: number };
  return e?.meta?.statusCode ?? e?.statusCode;
}

function errorType(error: unknown): string | undefined {
  const e = error as {
    meta?: { body?: { error?: { type?: string } } };
    body?: { error?: { type?: string } };
  };
  return e?.meta?.body?.error?.type ?? e?.body?.error?.type;
}

function toDoc<T>(raw: any): StoredDoc<T> | null {
  if (!raw?.found) return null;
  return { id: raw._id, source: raw._source as T, seqNo: raw._seq_no, primaryTerm: raw._primary_term };
}

function writeParams(options: WriteOptions): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  if (options.opType) p.op_type = options.opType;
  if (options.ifSeqNo !== undefined) p.if_seq_no = options.ifSeqNo;
  if (options.ifPrimaryTerm !== undefined) p.if_primary_term = options.ifPrimaryTerm;
  if (options.refresh && options.refresh !== "false") p.refresh = options.refresh;
  return p;
}

function bulkFailure(response: any): Error | null {
  if (!response?.errors) return null;
  for (const item of response.items ?? []) {
    const op = item.index ?? item.create ?? item.delete ?? item.update;
    if (op?.error) {
      const err = new Error(`bulk item failed: ${op.error.type}: ${op.error.reason}`) as Error & {
        statusCode?: number;
      };
      err.statusCode = op.status;
      return err;
    }
  }
  return new Error("bulk request reported errors");
}

/**
 * The request shapes differ only in where the body goes and how the answer comes back; `call` and
 * `shape` capture exactly that difference.
 */
abstract class BaseBackend implements SearchBackend {
  abstract readonly flavor: Flavor;
  constructor(
    protected readonly client: AnyClient,
    private readonly owned: boolean,
  ) {}

  /** Send one API call; `body` is the JSON body, placed the way this driver wants it. */
  protected abstract call(
    api: string,
    params: Record<string, unknown>,
    body: Record<string, unknown> | unknown[] | undefined,
    signal?: AbortSignal,
  ): Promise<any>;

  protected fn(api: string): (params: unknown, options?: unknown) => Promise<any> {
    const path = api.split(".");
    let target: AnyClient = this.client;
    for (let i = 0; i < path.length - 1; i++) target = target[path[i]!];
    const method = target[path[path.length - 1]!];
    if (typeof method !== "function") throw new Error(`client has no ${api}()`);
    return method.bind(target);
  }

  async info(signal?: AbortSignal) {
    const body = await this.call("info", {}, undefined, signal);
    return {
      distribution: String(body?.version?.distribution ?? "elasticsearch"),
      number: String(body?.version?.number ?? ""),
    };
  }

  async get<T>(index: string, id: string, signal?: AbortSignal): Promise<StoredDoc<T> | null> {
    try {
      return toDoc<T>(await this.call("get", { index, id }, undefined, signal));
    } catch (error) {
      if (statusOf(error) === 404 && errorType(error) !== "index_not_found_exception") return null;
      throw error;
    }
  }

  async mget<T>(index: string, ids: string[], signal?: AbortSignal): Promise<(StoredDoc<T> | null)[]> {
    if (ids.length === 0) return [];
    const body = await this.call("mget", { index }, { ids }, signal);
    return (body.docs as any[]).map((d) => {
      if (d.error)
        throw Object.assign(new Error(`mget failed: ${d.error.type}`), { body: { error: d.error } });
      return toDoc<T>(d);
    });
  }

  async index(index: string, id: string, doc: Record<string, unknown>, options: WriteOptions = {}) {
    try {
      const res = await this.call("index", { index, id, ...writeParams(options) }, doc);
      return { seqNo: res._seq_no as number, primaryTerm: res._primary_term as number };
    } catch (error) {
      if (statusOf(error) === 409) throw new VersionConflict();
      throw error;
    }
  }

  async delete(index: string, id: string, options: WriteOptions = {}): Promise<boolean> {
    try {
      await this.call("delete", { index, id, ...writeParams(options) }, undefined);
      return true;
    } catch (error) {
      if (statusOf(error) === 409) throw new VersionConflict();
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async bulkIndex(ops: BulkIndexOp[], refresh: Refresh = "false") {
    if (ops.length === 0) return;
    const lines: unknown[] = [];
    for (const op of ops) lines.push({ index: { _index: op.index, _id: op.id } }, op.doc);
    const params: Record<string, unknown> = {};
    if (refresh !== "false") params.refresh = refresh;
    const failure = bulkFailure(await this.call("bulk", params, lines));
    if (failure) throw failure;
  }

  async search<T>(index: string, body: Record<string, unknown>, signal?: AbortSignal) {
    const res = await this.call("search", { index }, body, signal);
    return (res.hits.hits as any[]).map(
      (h): SearchHit<T> => ({
        id: h._id,
        score: h._score ?? null,
        source: h._source as T,
        sort: h.sort,
        highlight: h.highlight,
      }),
    );
  }

  async deleteByQuery(index: string, query: Record<string, unknown>): Promise<number> {
    const res = await this.call("deleteByQuery", { index, conflicts: "proceed", refresh: true }, { query });
    return Number(res?.deleted ?? 0);
  }

  async updateByQuery(index: string, query: Record<string, unknown>, script: Record<string, unknown>) {
    await this.call("updateByQuery", { index, conflicts: "proceed", refresh: true }, { query, script });
  }

  async refresh(index: string) {
    await this.call("indices.refresh", { index }, undefined);
  }

  async createIndex(index: string, body: Record<string, unknown>): Promise<boolean> {
    try {
      await this.call("indices.create", { index }, body);
      return true;
    } catch (error) {
      const type = errorType(error);
      if (type === "resource_already_exists_exception" || type === "index_already_exists_exception")
        return false;
      throw error;
    }
  }

  async close() {
    if (this.owned) await this.client.close();
  }
}

/** `@opensearch-project/opensearch` 2.x/3.x: `{ ...params, body }` in, `{ body }` out. */
export class OpenSearchBackend extends BaseBackend {
  readonly flavor = "opensearch" as const;
  protected async call(
    api: string,
    params: Record<string, unknown>,
    body: Record<string, unknown> | unknown[] | undefined,
    signal?: AbortSignal,
  ) {
    const request = body === undefined ? params : { ...params, body };
    // This client has no `signal` option; its request promise has `abort()` instead.
    const pending = this.fn(api)(request) as Promise<any> & { abort?: () => void };
    if (!signal) return (await pending).body;
    const onAbort = () => pending.abort?.();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return (await pending).body;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
}

/**
 * `@elastic/elasticsearch` 8/9: the body's fields go at the top level (9.x removed `body`), with the
 * few renames below; the answer is the body itself.
 */
export class ElasticBackend extends BaseBackend {
  readonly flavor = "elasticsearch" as const;
  protected async call(
    api: string,
    params: Record<string, unknown>,
    body: Record<string, unknown> | unknown[] | undefined,
    signal?: AbortSignal,
  ) {
    return this.fn(api)(elasticRequest(api, params, body), signal ? { signal } : undefined);
  }
}

/** The Elastic client's request object for an API call (exported for the request-shape tests). */
export function elasticRequest(
  api: string,
  params: Record<string, unknown>,
  body: Record<string, unknown> | unknown[] | undefined,
): Record<string, unknown> {
  if (body === undefined) return params;
  if (api === "index") return { ...params, document: body };
  if (api === "bulk") return { ...params, operations: body };
  return { ...params, ...(body as Record<string, unknown>) };
}
