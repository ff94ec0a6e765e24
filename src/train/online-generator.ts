import { setMaxListeners } from 'node:events';
import OpenAI from 'openai';
import { type Logger, silentLogger } from '../common/logger.js';

/** One prompt to sample: `n` completions come back from one request (batched on the server). */
export interface SampleRequest {
  prompt: string;
  n: number;
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  stop?: string[];
}

export interface SampledCompletion {
  text: string;
  /** Generated tokens, from the server's `usage` split evenly over the choices when only totals are given. */
  tokens: number;
  finishReason: string;
}

export type GenerationEvent =
  | { type: 'samples'; index: number; completions: SampledCompletion[] }
  | {
      type: 'stats';
      done: number;
      total: number;
      concurrency: number;
      promptsPerSecond: number;
      tokensPerSecond: number;
      /** Mean requests in flight over the window divided by the concurrency limit: how busy we keep the server. */
      utilization: number;
    };

export interface OnlineGeneratorOptions {
  /** An OpenAI-compatible server: vLLM in production, the embedded engine in tests. */
  baseURL: string;
  model: string;
  apiKey?: string;
  /** Starting number of requests in flight; the controller adapts from here. */
  initialConcurrency?: number;
  maxConcurrency?: number;
  timeoutMs?: number;
  log?: Logger;
  signal?: AbortSignal;
}

/**
 * Adapts how many requests are in flight to keep the server saturated: doubles while
 * measured token throughput still grows by more than 10 %, then holds, and every few
 * windows probes once more (load on either side changes). Halves when the server pushes
 * back (429/503). A server queues what exceeds its batch, so overshooting costs latency,
 * not throughput; undershooting costs throughput.
 */
export class ConcurrencyController {
  limit: number;
  private best = 0;
  private isGrowing = true;
  private beforeProbe: number | undefined;
  private windowsSinceProbe = 0;
  constructor(
    initial: number,
    private readonly max: number,
    private readonly probeEvery = 8,
  ) {
    this.limit = Math.max(1, Math.min(initial, max));
  }

  /** Called once per measurement window with its token throughput. */
  observe(tokensPerSecond: number): void {
    const improved = tokensPerSecond > this.best * 1.1;
    if (this.beforeProbe !== undefined) {
      // A probe that did not pay returns to where it was.
      if (!improved) this.limit = this.beforeProbe;
      else this.isGrowing = true;
      this.beforeProbe = undefined;
    }
    if (improved || this.best === 0) this.best = Math.max(this.best, tokensPerSecond);
    else this.best = 0.8 * this.best + 0.2 * tokensPerSecond; // follow a drifting server slowly
    if (this.isGrowing && improved && this.limit < this.max) {
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

  overloaded(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.isGrowing = false;
    this.beforeProbe = undefined;
  }
}

function isOverload(err: unknown): boolean {
  return err instanceof OpenAI.APIError && (err.status === 429 || err.status === 503);
}

/**
 * Samples `n` completions for each prompt from an OpenAI-compatible server, with adaptive
 * concurrency. Yields each prompt's samples as they arrive (any order, with the index) and
 * a `stats` event per measurement window; the online DPO loop pairs samples as they come.
 */
export async function* generateSamplesIter(
  requests: readonly SampleRequest[],
  opts: OnlineGeneratorOptions,
): AsyncGenerator<GenerationEvent> {
  const log = opts.log ?? silentLogger;
  const client = new OpenAI({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey ?? 'unused',
    maxRetries: 0, // overload is handled here, by lowering concurrency and re-queueing
    timeout: opts.timeoutMs ?? 120_000,
  });
  // Aborts requests still in flight when the consumer stops early or a request fails.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per request in flight, by design
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const controller = new ConcurrencyController(opts.initialConcurrency ?? 4, opts.maxConcurrency ?? 256);
  const pending = requests.map((_, i) => i).reverse();
  const ready: GenerationEvent[] = [];
  let inFlight = 0;
  let done = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  // Measurement window: enough completed requests to average over the current limit.
  let windowStart = performance.now();
  let windowTokens = 0;
  let windowPrompts = 0;
  let inFlightArea = 0; // integral of inFlight over time, in request·ms
  let lastChange = windowStart;
  const trackInFlight = (delta: number) => {
    const now = performance.now();
    inFlightArea += inFlight * (now - lastChange);
    lastChange = now;
    inFlight += delta;
  };

  async function runOne(index: number): Promise<void> {
    const r = requests[index] as SampleRequest;
    try {
      const res = await client.completions.create(
        {
          model: opts.model,
          prompt: r.prompt,
          n: r.n,
          max_tokens: r.maxTokens,
          temperature: r.temperature,
          ...(r.topP !== undefined && { top_p: r.topP }),
          ...(r.seed !== undefined && { seed: r.seed }),
          ...(r.stop && { stop: r.stop }),
        },
        { signal },
      );
      const tokens = res.usage?.completion_tokens ?? 0;
      const completions = res.choices
        .slice()
        .sort((a, b) => a.index - b.index)
        .map((c) => ({
          text: c.text,
          tokens: Math.round(tokens / Math.max(1, res.choices.length)),
          finishReason: c.finish_reason ?? 'stop',
        }));
      done++;
      windowTokens += tokens;
      windowPrompts++;
      ready.push({ type: 'samples', index, completions });
    } catch (err) {
      if (signal.aborted) {
        // Stopped on purpose: nothing to report.
      } else if (isOverload(err)) {
        controller.overloaded();
        log.warn({ concurrency: controller.limit }, 'server overloaded; lowering concurrency');
        pending.push(index);
      } else {
        failure ??= err;
      }
    } finally {
      trackInFlight(-1);
      notify();
    }
  }

  const running = new Set<Promise<void>>();
  try {
    while (done < requests.length) {
      if (failure) throw failure;
      opts.signal?.throwIfAborted();
      while (inFlight < controller.limit && pending.length > 0) {
        const index = pending.pop() as number;
        trackInFlight(1);
        const p = runOne(index);
        running.add(p);
        void p.finally(() => running.delete(p));
      }
      if (windowPrompts >= Math.max(4, controller.limit)) {
        const now = performance.now();
        trackInFlight(0);
        const seconds = (now - windowStart) / 1000;
        const stats: GenerationEvent = {
          type: 'stats',
          done,
          total: requests.length,
          concurrency: controller.limit,
          promptsPerSecond: windowPrompts / seconds,
          tokensPerSecond: windowTokens / seconds,
          utilization: inFlightArea / (now - windowStart) / controller.limit,
        };
        log.info(stats, 'generation throughput');
        controller.observe(stats.tokensPerSecond);
        ready.push(stats);
        windowStart = now;
        windowTokens = 0;
        windowPrompts = 0;
        inFlightArea = 0;
      }
      while (ready.length > 0) yield ready.shift() as GenerationEvent;
      const canLaunch = inFlight < controller.limit && pending.length > 0;
      if (done < requests.length && !failure && !canLaunch && ready.length === 0 && inFlight > 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
    while (ready.length > 0) yield ready.shift() as GenerationEvent;
    if (failure) throw failure;
  } finally {
    // Never leave requests running behind a consumer that stopped early or failed.
    if (running.size > 0) stop.abort(new Error('generation stopped'));
    await Promise.allSettled(running);
  }
}
