// A local OpenAI-compatible server for tests and the benchmark: POST /v1/embeddings (and Azure's
// /openai/deployments/{name}/embeddings?api-version=...), with the real API's limits, deterministic
// vectors, latency, scripted failures and in-flight measurement. Only node: imports and erasable
// TypeScript, so the benchmark can load it with Node's type stripping.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeModel {
  dimension: number;
  /** Accepts `dimensions` (shortened embeddings), like text-embedding-3. */
  shortenable: boolean;
}

export const FAKE_MODELS: Record<string, FakeModel> = {
  "text-embedding-3-small": { dimension: 1536, shortenable: true },
  "text-embedding-3-large": { dimension: 3072, shortenable: true },
  "text-embedding-ada-002": { dimension: 1536, shortenable: false },
  "nomic-embed-text": { dimension: 768, shortenable: false },
  "tiny-embed": { dimension: 8, shortenable: false },
};

/** What the test makes the next request(s) do instead of answering normally. */
export type Scripted =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { reset: true }
  | { delayMs: number };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  at: number;
}

export interface FakeOptions {
  /** Bearer key (or Azure api-key) required; undefined accepts any or none. */
  apiKey?: string;
  /** Added to every request before answering. */
  latencyMs?: number;
  /** Answer `data` in reverse order (the API does not promise order; clients must use `index`). */
  reverse?: boolean;
  /** Ignore `encoding_format` and always answer floats (like some compatible servers). */
  alwaysFloat?: boolean;
  /** Ignore `dimensions` (like some compatible servers). */
  ignoreDimensions?: boolean;
  maxInputs?: number;
  maxRequestTokens?: number;
  maxInputTokens?: number;
}

export interface FakeOpenAI {
  url: string;
  /** base_url for the OpenAI client: `${url}/v1`. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Highest number of requests being handled at once. */
  maxInFlight: number;
  options: FakeOptions;
  /** Queue responses for the next requests, in order. */
  script(...items: Scripted[]): void;
  reset(): void;
  close(): Promise<void>;
}

/** The server's own token count: ~4 bytes per token, like OpenAI's tokenizers on English. */
export function serverTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text) / 4);
}

/** The vector the fake returns for a text: from a SHA-256 seeded PRNG, unit length. */
export function fakeVector(text: string, dimension: number, model = ""): Float32Array {
  const seed = createHash("sha256").update(`${model}\u0000${text}`).digest();
  let state = seed.readUInt32LE(0) ^ seed.readUInt32LE(4);
  const v = new Float32Array(dimension);
  let norm = 0;
  for (let i = 0; i < dimension; i++) {
    // xorshift32, mapped to [-1, 1)
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    v[i] = ((state >>> 0) / 0x100000000) * 2 - 1;
    norm += v[i]! * v[i]!;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimension; i++) v[i]! /= norm;
  return v;
}

export async function startFakeOpenAI(options: FakeOptions = {}): Promise<FakeOpenAI> {
  const queue: Scripted[] = [];
  let inFlight = 0;
  const state: FakeOpenAI = {
    url: "",
    baseURL: "",
    requests: [],
    maxInFlight: 0,
    options,
    script: (...items) => void queue.push(...items),
    reset: () => {
      state.requests.length = 0;
      state.maxInFlight = 0;
      queue.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer(async (req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    try {
      await handle(req, res);
    } catch (error) {
      if (!res.headersSent) send(res, 500, { error: { message: String(error), type: "server_error" } });
    }
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return send(res, 400, apiError("could not parse the JSON body", "invalid_request_error"));
    }
    state.requests.push({ path: url.pathname + url.search, headers: req.headers, body, at: Date.now() });

    const scripted = queue.shift();
    if (options.latencyMs) await sleep(options.latencyMs, res);
    if (scripted && "delayMs" in scripted) await sleep(scripted.delayMs, res);
    if (res.destroyed) return;
    if (scripted && "reset" in scripted) {
      req.socket.destroy();
      return;
    }
    if (scripted && "status" in scripted) {
      return send(
        res,
        scripted.status,
        scripted.body ?? apiError(`scripted ${scripted.status}`, "server_error"),
        scripted.headers,
      );
    }

    const azure = /^\/openai\/deployments\/([^/]+)\/embeddings$/.exec(url.pathname);
    if (!azure && url.pathname !== "/v1/embeddings")
      return send(res, 404, apiError(`no route ${url.pathname}`, "invalid_request_error"));
    if (azure && !url.searchParams.get("api-version"))
      return send(res, 404, apiError("api-version is required", "invalid_request_error"));

    if (options.apiKey !== undefined) {
      const given = azure ? req.headers["api-key"] : req.headers.authorization?.replace(/^Bearer /, "");
      if (given !== options.apiKey) {
        // Like OpenAI: the message quotes part of the key the client sent.
        const shown = typeof given === "string" ? `${given.slice(0, 5)}***${given.slice(-4)}` : "none";
        return send(
          res,
          401,
          apiError(
            `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            "invalid_request_error",
            "invalid_api_key",
          ),
        );
      }
    }

    const modelName = azure ? decodeURIComponent(azure[1]!) : body.model;
    const model = typeof modelName === "string" ? FAKE_MODELS[modelName] : undefined;
    if (!model) {
      return send(
        res,
        404,
        apiError(
          `The model \`${String(modelName)}\` does not exist or you do not have access to it.`,
          "invalid_request_error",
          "model_not_found",
        ),
      );
    }
    const input = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === "string")) {
      return send(
        res,
        400,
        apiError("'$.input' is invalid. Please check the API reference.", "invalid_request_error"),
      );
    }
    if (input.length > (options.maxInputs ?? 2048)) {
      return send(
        res,
        400,
        apiError(
          `'$.input' is too long: ${input.length} > ${options.maxInputs ?? 2048} inputs`,
          "invalid_request_error",
        ),
      );
    }
    let total = 0;
    for (const text of input as string[]) {
      if (text.length === 0)
        return send(
          res,
          400,
          apiError("'$.input' is invalid. Please check the API reference.", "invalid_request_error"),
        );
      const tokens = serverTokens(text);
      if (tokens > (options.maxInputTokens ?? 8191)) {
        return send(
          res,
          400,
          apiError(
            `This model's maximum context length is 8192 tokens, however you requested ${tokens} tokens.`,
            "invalid_request_error",
          ),
        );
      }
      total += tokens;
    }
    if (total > (options.maxRequestTokens ?? 300_000)) {
      return send(
        res,
        400,
        apiError(
          `Requested ${total} tokens, max ${options.maxRequestTokens ?? 300_000} tokens per request`,
          "invalid_request_error",
          "max_tokens_per_request",
        ),
      );
    }

    let dimension = model.dimension;
    if (body.dimensions !== undefined && !options.ignoreDimensions) {
      if (!model.shortenable)
        return send(
          res,
          400,
          apiError("This model does not support specifying dimensions.", "invalid_request_error"),
        );
      if (typeof body.dimensions !== "number" || body.dimensions < 1 || body.dimensions > model.dimension) {
        return send(
          res,
          400,
          apiError(`Invalid value for 'dimensions' = ${String(body.dimensions)}.`, "invalid_request_error"),
        );
      }
      dimension = body.dimensions;
    }
    const base64 = body.encoding_format === "base64" && !options.alwaysFloat;
    const data = (input as string[]).map((text, index) => {
      const full = fakeVector(text, model.dimension, String(modelName));
      const v = dimension === model.dimension ? full : renormalize(full.subarray(0, dimension));
      return {
        object: "embedding",
        index,
        embedding: base64
          ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64")
          : Array.from(v),
      };
    });
    if (options.reverse) data.reverse();
    send(res, 200, {
      object: "list",
      data,
      model: modelName,
      usage: { prompt_tokens: total, total_tokens: total },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.baseURL = `${state.url}/v1`;
  return state;
}

function renormalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return Float32Array.from(v, (x) => x / norm);
}

function apiError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Wait, but stop early if the client went away (an aborted request). */
function sleep(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once("close", done);
    function done() {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    }
  });
}
