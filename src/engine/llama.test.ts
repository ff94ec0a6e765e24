import { describe, expect, test } from 'vitest';
import { type ModelConfig, parseModelConfig } from './config.js';
import { allocActivations, createModel, llamaBackward, llamaForward } from './llama.js';
import { IGNORE_INDEX } from './ops/cross-entropy.js';
import { checkGradient } from './ops/gradcheck.js';
import { initParams, viewParams } from './params.js';
import { createRng } from './random.js';
import { createTrainer, makeTargets, trainStep } from './train.js';

function tinyConfig(extra: Record<string, unknown> = {}): ModelConfig {
  return parseModelConfig({
    model_type: 'llama',
    vocab_size: 11,
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 16,
    rms_norm_eps: 1e-5,
    ...extra,
  });
}

describe('whole-model gradient check', () => {
  test.each([
    ['llama GQA untied', {}],
    ['qwen2 qkv bias, tied head', { model_type: 'qwen2', tie_word_embeddings: true }],
    [
      'llama attention_bias + llama3 rope',
      {
        attention_bias: true,
        rope_scaling: {
          rope_type: 'llama3',
          factor: 8,
          low_freq_factor: 1,
          high_freq_factor: 4,
          original_max_position_embeddings: 8,
        },
      },
    ],
  ])('%s', (_name, extra) => {
    const cfg = tinyConfig(extra);
    const params = initParams(cfg, 7, 0.3); // a large std so every path carries signal
    const model = createModel(cfg, params);
    const [B, T] = [2, 6];
    const rng = createRng(3);
    const tokens = Array.from({ length: B * T }, () => Math.floor(rng() * cfg.V));
    // row 2 packs two sequences (positions restart), and one target is ignored
    const positions = [0, 1, 2, 3, 4, 5, 0, 1, 2, 0, 1, 2];
    const targets = Int32Array.from(tokens.map(() => Math.floor(rng() * cfg.V)));
    targets[4] = IGNORE_INDEX;
    const acts = allocActivations(cfg, B, T);
    const input = { tokens, positions, targets };
    const grads = new Float32Array(params.length);
    const { counted } = llamaForward(model, acts, input);
    llamaBackward(model, viewParams(cfg, grads), acts, targets, 1 / counted);
    const loss = () => {
      const r = llamaForward(model, acts, input);
      return r.lossSum / r.counted;
    };
    const idx = Array.from({ length: params.length }, (_, i) => i).filter((i) => i % 3 === 0);
    const r = checkGradient(params, grads, loss, idx, 1e-2);
    console.info(
      `model gradcheck ${_name}: relative error ${r.relError.toExponential(2)} over ${idx.length} params`,
    );
    expect(r.relError, JSON.stringify(r.worst)).toBeLessThan(1e-2);
  });
});

describe('training', () => {
  test('gradient accumulation over two micro-batches equals one batch of both', () => {
    const cfg = tinyConfig();
    const rng = createRng(5);
    const rows = [0, 1].map(() => Array.from({ length: 6 }, () => Math.floor(rng() * cfg.V)));
    const mask = [0, 0, 1, 1, 1, 1];
    const t0 = makeTargets(rows[0] as number[], mask);
    const t1 = makeTargets((rows[1] as number[]).slice(0, 4).concat([0, 0]), [0, 1, 1, 1, 0, 0]);
    const a = createTrainer(createModel(cfg, initParams(cfg, 1)));
    const b = createTrainer(createModel(cfg, initParams(cfg, 1)));
    const opts = { lr: 1e-2 };
    const ra = trainStep(
      a,
      [
        {
          B: 2,
          T: 6,
          tokens: [...(rows[0] as number[]), ...(rows[1] as number[]).slice(0, 4), 0, 0],
          targets: Int32Array.from([...t0, ...t1]),
        },
      ],
      opts,
    );
    const rb = trainStep(
      b,
      [
        { B: 1, T: 6, tokens: rows[0] as number[], targets: t0 },
        { B: 1, T: 6, tokens: [...(rows[1] as number[]).slice(0, 4), 0, 0], targets: t1 },
      ],
      opts,
    );
    expect(rb.tokens).toBe(ra.tokens);
    expect(rb.loss).toBeCloseTo(ra.loss, 5);
    let maxDiff = 0;
    for (let i = 0; i < a.grads.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((a.grads[i] as number) - (b.grads[i] as number)));
    expect(maxDiff).toBeLessThan(1e-6);
  });

  test('same seed, same updates', () => {
    const cfg = tinyConfig();
    const run = () => {
      const tr = createTrainer(createModel(cfg, initParams(cfg, 42)));
      const tokens = [1, 2, 3, 4, 5, 6];
      for (let i = 0; i < 3; i++)
        trainStep(tr, [{ B: 1, T: 6, tokens, targets: makeTargets(tokens) }], {
          lr: 1e-2,
          weightDecay: 0.1,
          maxGradNorm: 1,
        });
      return tr.model.params;
    };
    expect(run()).toEqual(run());
  });

  test('out-of-range token ids and positions name the index', () => {
    const cfg = tinyConfig();
    const model = createModel(cfg, initParams(cfg, 1));
    const acts = allocActivations(cfg, 1, 3);
    expect(() => llamaForward(model, acts, { tokens: [1, 11, 2] })).toThrow(/tokens\[1\].*outside \[0, 11\)/);
    expect(() => llamaForward(model, acts, { tokens: [1, 1, 2], positions: [0, 1, 16] })).toThrow(
      /positions\[2\]/,
    );
  });
});
