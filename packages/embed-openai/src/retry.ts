import { AbortError, BackendUnavailableError } from "@langswarm/memory-core";
import { BACKEND, type Failure } from "./errors.js";

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryHooks {
  /** Called before each wait, e.g. to count retries. */
  onRetry?: (attempt: number, delayMs: number, failure: Failure) => void;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Exponential backoff with jitter: base * 2^attempt, capped, scaled into [50%, 100%] so that clients
 * that failed together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return ceiling * (0.5 + random() * 0.5);
}

/**
 * Run `request` until it succeeds, fails for good, or the retries are spent. We own this loop (the SDK
 * runs with maxRetries 0) so that Retry-After is honoured exactly, the abort signal cuts a wait short,
 * and the behaviour is the same whichever SDK version or caller client is in use.
 */
export async function withRetries<T>(
  request: () => Promise<T>,
  classify: (error: unknown) => Failure,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (raw) {
      const failure = classify(raw);
      if (!failure.retryable) throw failure.error;
      if (attempt >= policy.maxRetries) {
        failure.error.message += ` (gave up after ${attempt + 1} attempts)`;
        throw failure.error;
      }
      let delay = backoffDelay(attempt, policy, hooks.random);
      if (failure.retryAfterMs !== undefined) {
        if (failure.retryAfterMs > policy.maxDelayMs) {
          // Retrying sooner than the server allows only earns another 429; waiting longer than
          // retry_max_delay_ms would stall the caller. Fail now and say when to come back.
          throw new BackendUnavailableError(
            `${failure.error.message.replace(/^\[[^\]]*\]\s*/, "")} (the server asked to wait ${Math.ceil(failure.retryAfterMs / 1000)} s, more than retry_max_delay_ms)`,
            { backend: BACKEND, cause: failure.error },
          );
        }
        delay = failure.retryAfterMs;
      }
      hooks.onRetry?.(attempt + 1, delay, failure);
      await sleep(delay, signal);
    }
  }
}

/** setTimeout as a promise that rejects with AbortError as soon as the signal fires. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError({ backend: BACKEND }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError({ backend: BACKEND }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
