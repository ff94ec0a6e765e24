// Sampling through an OpenAI-compatible server: every prompt of an iteration is one request in
// flight at once, so a batching server (the engine API's scheduler, vLLM) shares its forward
// passes among them. Prompts go as token ids and completions come back as token ids, so what the
// loop scores is exactly what the policy sampled.

import type { Logger } from '../../common/logger.js';
import type { LoadedModel } from '../../engine/index.js';
import { generateSamplesIter } from '../online-generator.js';
import type { Sampler } from './loop.js';

/** An OpenAI-compatible endpoint serving the policy, open until `close()`. */
export interface ServedPolicy {
  /** The OpenAI base URL, e.g. `http://127.0.0.1:41234/v1`. */
  baseURL: string;
  /** The id requests pass as `model`. */
  model: string;
  close(): Promise<void>;
}

/**
 * Serves a loaded model — the very object the trainer updates in place, so every iteration
 * samples the current weights — over an OpenAI-compatible API on 127.0.0.1. The shells pass the
 * engine API's (`serveLoadedModel` from the server), which a domain cannot import.
 */
export type ServePolicy = (loaded: LoadedModel) => Promise<ServedPolicy>;

export function servedSampler(
  endpoint: Pick<ServedPolicy, 'baseURL' | 'model'>,
  opts: { log?: Logger; signal?: AbortSignal } = {},
): Sampler {
  return {
    async sample(prompts, o) {
      const out: number[][][] = [];
      const requests = prompts.map(({ prompt, seed }) => ({
        prompt: [...prompt],
        n: o.n,
        maxTokens: o.maxTokens,
        temperature: o.temperature,
        seed,
      }));
      for await (const ev of generateSamplesIter(requests, {
        baseURL: endpoint.baseURL,
        model: endpoint.model,
        returnTokenIds: true,
        // all prompts in flight from the start: the iteration waits for the last one anyway
        initialConcurrency: Math.max(1, requests.length),
        maxConcurrency: Math.max(1, requests.length),
        ...(opts.log && { log: opts.log }),
        ...(opts.signal && { signal: opts.signal }),
      })) {
        if (ev.type === 'samples') out[ev.index] = ev.completions.map((c) => c.tokenIds ?? []);
      }
      return out;
    },
  };
}
