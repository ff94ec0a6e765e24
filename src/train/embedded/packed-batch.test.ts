import { beforeAll, expect, test } from 'vitest';
import {
  createModel,
  createRng,
  createTrainer,
  initParams,
  parseModelConfig,
  setEngineThreads,
} from '../../engine/index.js';
import { batchOf, forwardBatch, rowLogprobs } from './logit-grads.js';
import { packedBatch } from './packed-batch.js';

// The engine's matmul worker pool does not start under vitest's transform; one thread suffices here.
beforeAll(() => setEngineThreads(1));

test('packed and unpacked batches give the same per-sequence log-probs (block-diagonal mask), within 1e-5', () => {
  const config = parseModelConfig({
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    rms_norm_eps: 1e-5,
    vocab_size: 50,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 64,
  });
  const model = createModel(config, initParams(config, 4, 0.2));
  const trainer = createTrainer(model);
  const rng = createRng(9);
  const seqs = Array.from({ length: 9 }, () => {
    const n = 3 + Math.floor(rng() * 12);
    return {
      tokens: Array.from({ length: n }, () => Math.floor(rng() * 50)),
      start: 1 + Math.floor(rng() * 2),
    };
  });
  const perSeq = (lp: Float64Array, row: number, T: number, off: number, len: number) => {
    let s = 0;
    for (let t = 0; t < len; t++) s += lp[row * T + off + t] as number;
    return s;
  };
  for (const strategy of ['bfd', 'ffd', 'padding_free'] as const) {
    const packed = packedBatch(seqs, 32, strategy);
    expect(packed.B).toBeLessThan(seqs.length);
    const lpPacked = rowLogprobs(forwardBatch(trainer, packed), packed.targets, 50);
    let worst = 0;
    for (const [i, s] of seqs.entries()) {
      const alone = batchOf([s]);
      const lpAlone = rowLogprobs(forwardBatch(trainer, alone), alone.targets, 50);
      const p = packed.placement[i] as { row: number; offset: number; length: number };
      const a = perSeq(lpAlone, 0, alone.T, 0, s.tokens.length);
      const b = perSeq(lpPacked, p.row, packed.T, p.offset, p.length);
      worst = Math.max(worst, Math.abs(a - b));
    }
    expect(worst, `${strategy}: max |Δ log p| = ${worst}`).toBeLessThan(1e-5);
  }
});
