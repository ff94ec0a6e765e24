/**
 * `npm run bench -- attention [--tokens 128,512] [--models smollm,qwen] [--layers N]`: time to
 * extract attention (logits plus every layer's probabilities) on randomly initialised models
 * with SmolLM-135M's and Qwen2.5-0.5B's config.json, for each available path, beside the naive
 * matmul figure: the same forward's projections run through `matmulNaive` instead of the
 * blocked, threaded kernel (measured on one layer and multiplied by L, plus the LM head).
 * `--layers N` keeps only N layers (the time of the full model is then L/N times the layer part).
 * Figures go to docs/benchmarks.md.
 */
import { availableParallelism, loadavg } from 'node:os';
import {
  allocF32,
  closeEnginePool,
  countParams,
  createModel,
  createRng,
  getEngineThreads,
  initParams,
  matmulForward,
  matmulNaive,
  parseModelConfig,
} from '../src/engine/index.js';
import { llamaAttentionModel } from '../src/viz/index.js';

// The models' own config.json values (HuggingFaceTB/SmolLM-135M, Qwen/Qwen2.5-0.5B).
const CONFIGS: Record<string, Record<string, unknown>> = {
  smollm: {
    model_type: 'llama',
    vocab_size: 49152,
    hidden_size: 576,
    intermediate_size: 1536,
    num_hidden_layers: 30,
    num_attention_heads: 9,
    num_key_value_heads: 3,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: true,
  },
  qwen: {
    model_type: 'qwen2',
    vocab_size: 151936,
    hidden_size: 896,
    intermediate_size: 4864,
    num_hidden_layers: 24,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    tie_word_embeddings: true,
  },
};

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function seconds(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

/** Seconds of the forward's matmuls for T tokens with `mm`, measured on one layer (+ head). */
function matmulSeconds(
  cfg: ReturnType<typeof parseModelConfig>,
  T: number,
  L: number,
  mm: typeof matmulForward,
): number {
  const { C, F, H, Hkv, D, V } = cfg;
  const shapes: [number, number][] = [
    [C, H * D],
    [C, Hkv * D],
    [C, Hkv * D],
    [H * D, C],
    [C, F],
    [C, F],
    [F, C],
  ];
  let layer = 0;
  for (const [inDim, outDim] of shapes) {
    const inp = allocF32(T * inDim);
    const w = allocF32(inDim * outDim);
    const out = allocF32(T * outDim);
    layer += seconds(() => mm(out, inp, w, null, T, inDim, outDim));
  }
  const lnf = allocF32(T * C);
  const head = allocF32(V * C);
  const logits = allocF32(T * V);
  return layer * L + seconds(() => mm(logits, lnf, head, null, T, C, V));
}

export default async function bench(args: string[]): Promise<void> {
  const tokenCounts = (arg(args, '--tokens') ?? '128,512').split(',').map(Number);
  const models = (arg(args, '--models') ?? 'smollm,qwen').split(',');
  const keepLayers = arg(args, '--layers');
  process.stdout.write(
    `attention extraction · ${availableParallelism()} cores, engine threads ${getEngineThreads()}, load ${loadavg()[0]?.toFixed(1)}\n`,
  );
  process.stdout.write(
    '| model | params | layers run | tokens | path | seconds | seconds (full model) |\n|---|---|---|---|---|---|---|\n',
  );
  for (const name of models) {
    const hf = CONFIGS[name];
    if (!hf) throw new Error(`unknown model ${name}; expected ${Object.keys(CONFIGS).join(', ')}`);
    const full = parseModelConfig(hf);
    const L = keepLayers ? Math.min(full.L, Number(keepLayers)) : full.L;
    const cfg = parseModelConfig({ ...hf, num_hidden_layers: L });
    const model = createModel(cfg, initParams(cfg, 1, 0.02));
    const lab = llamaAttentionModel(model, null, name);
    const rng = createRng(2);
    for (const T of tokenCounts) {
      const tokens = Array.from({ length: T }, () => Math.floor(rng() * cfg.V));
      lab.forward(tokens.slice(0, 8)); // warm-up: worker pool, rope table
      const s = seconds(() => lab.forward(tokens));
      // time of the full model: per-layer part scaled from the layers run; the head is counted once
      const head = matmulSeconds({ ...cfg, L: 0 }, T, 0, matmulForward);
      const scaled = L === full.L ? s : head + ((s - head) * full.L) / L;
      const row = (path: string, sec: number, fullSec: number) =>
        process.stdout.write(
          `| ${name} | ${(countParams(full) / 1e6).toFixed(0)}M | ${L}/${full.L} | ${T} | ${path} | ${sec.toFixed(2)} | ${fullSec.toFixed(1)} |\n`,
        );
      row('TypeScript reference (blocked, threaded matmul)', s, scaled);
      const naive = matmulSeconds(cfg, T, full.L, matmulNaive);
      row('naive matmul figure (projections + head only)', naive, naive);
    }
  }
  closeEnginePool();
}
