import type { CallOptions } from "./common.js";

export interface EmbeddingProvider {
  /** Registry name, e.g. "openai", "hash". */
  readonly provider: string;
  readonly model: string;
  readonly dimension: number;
  /** Texts per `embed` call the provider handles in one request; callers may pass more. */
  readonly maxBatchSize: number;
  /** One vector per text, in order. */
  embed(texts: string[], options?: CallOptions): Promise<Float32Array[]>;
  close?(): Promise<void>;
}
