import { type EngineTokenizer, generate, type LlamaModel } from '../../engine/index.js';
import type { Sampler } from './loop.js';

/**
 * Samples from the embedded engine in-process. Completions that stopped on EOS end with it, so a
 * scored sequence is exactly what the policy produced.
 */
export function engineSampler(model: LlamaModel, tokenizer: EngineTokenizer): Sampler {
  const eos = tokenizer.eosTokenId ?? model.config.eosTokenIds[0] ?? null;
  // @huggingface/tokenizers refuses to decode an empty list, which generate does when the first
  // sampled token is EOS; an empty completion decodes to ''.
  const tok: EngineTokenizer = {
    ...tokenizer,
    decode: (ids, opts) => (ids.length ? tokenizer.decode(ids, opts) : ''),
  };
  return {
    sample(prompt, opts) {
      const out = generate(model, tok, prompt, {
        maxTokens: opts.maxTokens,
        n: opts.n,
        seed: opts.seed,
        temperature: opts.temperature,
        ...(eos !== null ? { stopTokenIds: [eos] } : {}),
      });
      return out.map((g) => (g.finishReason === 'stop' && eos !== null ? [...g.tokens, eos] : g.tokens));
    },
  };
}
