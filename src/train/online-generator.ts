import { setMaxListeners } from 'node:events';
import OpenAI from 'openai';
import type { CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import { z } from 'zod';
import { ConcurrencyController } from '../common/concurrency-controller.js';
import { parseAt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import { parseRetryAfterMs } from '../common/remote.js';

/** One prompt to sample: `n` completions come back from one request (batched on the server). */
export interface SampleRequest {
  /** Text, or token ids (sent as they are, so no tokenizer round trip changes them). */
  prompt: string | number[];
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
  /** The sampled token ids, stop token included, when the generator asked for `returnTokenIds`. */
  tokenIds?: number[];
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
  /**
   * Ask for each completion's token ids (vLLM's `return_token_ids`), so a trainer scores exactly
   * the tokens the policy sampled rather than a re-tokenization of the text.
   */
  returnTokenIds?: boolean;
  log?: Logger;
  signal?: AbortSignal;
}

const TokenIdsSchema = z.object({ token_ids: z.array(z.number().int().nonnegative()) });

function isOverload(err: unknown): err is InstanceType<typeof OpenAI.APIError> {
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
  const pending = requests.map((_, i) => i).reverse();
  const ready: GenerationEvent[] = [];
  let done = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const controller = new ConcurrencyController({
    start: opts.initialConcurrency ?? 4,
    max: opts.maxConcurrency ?? 256,
    onWindow(window) {
      const stats: GenerationEvent = {
        type: 'stats',
        done,
        total: requests.length,
        concurrency: window.limit,
        promptsPerSecond: window.completed / window.seconds,
        tokensPerSecond: window.work / window.seconds,
        utilization: window.utilization,
      };
      log.info(stats, 'generation throughput');
      ready.push(stats);
      notify();
    },
  });

  async function runOne(index: number): Promise<void> {
    const r = requests[index] as SampleRequest;
    let outcome: 'ok' | 'overload' | 'error' = 'error';
    let tokens = 0;
    let retryAfterMs: number | undefined;
    try {
      // return_token_ids is a vLLM extension the client's types do not list; the client sends the body as is.
      const body: CompletionCreateParamsNonStreaming & { return_token_ids?: boolean } = {
        model: opts.model,
        prompt: r.prompt,
        n: r.n,
        max_tokens: r.maxTokens,
        temperature: r.temperature,
        ...(r.topP !== undefined && { top_p: r.topP }),
        ...(r.seed !== undefined && { seed: r.seed }),
        ...(r.stop && { stop: r.stop }),
        ...(opts.returnTokenIds && { return_token_ids: true }),
      };
      const res = await client.completions.create(body, { signal });
      tokens = res.usage?.completion_tokens ?? 0;
      const completions = res.choices
        .slice()
        .sort((a, b) => a.index - b.index)
        .map((c) => ({
          text: c.text,
          tokens: Math.round(tokens / Math.max(1, res.choices.length)),
          finishReason: c.finish_reason ?? 'stop',
          ...(opts.returnTokenIds && {
            tokenIds: parseAt(TokenIdsSchema, c, { field: `choices[${c.index}]` }).token_ids,
          }),
        }));
      done++;
      outcome = 'ok';
      ready.push({ type: 'samples', index, completions });
    } catch (err) {
      if (signal.aborted) {
        // Stopped on purpose: nothing to report.
      } else if (isOverload(err)) {
        outcome = 'overload';
        retryAfterMs = parseRetryAfterMs(err.headers?.get('retry-after'));
        pending.push(index);
      } else {
        failure ??= err;
      }
    } finally {
      controller.release(outcome, { work: tokens, retryAfterMs });
      if (outcome === 'overload')
        log.warn({ concurrency: controller.limit }, 'server overloaded; lowering concurrency');
      notify();
    }
  }

  const running = new Set<Promise<void>>();
  const launch = (index: number) => {
    const p = runOne(index);
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  try {
    while (done < requests.length) {
      if (failure) throw failure;
      opts.signal?.throwIfAborted();
      while (pending.length > 0 && controller.tryAcquire()) launch(pending.pop() as number);
      while (ready.length > 0) yield ready.shift() as GenerationEvent;
      if (done >= requests.length || failure || ready.length > 0) continue;
      if (controller.active > 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      } else if (pending.length > 0) {
        // Nothing in flight and no slot: a retry-after pause is running. Wait it out.
        await controller.acquire(opts.signal);
        launch(pending.pop() as number);
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
