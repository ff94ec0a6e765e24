import { sleep } from '../common/async.js';

export interface ConcurrencyOptions {
  start?: number;
  min?: number;
  max?: number;
}

/**
 * Adaptive concurrency (AIMD): the limit halves on overload (429, 503) down to `min`, grows by
 * one after `limit` successes in a row up to `max`, and every slot waits out a `retry-after`.
 */
export class AdaptiveLimiter {
  limit: number;
  readonly min: number;
  readonly max: number;
  private inFlight = 0;
  private streak = 0;
  private pausedUntil = 0;
  private waiters: (() => void)[] = [];

  constructor(opts: ConcurrencyOptions = {}) {
    this.min = Math.max(1, opts.min ?? 1);
    this.max = Math.max(this.min, opts.max ?? 64);
    this.limit = Math.min(this.max, Math.max(this.min, opts.start ?? 8));
  }

  get active(): number {
    return this.inFlight;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait, signal);
      else if (this.inFlight < Math.floor(this.limit)) break;
      else await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
  }

  release(outcome: 'ok' | 'overload' | 'error', retryAfterMs?: number): void {
    this.inFlight--;
    if (outcome === 'overload') {
      this.limit = Math.max(this.min, Math.floor(this.limit / 2));
      this.streak = 0;
      if (retryAfterMs) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs);
    } else if (outcome === 'ok') {
      this.streak++;
      if (this.streak >= this.limit && this.limit < this.max) {
        this.limit++;
        this.streak = 0;
      }
    }
    const wake = this.waiters.splice(0);
    for (const w of wake) w();
  }
}
