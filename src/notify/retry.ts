import { sleep } from '../common/async.js';

export interface RetryPolicy {
  /** Tries after the first one. */
  maxRetries: number;
  /** First backoff; doubled each retry up to `capMs`. */
  baseMs: number;
  capMs: number;
  /** A `retry_after` / `Retry-After` longer than this fails at once instead of blocking a run. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 4,
  baseMs: 500,
  capMs: 10_000,
  maxRetryAfterMs: 120_000,
};

/** What to do with a failed try: give up with this error, or wait (the remote's own wait, if it said one). */
export type RetryDecision =
  | { retry: false; error: unknown }
  | { retry: true; afterMs?: number; error: unknown };

/**
 * Runs `fn` until it succeeds, retrying only what `classify` says can succeed on a retry
 * (network errors, 5xx, 429), with capped exponential backoff or the remote's `retry_after`,
 * sleeping abortably. `onRetry` sees each wait (for a warn log); the last error is rethrown.
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  classify: (err: unknown, attempt: number) => RetryDecision,
  opts: {
    policy?: Partial<RetryPolicy>;
    signal?: AbortSignal;
    onRetry?: (info: { attempt: number; waitMs: number; error: unknown }) => void;
    onTooLong?: (info: { attempt: number; waitMs: number; error: unknown }) => unknown;
  } = {},
): Promise<T> {
  const policy = { ...DEFAULT_RETRY, ...opts.policy };
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const decision = classify(err, attempt);
      if (!decision.retry || attempt > policy.maxRetries) throw decision.error;
      const backoff = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
      const waitMs = decision.afterMs ?? backoff;
      if (waitMs > policy.maxRetryAfterMs)
        throw opts.onTooLong?.({ attempt, waitMs, error: decision.error }) ?? decision.error;
      opts.onRetry?.({ attempt, waitMs, error: decision.error });
      await sleep(waitMs, opts.signal);
    }
  }
}
