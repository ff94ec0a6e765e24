// The ONNX fast path against the TypeScript reference (the engine's forward) on tiny random
// Llama-family folders written by the test: logits and every layer's attention probabilities,
// worst difference printed with where it occurred. Then the path option through extraction, the
// noise meter and the API, and the fallback when there is no fast path.
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { createRng, forwardWithAttentions, type LlamaModel, loadModelDir } from '../../src/engine/index.js';
import {
  type AttentionView,
  createOnnxLlama,
  extractAttention,
  extractAttentionOnPath,
  llamaAttentionModel,
  loadAttentionModel,
  loadOnnxRuntime,
  ragNoise,
  ragNoiseOnPath,
  VizError,
} from '../../src/viz/index.js';
import { startTestServer } from '../helpers/server.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { writeTinyGpt2 } from './helpers.js';

// Measured here on 60 tokens: logits ≤ 1.2e-6, probabilities ≤ 1.8e-7 (f32 sums in another order).
const LOGIT_TOL = 1e-4;
const PROB_TOL = 1e-5;

const rt = await loadOnnxRuntime();
// Without onnxruntime-node the fast path is skipped loudly here and fails in CI.
const hasOrt = 'ort' in rt || Boolean(process.env.CI);
if (!hasOrt) console.warn(`ONNX parity tests skipped: ${'reason' in rt ? rt.reason : ''}`);

/** Worst |a - b| and the flat index where it occurred. */
function worst(a: Float32Array, b: Float32Array): { diff: number; at: number } {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (d > diff || Number.isNaN(d)) {
      diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      at = i;
    }
  }
  return { diff, at };
}

/** Random biases (the seeded init leaves them at 0, which would hide a bias missing from the graph). */
function randomizeBiases(model: LlamaModel, seed: number): void {
  const rng = createRng(seed);
  for (const p of model.views.layers) {
    for (const b of [p.bq, p.bk, p.bv, p.bo])
      if (b) for (let i = 0; i < b.length; i++) b[i] = (rng() - 0.5) * 0.4;
  }
}

const CASES: { name: string; config: Record<string, unknown>; dtype?: 'bfloat16'; external?: boolean }[] = [
  { name: 'llama, GQA 4 heads / 2 kv, untied head', config: {} },
  {
    name: 'qwen2, q/k/v bias, GQA 4 heads / 1 kv, tied head, rope_theta 1e6',
    config: {
      model_type: 'qwen2',
      architectures: ['Qwen2ForCausalLM'],
      num_key_value_heads: 1,
      tie_word_embeddings: true,
      rope_theta: 1_000_000,
    },
  },
  {
    name: 'llama, attention_bias (q/k/v/o), 4 kv heads, llama3 rope scaling, bf16 weights',
    config: {
      attention_bias: true,
      num_key_value_heads: 4,
      rope_scaling: {
        rope_type: 'llama3',
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 16,
      },
    },
    dtype: 'bfloat16',
  },
  {
    name: 'qwen2, tied, dynamic NTK rope past its original length, weights as external data',
    config: {
      model_type: 'qwen2',
      architectures: ['Qwen2ForCausalLM'],
      tie_word_embeddings: true,
      head_dim: 16,
      rope_scaling: { rope_type: 'dynamic', factor: 2, original_max_position_embeddings: 32 },
    },
    external: true,
  },
];

describe.skipIf(!hasOrt)('ONNX fast path parity with the TypeScript reference', () => {
  test.each(CASES)('$name', { timeout: 30_000 }, async ({ name, config, dtype, external }) => {
    if (!('ort' in rt)) throw new Error(`onnxruntime-node is required in CI: ${rt.reason}`);
    const { dir } = await writeTinyModel({ config, seed: 5, ...(dtype ? { dtype } : {}) });
    const { model } = await loadModelDir(dir);
    randomizeBiases(model, 9);
    const cfg = model.config;
    const fast = await createOnnxLlama(rt.ort, model, external ? { externalData: true } : {});
    expect(fast.stats.isExternal).toBe(external === true);
    const rng = createRng(11);
    const T = 60;
    const tokens = Array.from({ length: T }, () => Math.floor(rng() * cfg.V));
    const got = await fast.forward(tokens);
    const ref = forwardWithAttentions(model, tokens);

    const lg = worst(got.logits, ref.logits);
    const lines = [
      `${name}: max |logit diff| ${lg.diff.toExponential(2)} at t=${Math.floor(lg.at / cfg.V)} v=${lg.at % cfg.V} (tol ${LOGIT_TOL})`,
    ];
    let pw = { diff: 0, where: '' };
    expect(got.attentions).toHaveLength(cfg.L);
    for (let l = 0; l < cfg.L; l++) {
      const w = worst(got.attentions[l] as Float32Array, ref.attentions[l] as Float32Array);
      const h = Math.floor(w.at / (T * T));
      if (w.diff >= pw.diff) {
        pw = { diff: w.diff, where: `layer ${l} head ${h} t=${Math.floor(w.at / T) % T} k=${w.at % T}` };
      }
    }
    lines.push(`${name}: max |attention diff| ${pw.diff.toExponential(2)} at ${pw.where} (tol ${PROB_TOL})`);
    console.log(lines.join('\n'));
    expect(lg.diff, lines[0]).toBeLessThan(LOGIT_TOL);
    expect(pw.diff, lines[1]).toBeLessThan(PROB_TOL);
    // exact zeros above the diagonal, as the reference
    const a0 = got.attentions[0] as Float32Array;
    for (let t = 0; t < T; t++) for (let k = t + 1; k < T; k++) expect(a0[t * T + k]).toBe(0);
    await fast.release();
  });
});

const TEXT =
  'The quick brown fox jumps over the lazy dog. Alignment is the art of making models do what we mean.';
const RAG = {
  kind: 'rag' as const,
  question: 'what does the fox do?',
  documents: [
    { text: 'the lazy dog sleeps.' },
    { text: 'the fox jumps.', gold: true },
    { text: 'one plus one is two.' },
  ],
  answer: 'The fox jumps.',
};

function captureLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const records = () => lines.map((l) => JSON.parse(l) as { msg: string; reason?: string });
  return { log: createLogger({ level: 'info', destination }), records };
}

describe.skipIf(!hasOrt)('the path option', () => {
  test('extraction and the noise meter on path onnx match the reference path', {
    timeout: 30_000,
  }, async () => {
    const { dir } = await writeTinyModel({ config: { max_position_embeddings: 512 } });
    const lab = await loadAttentionModel(dir);
    const ref = extractAttention(lab, { kind: 'text', text: TEXT });
    const onnx = await extractAttentionOnPath(lab, { kind: 'text', text: TEXT }, { path: 'onnx' });
    expect(ref.model.path).toBe('reference');
    expect(onnx.model.path).toBe('onnx');
    expect(onnx.tokens).toEqual(ref.tokens);
    for (const [l, att] of onnx.attentions.entries()) {
      expect(worst(att, ref.attentions[l] as Float32Array).diff, `layer ${l}`).toBeLessThan(PROB_TOL);
    }
    const auto = await extractAttentionOnPath(lab, { kind: 'text', text: TEXT });
    expect(auto.model.path).toBe('onnx');

    const a = ragNoise(lab, RAG);
    const b = await ragNoiseOnPath(lab, RAG, { path: 'onnx' });
    expect(b.view.model.path).toBe('onnx');
    for (const key of ['gold', 'noise', 'question', 'sink', 'other'] as const) {
      expect(b.report.overall[key]).toBeCloseTo(a.report.overall[key], 4);
    }
    expect(b.report.answerLogprob).toBeCloseTo(a.report.answerLogprob, 3);
    for (const [k, d] of b.report.documents.entries()) {
      expect(d.looDrop ?? Number.NaN).toBeCloseTo(a.report.documents[k]?.looDrop ?? Number.NaN, 3);
    }
    expect(b.placements.map((p) => p.placement)).toEqual(['first', 'middle', 'last']);
    await lab.release?.();
  });

  test('GPT-2 has no fast path: auto falls back with a logged reason, onnx is refused', async () => {
    const { dir } = await writeTinyGpt2();
    const lab = await loadAttentionModel(dir);
    const { log, records } = captureLog();
    const ex = await extractAttentionOnPath(lab, { kind: 'text', text: TEXT }, { path: 'auto', log });
    expect(ex.model.path).toBe('reference');
    expect(records()).toEqual([
      expect.objectContaining({
        msg: 'ONNX fast path unavailable; running the TypeScript reference',
        reason: 'no ONNX graph for gpt2 models',
      }),
    ]);
    const err = await extractAttentionOnPath(lab, { kind: 'text', text: TEXT }, { path: 'onnx' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(VizError);
    expect(err).toMatchObject({ code: 'AB_VIZ_ONNX', where: { field: 'path' } });
  });

  test('a model the runtime cannot take falls back on auto', async () => {
    const { dir } = await writeTinyModel();
    const { model, tokenizer } = await loadModelDir(dir);
    // an impossible thread count makes session creation fail inside onnxruntime
    const lab = llamaAttentionModel(model, tokenizer, 'broken', undefined, { threads: -5 });
    const { log, records } = captureLog();
    const ex = await extractAttentionOnPath(lab, { kind: 'text', text: 'Hello world' }, { log });
    expect(ex.model.path).toBe('reference');
    expect(records()[0]?.reason).toMatch(/^onnxruntime could not build the session \(.+\)$/);
  });

  test('POST /api/viz/attention takes path and reports the one that ran', { timeout: 30_000 }, async () => {
    const { base } = await startTestServer();
    const { dir } = await writeTinyModel();
    const ask = async (path: string) => {
      const res = await fetch(`${base}/api/viz/attention`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: dir, input: { kind: 'text', text: 'Hello world' }, path }),
        signal: AbortSignal.timeout(20_000),
      });
      return { status: res.status, body: (await res.json()) as AttentionView & { code?: string } };
    };
    expect((await ask('onnx')).body.model.path).toBe('onnx');
    expect((await ask('reference')).body.model.path).toBe('reference');
    const bad = await ask('gpu');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('AB_INPUT_INVALID');
  });
});
