import { generate, type LoadedModel } from '../../engine/index.js';
import type { Sampler } from './loop.js';

/**
 * Samples from the embedded engine in-process, one prompt after another, stopping on the token
 * ids the engine API stops on (the folder's EOS ids). A completion that stopped on one ends with
 * it, so a scored sequence is exactly what the policy produced.
 */
export function engineSampler(loaded: Pick<LoadedModel, 'model' | 'tokenizer' | 'generation'>): Sampler {
  const { model, tokenizer } = loaded;
  if (!tokenizer) throw new Error('engineSampler needs a tokenizer'); // a bug: trainIter refuses a base model without one
  return {
    async sample(prompts, opts) {
      return prompts.map(({ prompt, seed }) =>
        generate(model, tokenizer, prompt, {
          maxTokens: opts.maxTokens,
          n: opts.n,
          seed,
          temperature: opts.temperature,
          stopTokenIds: loaded.generation.eosTokenIds,
        }).map((g) => (g.stopTokenId !== undefined ? [...g.tokens, g.stopTokenId] : g.tokens)),
      );
    },
  };
}
