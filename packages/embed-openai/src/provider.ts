import {
  assertStorableText,
  BackendError,
  BackendUnavailableError,
  type CallOptions,
  ConfigError,
  type EmbeddingProvider,
  isMemoryError,
  throwIfAborted,
  ValidationError,
} from "@langswarm/memory-core";
import { type Batch, planBatches } from "./batches.js";
import { createClient } from "./client.js";
import { decodeEmbedding } from "./decode.js";
import { BACKEND, classify, type ErrorContext, REQUEST_TOO_LARGE, redact } from "./errors.js";
import { Limiter } from "./limiter.js";
import { withRetries } from "./retry.js";
import {
  type EmbeddingsClient,
  type OpenAIEmbeddingSettings,
  type ResolvedSettings,
  resolveSettings,
} from "./settings.js";
import { estimateTokens, truncateToTokens } from "./tokens.js";

/** The text embedded once at create() to measure an unknown model's dimension. */
export const PROBE_TEXT = "dimension probe";

/** Counters for tests, benchmarks and monitoring. */
export interface EmbeddingStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Texts embedded (successful requests). */
  inputs: number;
  /** Tokens the server reported in `usage.prompt_tokens`. */
  promptTokens: number;
}

interface WireResponse {
  data?: { index?: unknown; embedding?: unknown }[];
  usage?: { prompt_tokens?: unknown };
}

/**
 * Embeddings from OpenAI or any OpenAI-compatible server (Azure OpenAI, Ollama, vLLM, LM Studio...).
 * One embed() call is cut into requests within the API's limits (inputs AND estimated tokens), sent
 * with bounded concurrency shared by all calls, retried on 429/5xx/connection errors with backoff and
 * Retry-After, and reassembled in input order. Create it with `createOpenAIEmbeddings` (async: an
 * unknown model's dimension is measured once).
 */
export class OpenAIEmbeddingProvider implements EmbeddingProvider {
  readonly provider = BACKEND;
  readonly model: string;
  readonly dimension: number;
  readonly maxBatchSize: number;
  readonly stats: EmbeddingStats = { requests: 0, retries: 0, inputs: 0, promptTokens: 0 };

  readonly #settings: ResolvedSettings;
  readonly #transport: Transport;
  readonly #limiter: Limiter;
  /** Fires on close(): in-flight requests and waits stop. */
  readonly #closing = new AbortController();

  /** Use `createOpenAIEmbeddings`; this constructor needs the dimension already known. */
  constructor(settings: ResolvedSettings, client: EmbeddingsClient, dimension: number) {
    this.#settings = settings;
    this.model = settings.model;
    this.dimension = dimension;
    this.maxBatchSize = settings.batchSize;
    this.#limiter = new Limiter(settings.maxConcurrency);
    this.#transport = { client, settings, errorContext: errorContextOf(settings), stats: this.stats };
  }

  /** Requests in flight right now (all calls together); never above max_concurrency. */
  get inFlight(): number {
    return this.#limiter.active;
  }

  async embed(texts: string[], options: CallOptions = {}): Promise<Float32Array[]> {
    throwIfAborted(options.signal, BACKEND);
    if (this.#closing.signal.aborted) {
      throw new BackendUnavailableError("the provider is closed", { backend: BACKEND });
    }
    if (!Array.isArray(texts)) {
      throw new ValidationError("texts must be an array of strings", { backend: BACKEND });
    }
    if (texts.length === 0) return [];
    const { inputs, tokens } = this.#prepare(texts);
    const batches = planBatches(inputs, tokens, this.#settings.batchSize, this.#settings.maxRequestTokens);
    return this.#run(batches, inputs.length, options.signal);
  }

  /** Stop: in-flight requests are aborted and later calls fail. Never touches a caller's client. */
  async close(): Promise<void> {
    this.#closing.abort();
  }

  /** Validate every text before any request, so a bad text in a large call costs nothing. */
  #prepare(texts: string[]): { inputs: string[]; tokens: number[] } {
    const { maxInputTokens, truncate } = this.#settings;
    const inputs: string[] = new Array(texts.length);
    const tokens: number[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      let text = texts[i];
      assertStorableText(text, `texts[${i}]`, { backend: BACKEND });
      if (text.length === 0) {
        throw new ValidationError(`texts[${i}] is empty; the embeddings API rejects empty input`, {
          backend: BACKEND,
        });
      }
      let estimate = estimateTokens(text);
      if (estimate > maxInputTokens) {
        if (!truncate) {
          throw new ValidationError(
            `texts[${i}] is about ${estimate} tokens (conservative estimate), over the limit of ${maxInputTokens} per input for model "${this.model}"; shorten it, or set truncate: true`,
            { backend: BACKEND },
          );
        }
        text = truncateToTokens(text, maxInputTokens);
        estimate = estimateTokens(text);
      }
      inputs[i] = text;
      tokens[i] = estimate;
    }
    return { inputs, tokens };
  }

  async #run(
    batches: Batch[],
    count: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array(count);
    // One signal for the whole call: the caller's, close(), or the first failed batch stops the rest.
    const failed = new AbortController();
    const signals = [failed.signal, this.#closing.signal];
    if (callerSignal) signals.push(callerSignal);
    const signal = AbortSignal.any(signals);
    let firstError: unknown;
    await Promise.all(
      batches.map(async (batch) => {
        try {
          const vectors = await this.#limiter.run(() => this.#request(batch.texts, signal), signal);
          for (let j = 0; j < vectors.length; j++) out[batch.start + j] = vectors[j]!;
        } catch (error) {
          if (firstError === undefined) {
            firstError = error;
            failed.abort();
          }
        }
      }),
    );
    if (firstError !== undefined) {
      if (callerSignal?.aborted) throwIfAborted(callerSignal, BACKEND);
      if (this.#closing.signal.aborted) {
        throw new BackendUnavailableError("the provider was closed during the call", { backend: BACKEND });
      }
      throw isMemoryError(firstError) ? firstError : classify(firstError, this.#transport.errorContext).error;
    }
    return out;
  }

  #request(input: string[], signal: AbortSignal): Promise<Float32Array[]> {
    return requestEmbeddings(this.#transport, input, signal, this.dimension);
  }
}

interface Transport {
  client: EmbeddingsClient;
  settings: ResolvedSettings;
  errorContext: ErrorContext;
  stats: EmbeddingStats;
}

/** One request (with retries) for texts that fit the limits; vectors in input order. */
async function requestEmbeddings(
  t: Transport,
  input: string[],
  signal: AbortSignal | undefined,
  dimension: number | undefined,
): Promise<Float32Array[]> {
  const { model, encodingFormat, requestDimensions, timeoutMs, retry } = t.settings;
  // encoding_format is always explicit: the SDK then hands back the wire data untouched and we decode
  // base64 straight into a Float32Array (no number[] in between).
  const body: Record<string, unknown> = { model, input, encoding_format: encodingFormat };
  if (requestDimensions !== undefined) body.dimensions = requestDimensions;
  let response: WireResponse;
  try {
    response = await withRetries(
      async () => {
        t.stats.requests++;
        return (await t.client.embeddings.create(body, {
          signal,
          maxRetries: 0,
          timeout: timeoutMs,
        })) as WireResponse;
      },
      (error) => classify(error, t.errorContext, signal),
      retry,
      signal,
      { onRetry: () => void t.stats.retries++ },
    );
  } catch (error) {
    if (!(REQUEST_TOO_LARGE.has(error as object) && input.length > 1)) throw error;
    // The server counted more tokens than our estimate: send each half on its own.
    const half = Math.ceil(input.length / 2);
    const head = await requestEmbeddings(t, input.slice(0, half), signal, dimension);
    const tail = await requestEmbeddings(t, input.slice(half), signal, dimension);
    return [...head, ...tail];
  }
  const vectors = decodeResponse(response, input.length, dimension);
  t.stats.inputs += input.length;
  const used = response.usage?.prompt_tokens;
  if (typeof used === "number") t.stats.promptTokens += used;
  return vectors;
}

/**
 * Put the server's `data` back into input order by `index` (servers may answer in any order) and check
 * that every input got exactly one vector of the right dimension.
 */
export function decodeResponse(
  response: WireResponse,
  count: number,
  dimension: number | undefined,
): Float32Array[] {
  const data = response?.data;
  if (!Array.isArray(data))
    throw new BackendError("the server's answer has no data array", { backend: BACKEND });
  if (data.length !== count) {
    throw new BackendError(`the server returned ${data.length} embeddings for ${count} inputs`, {
      backend: BACKEND,
    });
  }
  const out: Float32Array[] = new Array(count);
  for (const item of data) {
    const index = item?.index;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= count || out[index]) {
      throw new BackendError(
        `the server returned an embedding with a missing, duplicate or out-of-range index (${String(index)})`,
        { backend: BACKEND },
      );
    }
    out[index] = decodeEmbedding(item.embedding, dimension, `data[index=${index}]`);
  }
  return out;
}

/**
 * Create the provider from LangSwarm settings. Known models (text-embedding-3-small/large, ada-002)
 * need no request; any other model's dimension is measured once by embedding a probe text, and if
 * that fails this throws (ConfigError for a bad key or model, BackendUnavailableError if the server is
 * unreachable) instead of guessing a dimension.
 */
export async function createOpenAIEmbeddings(
  settings: OpenAIEmbeddingSettings | Record<string, unknown> = {},
  options: { env?: NodeJS.ProcessEnv } & CallOptions = {},
): Promise<OpenAIEmbeddingProvider> {
  const resolved = resolveSettings(settings, options.env);
  let client: EmbeddingsClient;
  try {
    client = createClient(resolved.connection, resolved.timeoutMs);
  } catch (error) {
    // The SDK refuses some combinations of options and environment (e.g. two Azure credentials).
    throw new ConfigError(
      `the OpenAI client refused the settings: ${redact(String((error as Error).message), resolved.secrets)}`,
      { backend: BACKEND },
    );
  }
  if (resolved.dimension !== undefined)
    return new OpenAIEmbeddingProvider(resolved, client, resolved.dimension);

  // Unknown model: ask the server once. Retries apply (a cold Ollama may answer 503 while loading).
  const measured = await measureDimension(resolved, client, options.signal);
  if (resolved.requestDimensions !== undefined && measured !== resolved.requestDimensions) {
    throw new ConfigError(
      `dimensions: asked for ${resolved.requestDimensions} but model "${resolved.model}" at ${resolved.target} returned ${measured}; the server does not support dimensions for this model`,
      { backend: BACKEND, key: "dimensions" },
    );
  }
  return new OpenAIEmbeddingProvider(resolved, client, measured);
}

async function measureDimension(
  settings: ResolvedSettings,
  client: EmbeddingsClient,
  signal: AbortSignal | undefined,
): Promise<number> {
  const transport: Transport = {
    client,
    settings,
    errorContext: errorContextOf(settings),
    stats: { requests: 0, retries: 0, inputs: 0, promptTokens: 0 },
  };
  let vectors: Float32Array[];
  try {
    vectors = await requestEmbeddings(transport, [PROBE_TEXT], signal, undefined);
  } catch (error) {
    const why = `while measuring the dimension of model "${settings.model}" (a model not in the known list)`;
    if (
      isMemoryError(error) &&
      (error.code === "CONFIG" || error.code === "BACKEND_UNAVAILABLE" || error.code === "ABORTED")
    ) {
      error.message = `${error.message} ${why}`;
      throw error;
    }
    if (isMemoryError(error) && error.code === "VALIDATION") {
      // The probe's text is fixed, so a rejected request means the settings do not suit this server.
      throw new ConfigError(
        `${error.message.replace(/^\[[^\]]*\]\s*/, "")} ${why}; check model, dimensions and encoding_format`,
        {
          backend: BACKEND,
          cause: error,
        },
      );
    }
    throw new BackendUnavailableError(`${(error as Error).message.replace(/^\[[^\]]*\]\s*/, "")} ${why}`, {
      backend: BACKEND,
      cause: error,
    });
  }
  const dimension = vectors[0]!.length;
  if (dimension === 0)
    throw new BackendUnavailableError(`model "${settings.model}" returned an empty embedding for the probe`, {
      backend: BACKEND,
    });
  return dimension;
}

function errorContextOf(settings: ResolvedSettings): ErrorContext {
  return { model: settings.model, target: settings.target, secrets: settings.secrets };
}
