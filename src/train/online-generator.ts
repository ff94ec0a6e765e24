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
 * measured token throughput still grows by more than 10 %, holds when it stops growing, and
 * halves when the server pushes back (429/503). A server queues what exceeds its batch, so
 * overshooting costs latency, not throughput; undershooting costs throughput.
 */
export class ConcurrencyController {
  limit: number;
  private best = 0;
  private isSettled = false;
  constructor(
    initial: number,
    private readonly max: number,
  ) {
    this.limit = Math.max(1, Math.min(initial, max));
  }

  /** Called once per measurement window with its token throughput. */
  observe(tokensPerSecond: number): void {
    if (this.isSettled) return;
    if (tokensPerSecond > this.best * 1.1) {
      this.best = tokensPerSecond;
      if (this.limit < this.max) this.limit = Math.min(this.max, this.limit * 2);
      else this.isSettled = true;
    } else {
      this.isSettled = true;
    }
  }

  overloaded(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.isSettled = true;
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
        { signal: opts.signal },
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
      if (isOverload(err)) {
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
      if (done < requests.length && !failure) await new Promise<void>((resolve) => (wake = resolve));
    }
    while (ready.length > 0) yield ready.shift() as GenerationEvent;
    if (failure) throw failure;
  } finally {
    // Never leave requests running behind a consumer that stopped early or failed.
    await Promise.allSettled(running);
  }
}
