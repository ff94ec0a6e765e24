// GPT-2 and Llama-family tiny models written by the test load from their folders and produce
// attention equal to a naive re-computation; rows sum to 1 with zeros above the diagonal.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  buildView,
  decodeTril,
  extractAttention,
  loadAttentionModel,
  VizError,
} from '../../src/viz/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { maxDiff, naiveGpt2Attentions, naiveLlamaAttentions, writeTinyGpt2 } from './helpers.js';

const TEXT =
  'The quick brown fox jumps over the lazy dog. Alignment is the art of making models do what we mean.';

function checkRows(att: Float32Array, H: number, T: number): void {
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      let sum = 0;
      for (let k = 0; k < T; k++) {
        const p = att[(h * T + t) * T + k] as number;
        if (k > t) expect(p).toBe(0);
        sum += p;
      }
      expect(sum).toBeCloseTo(1, 5);
    }
  }
}

describe('GPT-2', () => {
  test('a tiny GPT-2 folder (Conv1D weights, transformer. prefix) loads and matches the naive reference', async () => {
    const { dir, config, tensors } = await writeTinyGpt2({ scaleByLayer: true });
    const model = await loadAttentionModel(dir);
    expect(model).toMatchObject({ architecture: 'gpt2', L: 2, H: 4 });
    const ex = extractAttention(model, { kind: 'text', text: TEXT });
    const ids = ex.tokens.map((t) => t.id);
    const T = ids.length;
    expect(T).toBeGreaterThan(10);
    const ref = naiveGpt2Attentions(config, tensors, ids);
    for (const [l, att] of ex.attentions.entries()) {
      checkRows(att, 4, T);
      const d = maxDiff(att, ref[l] ?? [], T);
      expect(d, `layer ${l} max |lab - naive|`).toBeLessThan(2e-5);
    }
    // without a chat template a RAG prompt is laid out as plain text, still segmented
    const rag = extractAttention(model, {
      kind: 'rag',
      question: 'What jumps?',
      documents: [{ text: 'The fox jumps.', gold: true }, { text: 'The dog sleeps.' }],
      answer: 'The fox.',
    });
    expect(rag.segments.map((s) => s.label)).toEqual(
      expect.arrayContaining(['doc 1 (gold)', 'doc 2', 'question', 'answer']),
    );
  });

  test('a 1,000-token input: aggregates for every layer, full matrices only for the window', async () => {
    const { dir } = await writeTinyGpt2({ L: 2, H: 2, C: 8 });
    const model = await loadAttentionModel(dir);
    const long = Array.from({ length: 18 }, (_, i) => `${TEXT} ${i}`).join(' ');
    const ex = extractAttention(model, { kind: 'text', text: long });
    const T = ex.tokens.length;
    expect(T).toBeGreaterThan(1000);
    const view = buildView(ex, { window: { layers: [1, 1], heads: [1, 1] } });
    expect(view.matrices.map((m) => [m.layer, m.head])).toEqual([[1, 1]]);
    const back = decodeTril(view.matrices[0]?.tril ?? '', T);
    const head = ex.attentions[1]?.subarray(T * T, 2 * T * T) ?? new Float32Array();
    let worst = 0;
    for (let i = 0; i < T * T; i++)
      worst = Math.max(worst, Math.abs((head[i] as number) - (back[i] as number)));
    expect(worst, 'quantization error of the wire matrix').toBeLessThan(1e-5);
    expect(view.thumbnails.bins).toBe(24);
    expect(view.saliency.layers).toHaveLength(2);
    expect(view.saliency.layers[0]).toHaveLength(T);
    // the default window fits the budget; an oversized one is refused with its size
    expect(buildView(ex).matrices.length).toBeGreaterThan(0);
    expect(() =>
      buildView(ex, { window: { layers: [0, 1], heads: [0, 1] }, maxWindowCells: 1_000_000 }),
    ).toThrow(/at most 1000000/);
    expect(() => buildView(ex, { window: { layers: [0, 5], heads: [0, 0] } })).toThrow(VizError);
  });
});

describe('Llama family', () => {
  for (const modelType of ['llama', 'qwen2'] as const) {
    test(`a tiny ${modelType} folder loads and matches the naive reference`, async () => {
      const { dir, model: ref } = await writeTinyModel({ config: { model_type: modelType } });
      const model = await loadAttentionModel(dir);
      expect(model).toMatchObject({ architecture: 'llama', modelType, L: 2, H: 4 });
      const ex = extractAttention(model, { kind: 'text', text: TEXT });
      const ids = ex.tokens.map((t) => t.id);
      const naive = naiveLlamaAttentions(ref, ids);
      for (const [l, att] of ex.attentions.entries()) {
        checkRows(att, 4, ids.length);
        expect(maxDiff(att, naive[l] ?? [], ids.length), `layer ${l}`).toBeLessThan(2e-5);
      }
    });
  }
});

describe('loading errors', () => {
  const cases: [string, (dir: string) => Promise<void>, string][] = [
    ['no folder', async () => {}, 'AB_VIZ_MODEL'],
    [
      'an unsupported architecture',
      (dir) => writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert' })),
      'AB_VIZ_ARCH',
    ],
    [
      'a GPT-2 with another activation',
      (dir) =>
        writeFile(
          join(dir, 'config.json'),
          JSON.stringify({
            model_type: 'gpt2',
            vocab_size: 8,
            n_embd: 4,
            n_layer: 1,
            n_head: 2,
            activation_function: 'relu',
          }),
        ),
      'AB_VIZ_ARCH',
    ],
  ];
  for (const [name, prepare, code] of cases) {
    test(name, async () => {
      const dir = await makeTempDir();
      await prepare(dir);
      const target = name === 'no folder' ? join(dir, 'missing') : dir;
      await expect(loadAttentionModel(target)).rejects.toMatchObject({ code });
    });
  }
});
