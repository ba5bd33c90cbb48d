/**
 * A small in-process stand-in for Qdrant's REST API (no Qdrant server can be installed on the
 * machines that build this project). It implements the endpoints the adapter uses, following Qdrant's
 * documentation and the behaviour of Qdrant's own engine as observed through qdrant-edge 0.9 (see
 * README "How it is verified"):
 *
 * - filters: must / should / must_not (nested), match.value (typed: strings, integers, booleans; a
 *   float is a 400 as in Qdrant), match.any (strings or integers, not mixed), match.except, range
 *   (numbers only, never booleans or numeric strings), is_empty (missing, null or []), is_null, has_id;
 *   a condition on an array field matches when any element does;
 * - scoring: Cosine normalises vectors on upsert (retrieve returns the unit vector) and scores the dot
 *   product; Dot the inner product; Euclid reports the L2 distance, best = smallest; score_threshold
 *   keeps strictly better scores (for Euclid: distance < threshold);
 * - ids: unsigned integers or UUIDs (any case, with or without dashes), returned canonical;
 * - errors: `{ "status": { "error": "..." } }` with 400 / 401 / 403 / 404 / 409 like Qdrant.
 *
 * It also records every request (for request-shape tests) and injects failures and delays. Only
 * `node:` modules are imported, so `bench/` can load this file directly (Node strips the types).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

type Distance = "Cosine" | "Euclid" | "Dot" | "Manhattan";

interface StoredPoint {
  id: string | number;
  vector: Float32Array | number[];
  payload: Record<string, unknown>;
}

interface Collection {
  size: number;
  distance: Distance;
  onDisk: boolean;
  hnsw: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  payloadSchema: Map<string, string>;
  points: Map<string, StoredPoint>;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface FakeQdrantOptions {
  /** Require this key in the `api-key` header (401 without, 403 when wrong). */
  apiKey?: string;
  /** Reported by GET / (default "1.15.0"). */
  version?: string;
}

export class FakeQdrant {
  readonly requests: RecordedRequest[] = [];
  readonly collections = new Map<string, Collection>();
  /** Delayed responses whose client had hung up before the answer was ready (cancelled requests). */
  cancelled = 0;
  /** Record request bodies (turn off in benchmarks). */
  record = true;
  apiKey: string | undefined;
  version: string;
  #server: Server | undefined;
  #failures: { status: number; body: unknown; match?: (r: RecordedRequest) => boolean }[] = [];
  #delayMs = 0;
  #delayCount = 0;
  #pendingResponses = new Set<ServerResponse>();

  constructor(options: FakeQdrantOptions = {}) {
    this.apiKey = options.apiKey;
    this.version = options.version ?? "1.15.0";
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo | null;
    if (!address) throw new Error("fake Qdrant is not listening");
    return `http://127.0.0.1:${address.port}`;
  }

  get port(): number {
    return (this.#server!.address() as AddressInfo).port;
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.#server!.once("error", reject);
      this.#server!.listen(port, "127.0.0.1", () => resolve());
    });
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const res of this.#pendingResponses) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` requests (optionally only those `match` accepts) fail with this status. */
  failNext(
    count: number,
    status: number,
    body: unknown = { status: { error: `Service internal error: injected ${status}` }, time: 0 },
    match?: (r: RecordedRequest) => boolean,
  ): void {
    for (let i = 0; i < count; i++) this.#failures.push({ status, body, ...(match ? { match } : {}) });
  }

  /** Hold the next `count` responses for `ms` milliseconds. */
  delayNext(count: number, ms: number): void {
    this.#delayCount = count;
    this.#delayMs = ms;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams.entries());
    let status = 200;
    let payload: unknown;
    let body: unknown;
    try {
      try {
        body = raw.length > 0 ? JSON.parse(raw) : undefined;
      } catch (e) {
        throw new HttpError(400, `Format error in JSON body: ${(e as Error).message}`);
      }
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query,
        body: this.record ? body : undefined,
        headers: req.headers,
      };
      this.requests.push(recorded);
      if (this.apiKey !== undefined) {
        const given = req.headers["api-key"];
        if (given === undefined)
          throw new HttpError(401, "Must provide an API key or an Authorization bearer token");
        if (given !== this.apiKey) throw new HttpError(403, "Invalid API key or JWT");
      }
      const failure = this.#failures.findIndex((f) => !f.match || f.match(recorded));
      if (failure >= 0) {
        const [f] = this.#failures.splice(failure, 1);
        status = f!.status;
        payload = f!.body;
      } else if (url.pathname === "/" && recorded.method === "GET") {
        payload = { title: "qdrant - vector search engine", version: this.version, commit: "fake" };
      } else if (url.pathname === "/collections" && recorded.method === "GET") {
        payload = {
          result: { collections: [...this.collections.keys()].map((name) => ({ name })) },
          status: "ok",
        };
      } else {
        payload = { result: this.#route(recorded.method, url.pathname, query, body), status: "ok" };
      }
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      payload = { status: { error: (error as Error).message } };
    }
    if (this.#delayCount > 0) {
      this.#delayCount--;
      this.#pendingResponses.add(res);
      await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
      this.#pendingResponses.delete(res);
      if (res.destroyed || req.socket.destroyed) {
        this.cancelled++;
        return;
      }
    }
    if (payload && typeof payload === "object" && !Array.isArray(payload))
      (payload as Record<string, unknown>).time = (performance.now() - started) / 1000;
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  #route(method: string, path: string, _query: Record<string, string>, body: unknown): unknown {
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) throw new HttpError(404, `Not found: ${path}`);
    const name = decodeURIComponent(m[1]!);
    const rest = m[2] ?? "";
    checkCollectionName(name);
    const key = `${method} ${rest}`;
    switch (key) {
      case "GET ":
        return this.#info(name);
      case "PUT ":
        return this.#create(name, body);
      case "DELETE ": {
        if (!this.collections.has(name)) throw notFound(name);
        this.collections.delete(name);
        return true;
      }
      case "GET /exists":
        return { exists: this.collections.has(name) };
      case "PUT /index":
        return this.#createIndex(this.#get(name), body);
      case "PUT /points":
        return this.#upsert(this.#get(name), body);
      case "POST /points":
        return this.#retrieve(this.#get(name), body);
      case "POST /points/query":
        return { points: this.#query(this.#get(name), body) };
      case "POST /points/search":
        return this.#query(this.#get(name), body, "vector");
      case "POST /points/delete":
        return this.#delete(this.#get(name), body);
      case "POST /points/count":
        return { count: this.#filtered(this.#get(name), objectField(body, "filter")).length };
      default:
        throw new HttpError(404, `Not found: ${method} ${path}`);
    }
  }

  #get(name: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw notFound(name);
    return c;
  }

  #info(name: string): unknown {
    const c = this.#get(name);
    return {
      status: "green",
      optimizer_status: "ok",
      indexed_vectors_count: 0,
      points_count: c.points.size,
      segments_count: 1,
      config: {
        params: {
          vectors: { size: c.size, distance: c.distance, ...(c.onDisk ? { on_disk: true } : {}) },
          shard_number: 1,
          replication_factor: 1,
          write_consistency_factor: 1,
          on_disk_payload: true,
        },
        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, on_disk: false, ...c.hnsw },
        optimizer_config: {},
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        quantization_config: null,
        ...(c.metadata ? { metadata: c.metadata } : {}),
      },
      payload_schema: Object.fromEntries(
        [...c.payloadSchema].map(([field, type]) => [
          field,
          { data_type: type, params: { type }, points: c.points.size },
        ]),
      ),
    };
  }

  #create(name: string, body: unknown): boolean {
    if (this.collections.has(name))
      throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    const vectors = objectField(body, "vectors");
    if (!vectors || typeof vectors.size !== "number")
      throw new HttpError(400, "Wrong input: only single unnamed vectors are implemented by the fake");
    const { size, distance } = vectors as { size: unknown; distance: unknown };
    if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > 65_535)
      throw new HttpError(
        422,
        "Validation error in JSON body: [vectors.size: value must be between 1 and 65535]",
      );
    if (!["Cosine", "Euclid", "Dot", "Manhattan"].includes(distance as string))
      throw new HttpError(400, `Format error in JSON body: unknown variant \`${String(distance)}\``);
    this.collections.set(name, {
      size: size as number,
      distance: distance as Distance,
      onDisk: vectors.on_disk === true,
      hnsw: objectField(body, "hnsw_config") ?? {},
      metadata: objectField(body, "metadata") ?? null,
      payloadSchema: new Map(),
      points: new Map(),
    });
    return true;
  }

  #createIndex(c: Collection, body: unknown): unknown {
    const field = (body as { field_name?: unknown })?.field_name;
    let schema = (body as { field_schema?: unknown })?.field_schema;
    if (schema && typeof schema === "object") schema = (schema as { type?: unknown }).type;
    if (typeof field !== "string" || field.length === 0) throw new HttpError(400, "field_name is required");
    if (
      !["keyword", "integer", "float", "bool", "geo", "text", "datetime", "uuid"].includes(schema as string)
    )
      throw new HttpError(400, `Format error in JSON body: unknown field_schema ${String(schema)}`);
    c.payloadSchema.set(field, schema as string);
    return { operation_id: 0, status: "completed" };
  }

  #upsert(c: Collection, body: unknown): unknown {
    const points = (body as { points?: unknown })?.points;
    if (!Array.isArray(points)) throw new HttpError(400, "Format error in JSON body: missing field `points`");
    const prepared = points.map((p: { id?: unknown; vector?: unknown; payload?: unknown }) => {
      const id = canonicalId(p.id);
      if (!Array.isArray(p.vector) || p.vector.some((v) => typeof v !== "number"))
        throw new HttpError(400, "Format error in JSON body: vector must be an array of numbers");
      if (p.vector.length !== c.size)
        throw new HttpError(
          400,
          `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${p.vector.length}`,
        );
      const payload = p.payload === undefined || p.payload === null ? {} : p.payload;
      if (typeof payload !== "object" || Array.isArray(payload))
        throw new HttpError(400, "Format error in JSON body: payload must be an object");
      let vector = Float32Array.from(p.vector as number[]);
      if (c.distance === "Cosine") vector = normalise(vector);
      return { id, vector, payload: structuredClone(payload) as Record<string, unknown> };
    });
    for (const p of prepared) c.points.set(String(p.id), p);
    return { operation_id: 1, status: "completed" };
  }

  #retrieve(c: Collection, body: unknown): unknown {
    const ids = (body as { ids?: unknown })?.ids;
    if (!Array.isArray(ids)) throw new HttpError(400, "Format error in JSON body: missing field `ids`");
    const withPayload = (body as { with_payload?: unknown }).with_payload ?? true;
    const withVector = (body as { with_vector?: unknown }).with_vector ?? false;
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const raw of ids) {
      const id = String(canonicalId(raw));
      if (seen.has(id)) continue;
      seen.add(id);
      const p = c.points.get(id);
      if (p) out.push(present(p, withPayload, withVector));
    }
    return out;
  }

  #query(c: Collection, body: unknown, vectorKey = "query"): unknown[] {
    const b = (body ?? {}) as Record<string, unknown>;
    const q = b[vectorKey];
    if (!Array.isArray(q) || q.some((v) => typeof v !== "number"))
      throw new HttpError(400, "Wrong input: only a dense vector query is implemented by the fake");
    if (q.length !== c.size)
      throw new HttpError(
        400,
        `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${q.length}`,
      );
    const limit = b.limit ?? 10;
    if (!Number.isInteger(limit) || (limit as number) < 1)
      throw new HttpError(422, "Validation error in JSON body: [limit: value must be at least 1]");
    const threshold = b.score_threshold;
    if (threshold !== undefined && threshold !== null && typeof threshold !== "number")
      throw new HttpError(400, "Format error in JSON body: score_threshold must be a number");
    const params = (b.params ?? {}) as Record<string, unknown>;
    if (params.hnsw_ef !== undefined && !Number.isInteger(params.hnsw_ef))
      throw new HttpError(400, "Format error in JSON body: hnsw_ef must be an integer");
    let query = Float32Array.from(q as number[]);
    if (c.distance === "Cosine") query = normalise(query);
    const lowerIsBetter = c.distance === "Euclid" || c.distance === "Manhattan";
    const better = (a: number, z: number) => (lowerIsBetter ? a < z : a > z);
    const filter = b.filter as Record<string, unknown> | undefined | null;
    // Keep the best `limit` in a small sorted list: enough for a benchmark at 10k+ points.
    const best: { p: StoredPoint; score: number }[] = [];
    for (const p of c.points.values()) {
      if (filter !== undefined && filter !== null && !matchFilter(filter, p)) continue;
      const s = Math.fround(score(c.distance, query, p.vector));
      if (typeof threshold === "number" && !better(s, threshold)) continue;
      if (best.length === limit && !better(s, best[best.length - 1]!.score)) continue;
      let at = best.length;
      while (at > 0 && better(s, best[at - 1]!.score)) at--;
      best.splice(at, 0, { p, score: s });
      if (best.length > (limit as number)) best.pop();
    }
    return best.map(({ p, score: s }) => ({
      id: p.id,
      version: 0,
      score: s,
      ...(present(p, b.with_payload ?? false, b.with_vector ?? false) as object),
    }));
  }

  #delete(c: Collection, body: unknown): unknown {
    const b = (body ?? {}) as Record<string, unknown>;
    if (Array.isArray(b.points)) {
      for (const raw of b.points) c.points.delete(String(canonicalId(raw)));
    } else if (b.filter && typeof b.filter === "object") {
      for (const p of this.#filtered(c, b.filter as Record<string, unknown>)) c.points.delete(String(p.id));
    } else {
      throw new HttpError(400, "Format error in JSON body: expected `points` or `filter`");
    }
    return { operation_id: 2, status: "completed" };
  }

  #filtered(c: Collection, filter: Record<string, unknown> | undefined | null): StoredPoint[] {
    const points = [...c.points.values()];
    if (filter === undefined || filter === null) return points;
    return points.filter((p) => matchFilter(filter, p));
  }
}

function present(p: StoredPoint, withPayload: unknown, withVector: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { id: p.id };
  if (withPayload === true) out.payload = structuredClone(p.payload);
  else if (Array.isArray(withPayload))
    out.payload = Object.fromEntries(withPayload.filter((k) => k in p.payload).map((k) => [k, p.payload[k]]));
  if (withVector === true) out.vector = Array.from(p.vector);
  return out;
}

function notFound(name: string): HttpError {
  return new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
}

/** Qdrant's rule: 1–255 characters, none of < > : " / \ | ? * NUL. */
function checkCollectionName(name: string): void {
  if (name.length === 0 || name.length > 255 || /[<>:"/\\|?*]/.test(name) || name.includes("\0"))
    throw new HttpError(422, `Validation error in path parameters: [name: collection name is invalid]`);
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function canonicalId(raw: unknown): string | number {
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0) return raw;
  if (typeof raw === "string" && UUID_RE.test(raw)) {
    const hex = raw.replaceAll("-", "").toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw new HttpError(
    400,
    `Format error in JSON body: value ${JSON.stringify(raw)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

function normalise(v: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum);
  // Qdrant leaves a zero vector as it is.
  return n === 0 ? v : v.map((x) => x / n);
}

function score(distance: Distance, q: Float32Array, v: Float32Array | number[]): number {
  let acc = 0;
  for (let i = 0; i < q.length; i++) {
    const a = q[i]!;
    const b = v[i]!;
    if (distance === "Euclid") acc += (a - b) * (a - b);
    else if (distance === "Manhattan") acc += Math.abs(a - b);
    else acc += a * b;
  }
  return distance === "Euclid" ? Math.sqrt(acc) : acc;
}

function objectField(body: unknown, key: string): Record<string, unknown> | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

// ---- Qdrant's filter semantics ------------------------------------------------------------------

export function matchFilter(filter: Record<string, unknown>, p: StoredPoint): boolean {
  for (const k of Object.keys(filter)) {
    if (!["must", "should", "must_not", "min_should"].includes(k))
      throw new HttpError(400, `Format error in JSON body: unknown field \`${k}\` in filter`);
  }
  const list = (k: string): Record<string, unknown>[] => {
    const v = filter[k];
    if (v === undefined || v === null) return [];
    // Qdrant accepts a single condition in place of a list.
    return (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
  };
  const must = list("must");
  const should = list("should");
  const mustNot = list("must_not");
  if (!must.every((c) => matchCondition(c, p))) return false;
  if (should.length > 0 && !should.some((c) => matchCondition(c, p))) return false;
  return !mustNot.some((c) => matchCondition(c, p));
}

function matchCondition(c: Record<string, unknown>, p: StoredPoint): boolean {
  if (typeof c !== "object" || c === null)
    throw new HttpError(400, "Format error in JSON body: bad condition");
  if ("must" in c || "should" in c || "must_not" in c) return matchFilter(c, p);
  if ("has_id" in c) {
    if (!Array.isArray(c.has_id))
      throw new HttpError(400, "Format error in JSON body: has_id must be a list");
    const id = String(p.id);
    return c.has_id.some((raw) => String(canonicalId(raw)) === id);
  }
  if ("is_empty" in c) return isEmpty(valueAt(p.payload, keyOf(c.is_empty)));
  if ("is_null" in c) return valueAt(p.payload, keyOf(c.is_null)) === null;
  if (typeof c.key !== "string") throw new HttpError(400, "Format error in JSON body: condition without key");
  const raw = valueAt(p.payload, c.key);
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (c.match !== undefined) return matchMatch(c.match as Record<string, unknown>, values);
  if (c.range !== undefined) return matchRange(c.range as Record<string, unknown>, values);
  if (c.is_empty === true) return isEmpty(raw);
  if (c.is_null === true) return raw === null;
  throw new HttpError(400, `Format error in JSON body: unsupported condition ${JSON.stringify(c)}`);
}

function keyOf(v: unknown): string {
  const key = (v as { key?: unknown } | null)?.key;
  if (typeof key !== "string") throw new HttpError(400, "Format error in JSON body: missing key");
  return key;
}

function isEmpty(raw: unknown): boolean {
  if (raw === undefined || raw === null) return true;
  if (Array.isArray(raw)) return raw.every((v) => v === null);
  return false;
}

/** Qdrant's match variants are typed: a JSON string, an integer, or a boolean; never a float. */
function checkMatchValue(v: unknown): void {
  if (typeof v === "string" || typeof v === "boolean") return;
  if (typeof v === "number" && Number.isInteger(v)) return;
  throw new HttpError(
    400,
    `Format error in JSON body: data did not match any variant of untagged enum ValueVariants (${JSON.stringify(v)})`,
  );
}

function checkAnyList(list: unknown): unknown[] {
  if (!Array.isArray(list)) throw new HttpError(400, "Format error in JSON body: match.any must be a list");
  const allStrings = list.every((v) => typeof v === "string");
  const allInts = list.every((v) => typeof v === "number" && Number.isInteger(v));
  if (!allStrings && !allInts)
    throw new HttpError(
      400,
      "Format error in JSON body: data did not match any variant of untagged enum AnyVariants",
    );
  return list;
}

function same(expected: unknown, actual: unknown): boolean {
  if (typeof expected === "number")
    return typeof actual === "number" && Number.isInteger(actual) && actual === expected;
  return typeof actual === typeof expected && actual === expected;
}

function matchMatch(m: Record<string, unknown>, values: unknown[]): boolean {
  if ("value" in m) {
    checkMatchValue(m.value);
    return values.some((v) => same(m.value, v));
  }
  if ("any" in m) {
    const list = checkAnyList(m.any);
    return values.some((v) => list.some((x) => same(x, v)));
  }
  if ("except" in m) {
    const list = checkAnyList(m.except);
    return values.some((v) => v !== null && !list.some((x) => same(x, v)));
  }
  throw new HttpError(400, `Format error in JSON body: unsupported match ${JSON.stringify(m)}`);
}

function matchRange(r: Record<string, unknown>, values: unknown[]): boolean {
  for (const [k, v] of Object.entries(r)) {
    if (!["gt", "gte", "lt", "lte"].includes(k) || (v !== null && typeof v !== "number"))
      throw new HttpError(400, `Format error in JSON body: bad range ${JSON.stringify(r)}`);
  }
  return values.some((v) => {
    if (typeof v !== "number") return false;
    if (typeof r.gt === "number" && !(v > r.gt)) return false;
    if (typeof r.gte === "number" && !(v >= r.gte)) return false;
    if (typeof r.lt === "number" && !(v < r.lt)) return false;
    if (typeof r.lte === "number" && !(v <= r.lte)) return false;
    return true;
  });
}

/** Qdrant's JSON paths as this store uses them: `a.b.c`, no indexes, arrays flattened on the way. */
function valueAt(payload: Record<string, unknown>, path: string): unknown {
  let current: unknown[] = [payload];
  const parts = path.split(".");
  for (const [i, part] of parts.entries()) {
    const next: unknown[] = [];
    for (const value of current) {
      const objects = Array.isArray(value) && i > 0 ? value : [value];
      for (const o of objects) {
        if (o && typeof o === "object" && !Array.isArray(o) && Object.hasOwn(o, part))
          next.push((o as Record<string, unknown>)[part]);
      }
    }
    current = next;
  }
  if (current.length === 0) return undefined;
  return current.length === 1 ? current[0] : current.flat();
}
