import { sleep } from '../common/async.js';

/**
 * arXiv's rule for its API and feeds: "no more than one request every three seconds, and a single
 * connection at a time" (https://info.arxiv.org/help/api/tou.html). The gate runs one request at
 * a time and starts each at least `minIntervalMs` after the previous one finished. Tests shrink
 * the interval.
 */
export interface RateGate {
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export const ARXIV_MIN_INTERVAL_MS = 3000;

export function createRateGate(opts: { minIntervalMs: number; now?: () => number }): RateGate {
  const now = opts.now ?? Date.now;
  let tail: Promise<unknown> = Promise.resolve();
  let lastEnd = Number.NEGATIVE_INFINITY;
  return {
    run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      const mine = tail.then(async () => {
        const wait = lastEnd + opts.minIntervalMs - now();
        if (wait > 0) await sleep(wait, signal);
        signal?.throwIfAborted();
        try {
          return await fn();
        } finally {
          lastEnd = now();
        }
      });
      // A failed or aborted request must not stop the ones queued behind it.
      tail = mine.catch(() => undefined);
      return mine;
    },
  };
}
