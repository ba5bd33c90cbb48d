import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Meta = Record<string, string | number | boolean | string[]>;
interface Rec {
  id: string;
  values: number[];
  metadata?: Meta;
}
interface FakeIndex {
  name: string;
  dimension: number;
  metric: string;
  namespaces: Map<string, Map<string, Rec>>;
}
export interface LoggedRequest {
  method: string;
  path: string;
  body: unknown;
}

/**
 * An in-process fake of the Pinecone control plane (/indexes) and data plane (/vectors/upsert,
 * /query, /vectors/fetch, /vectors/delete, /describe_index_stats), one server serving both. It
 * follows Pinecone's documented behaviour: euclidean scores are SQUARED distances, `$eq`/`$in` on a
 * list match any element, ranges only compare numbers, metadata has no null, and (conservatively)
 * `$ne`/`$nin` do NOT match records missing the field — the adapter must not depend on either answer.
 */
export class FakePinecone {
  readonly indexes = new Map<string, FakeIndex>();
  readonly log: LoggedRequest[] = [];
  /** Answers to give before normal service (e.g. [429, 503]) — for retry tests. */
  failNext: number[] = [];
  #server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((e) => send(res, 500, { error: { message: String(e) } }));
    });
    await new Promise<void>((r) => this.#server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (this.#server) await new Promise((r) => this.#server!.close(r));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? JSON.parse(text) : undefined;
    const url = new URL(req.url ?? "/", this.url);
    this.log.push({ method: req.method ?? "", path: url.pathname + url.search, body });
    if (req.headers["api-key"] === "wrong")
      return send(res, 401, { error: { code: "UNAUTHENTICATED", message: "Invalid API Key" } });
    const fail = this.failNext.shift();
    if (fail !== undefined) return send(res, fail, { error: { message: "try again" } });
    const path = url.pathname;
    const m = /^\/indexes\/([^/]+)$/.exec(path);
    if (path === "/indexes" && req.method === "POST") return this.#create(body, res);
    if (m && req.method === "GET") {
      const idx = this.indexes.get(decodeURIComponent(m[1]!));
      return idx
        ? send(res, 200, this.#model(idx))
        : send(res, 404, { error: { code: "NOT_FOUND", message: "Resource not found" }, status: 404 });
    }
    if (m && req.method === "DELETE") {
      this.indexes.delete(decodeURIComponent(m[1]!));
      return send(res, 202, "");
    }
    // Data plane: the index is named by the host's query-less path prefix; one index per fake host
    // would need many ports, so the fake routes by the x-fake-index set from the host path.
    const idx = this.#dataIndex(req);
    if (!idx) return send(res, 404, { error: { message: "index not found" } });
    const ns = (name: string | undefined) => {
      const key = name ?? "";
      if (!idx.namespaces.has(key)) idx.namespaces.set(key, new Map());
      return idx.namespaces.get(key)!;
    };
    const dataPath = path.replace(/^\/_idx\/[^/]+/, "");
    if (dataPath === "/vectors/upsert") {
      for (const v of body.vectors as Rec[]) {
        if (v.values.length !== idx.dimension)
          return send(res, 400, {
            code: 3,
            message: `Vector dimension ${v.values.length} does not match the dimension of the index ${idx.dimension}`,
          });
        ns(body.namespace).set(v.id, {
          id: v.id,
          values: v.values,
          ...(v.metadata ? { metadata: v.metadata } : {}),
        });
      }
      return send(res, 200, { upsertedCount: body.vectors.length });
    }
    if (dataPath === "/query") {
      const space = ns(body.namespace);
      const scored = [...space.values()]
        .filter((r) => !body.filter || matches(r.metadata ?? {}, body.filter))
        .map((r) => ({ r, score: score(idx.metric, body.vector, r.values) }))
        .sort((a, b) => (idx.metric === "euclidean" ? a.score - b.score : b.score - a.score))
        .slice(0, body.topK);
      return send(res, 200, {
        matches: scored.map(({ r, score }) => ({
          id: r.id,
          score,
          ...(body.includeValues ? { values: r.values } : { values: [] }),
          ...(body.includeMetadata && r.metadata ? { metadata: r.metadata } : {}),
        })),
        namespace: body.namespace ?? "",
        usage: { readUnits: 1 },
      });
    }
    if (dataPath === "/vectors/fetch") {
      const space = ns(url.searchParams.get("namespace") ?? "");
      const vectors: Record<string, Rec> = {};
      for (const id of url.searchParams.getAll("ids")) {
        const r = space.get(id);
        if (r) vectors[id] = r;
      }
      return send(res, 200, {
        vectors,
        namespace: url.searchParams.get("namespace") ?? "",
        usage: { readUnits: 1 },
      });
    }
    if (dataPath === "/vectors/delete") {
      const space = ns(body.namespace);
      if (body.deleteAll) {
        if (!idx.namespaces.has(body.namespace ?? ""))
          return send(res, 404, { code: 5, message: "Namespace not found" });
        idx.namespaces.delete(body.namespace ?? "");
      } else if (body.ids) for (const id of body.ids) space.delete(id);
      else if (body.filter)
        for (const [id, r] of space) if (matches(r.metadata ?? {}, body.filter)) space.delete(id);
      return send(res, 200, {});
    }
    if (dataPath === "/describe_index_stats") {
      const namespaces: Record<string, { vectorCount: number }> = {};
      let total = 0;
      for (const [k, v] of idx.namespaces) {
        if (v.size === 0) continue;
        namespaces[k] = { vectorCount: v.size };
        total += v.size;
      }
      return send(res, 200, {
        namespaces,
        dimension: idx.dimension,
        indexFullness: 0,
        totalVectorCount: total,
      });
    }
    return send(res, 404, { error: { message: `no route ${path}` } });
  }

  #dataIndex(req: IncomingMessage): FakeIndex | undefined {
    const m = /^\/_idx\/([^/?]+)/.exec(req.url ?? "");
    return m ? this.indexes.get(decodeURIComponent(m[1]!)) : undefined;
  }

  #create(
    body: {
      name: string;
      dimension?: number;
      metric?: string;
      schema?: { fields?: Record<string, { type?: string; dimension?: number; metric?: string }> };
    },
    res: ServerResponse,
  ): void {
    // API 2026-07: the dense vector is a schema field; older versions sent dimension/metric at the top.
    const field = Object.values(body.schema?.fields ?? {}).find((f) => f.type === "dense_vector");
    body = { ...body, dimension: field?.dimension ?? body.dimension, metric: field?.metric ?? body.metric };
    if (!body.dimension) {
      send(res, 400, { error: { code: "INVALID_ARGUMENT", message: "dimension is required" }, status: 400 });
      return;
    }
    if (this.indexes.has(body.name)) {
      send(res, 409, { error: { code: "ALREADY_EXISTS", message: "Resource already exists" }, status: 409 });
      return;
    }
    const idx: FakeIndex = {
      name: body.name,
      dimension: body.dimension!,
      metric: body.metric ?? "cosine",
      namespaces: new Map(),
    };
    this.indexes.set(body.name, idx);
    send(res, 201, this.#model(idx));
  }

  #model(idx: FakeIndex) {
    return {
      name: idx.name,
      dimension: idx.dimension,
      metric: idx.metric,
      host: `${this.url}/_idx/${encodeURIComponent(idx.name)}`,
      deletion_protection: "disabled",
      deployment: { deployment_type: "managed", cloud: "aws", region: "us-east-1" },
      schema: { fields: { values: { type: "dense_vector", dimension: idx.dimension, metric: idx.metric } } },
      status: { ready: true, state: "Ready" },
    };
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}

function score(metric: string, a: number[], b: number[]): number {
  // Stored and compared in float32, like Pinecone.
  const fa = Float32Array.from(a);
  const fb = Float32Array.from(b);
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let i = 0; i < fa.length; i++) {
    dot += fa[i]! * fb[i]!;
    na += fa[i]! * fa[i]!;
    nb += fb[i]! * fb[i]!;
    sq += (fa[i]! - fb[i]!) ** 2;
  }
  if (metric === "euclidean") return sq;
  if (metric === "dotproduct") return dot;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Pinecone's metadata filter semantics as documented. */
export function matches(meta: Meta, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === "$and") return (cond as Record<string, unknown>[]).every((f) => matches(meta, f));
    if (key === "$or") return (cond as Record<string, unknown>[]).some((f) => matches(meta, f));
    const value = meta[key];
    const c = typeof cond === "object" && cond !== null ? (cond as Record<string, unknown>) : { $eq: cond };
    return Object.entries(c).every(([op, arg]) => {
      const has = (x: unknown) => (Array.isArray(value) ? value.includes(x as string) : value === x);
      switch (op) {
        case "$exists":
          return (value !== undefined) === arg;
        case "$eq":
          return value !== undefined && has(arg);
        case "$ne":
          return value !== undefined && !has(arg);
        case "$in":
          return value !== undefined && (arg as unknown[]).some(has);
        case "$nin":
          return value !== undefined && !(arg as unknown[]).some(has);
        default:
          if (typeof value !== "number") return false;
          if (op === "$gt") return value > (arg as number);
          if (op === "$gte") return value >= (arg as number);
          if (op === "$lt") return value < (arg as number);
          return value <= (arg as number);
      }
    });
  });
}
