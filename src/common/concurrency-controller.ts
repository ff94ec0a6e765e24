import { sleep } from './async.js';

export interface ConcurrencyOptions {
  /** Requests in flight to begin with; the controller adapts from here. */
  start?: number;
  min?: number;
  max?: number;
  /** Measurement windows between two probes above a held limit. */
  probeEvery?: number;
  /** Called with each measurement window, after the controller reacted to it. */
  onWindow?: (window: ConcurrencyWindow) => void;
}

/** One measurement window: what completed in it, and how busy the requests kept the limit. */
export interface ConcurrencyWindow {
  seconds: number;
  completed: number;
  /** The sum of `work` reported with each completion (tokens, samples). */
  work: number;
  /** The limit during the window, before the controller reacted to it. */
  limit: number;
  /** Mean requests in flight over the window divided by the limit. */
  utilization: number;
}

/**
 * How many requests to keep in flight against a server, for the eval runner and the online
 * generator. Throughput-seeking: per measurement window (at least `max(4, limit)` completions)
 * it doubles the limit while the work done per second still grows by more than 10 %, then holds,
 * and every `probeEvery` windows probes once more (load on either side changes). It halves on
 * overload (429/503) and makes every slot wait out a `retry-after`. A server queues what exceeds
 * its batch, so overshooting costs latency, not throughput; undershooting costs throughput.
 * Windows are reported through `onWindow`.
 */
export class ConcurrencyController {
  limit: number;
  readonly min: number;
  readonly max: number;
  private readonly probeEvery: number;
  private readonly onWindow: ((window: ConcurrencyWindow) => void) | undefined;
  private isWindowClosing = false;
  private inFlight = 0;
  private pausedUntil = 0;
  private waiters: (() => void)[] = [];
  private best = 0;
  private isGrowing = true;
  private beforeProbe: number | undefined;
  private windowsSinceProbe = 0;
  private windowStart = performance.now();
  private windowCompleted = 0;
  private windowWork = 0;
  private inFlightArea = 0; // integral of inFlight over the window, in request·ms
  private lastChange = this.windowStart;

  constructor(opts: ConcurrencyOptions = {}) {
    this.min = Math.max(1, opts.min ?? 1);
    this.max = Math.max(this.min, opts.max ?? 64);
    this.limit = Math.min(this.max, Math.max(this.min, opts.start ?? 4));
    this.probeEvery = opts.probeEvery ?? 8;
    this.onWindow = opts.onWindow;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Takes a slot if one is free and no `retry-after` pause is running. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.limit || this.pausedUntil > Date.now()) return false;
    this.trackInFlight(1);
    return true;
  }

  /** Waits for a free slot (and out any `retry-after` pause), then takes it. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const pauseMs = this.pausedUntil - Date.now();
      if (pauseMs > 0) await sleep(pauseMs, signal);
      else if (this.tryAcquire()) return;
      else await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Gives a slot back. `work` is what the request did (tokens, samples). */
  release(outcome: 'ok' | 'overload' | 'error', opts: { work?: number; retryAfterMs?: number } = {}): void {
    this.trackInFlight(-1);
    if (outcome === 'overload') this.overloaded(opts.retryAfterMs);
    else if (outcome === 'ok') {
      this.windowCompleted++;
      this.windowWork += opts.work ?? 1;
      if (this.windowCompleted >= Math.max(4, this.limit) && !this.isWindowClosing) {
        this.isWindowClosing = true;
        // After this turn: answers that arrive together land in one window, or a burst read
        // in one turn would measure as an absurd rate and spoil the growth step.
        setImmediate(() => {
          this.isWindowClosing = false;
          const window = this.closeWindow();
          this.wakeWaiters();
          this.onWindow?.(window);
        });
      }
    }
    this.wakeWaiters();
  }

  /** The throughput-seeking step, once per measurement window with its work per second. */
  observe(workPerSecond: number): void {
    const isImproved = workPerSecond > this.best * 1.1;
    if (this.beforeProbe !== undefined) {
      // A probe that did not pay returns to where it was.
      if (!isImproved) this.limit = this.beforeProbe;
      else this.isGrowing = true;
      this.beforeProbe = undefined;
    }
    if (isImproved || this.best === 0) this.best = Math.max(this.best, workPerSecond);
    else this.best = 0.8 * this.best + 0.2 * workPerSecond; // follow a drifting server slowly
    if (this.isGrowing && isImproved && this.limit < this.max) {
      this.limit = Math.min(this.max, this.limit * 2);
      return;
    }
    this.isGrowing = false;
    if (++this.windowsSinceProbe >= this.probeEvery && this.limit < this.max) {
      this.windowsSinceProbe = 0;
      this.beforeProbe = this.limit;
      this.limit = Math.min(this.max, this.limit * 2);
    }
  }

  /** The server pushed back: halve, stop growing, and pause every slot for `retryAfterMs`. */
  overloaded(retryAfterMs?: number): void {
    this.limit = Math.max(this.min, Math.floor(this.limit / 2));
    this.isGrowing = false;
    this.beforeProbe = undefined;
    if (retryAfterMs) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs);
  }

  /** Wakes as many waiters as there are free slots; each checks again when it runs. */
  private wakeWaiters(): void {
    for (let free = this.limit - this.inFlight; free > 0 && this.waiters.length > 0; free--)
      this.waiters.shift()?.();
  }

  private trackInFlight(delta: number): void {
    const now = performance.now();
    this.inFlightArea += this.inFlight * (now - this.lastChange);
    this.lastChange = now;
    this.inFlight += delta;
  }

  private closeWindow(): ConcurrencyWindow {
    this.trackInFlight(0);
    const now = performance.now();
    const ms = Math.max(1e-3, now - this.windowStart);
    const window = {
      seconds: ms / 1000,
      completed: this.windowCompleted,
      work: this.windowWork,
      limit: this.limit,
      utilization: this.inFlightArea / ms / this.limit,
    };
    this.windowStart = now;
    this.windowCompleted = 0;
    this.windowWork = 0;
    this.inFlightArea = 0;
    this.observe(window.work / window.seconds);
    return window;
  }
}
