/**
 * `npm run bench -- attention [--tokens 128,512] [--models smollm,qwen] [--paths onnx,reference]
 * [--layers N] [--onnx-threads 0,1] [--naive-rows R]`: time to extract attention (logits plus
 * every layer's probabilities) on randomly initialised models with SmolLM-135M's and
 * Qwen2.5-0.5B's config.json, for each available path, beside the naive matmul figure.
 * - onnx: the graph built by src/viz/onnx run by onnxruntime-node, on the full model; one row per
 *   intra-op thread count (0 = onnxruntime's default, one per core). Session build (encode +
 *   onnxruntime's load and optimisation) is a one-off per model and reported on its own row.
 * - reference: the engine's TypeScript forward (blocked, threaded matmul). `--layers N` runs only
 *   N layers and scales the layer part to the full depth (the LM head counted once).
 * - naive matmul figure: the forward's projections and LM head through `matmulNaive`, measured on
 *   one layer and `--naive-rows` token rows (default 32), scaled by L and T/rows (matmul time is
 *   linear in rows).
 * Seconds are wall clock, best of two runs after a warm-up; "CPU s" is this process's CPU time
 * over that run (all threads), which the load of other processes inflates less.
 * Figures go to docs/benchmarks.md.
 */
import { availableParallelism, loadavg } from 'node:os';
import {
  allocF32,
  closeEnginePool,
  countParams,
  createModel,
  getEngineThreads,
  type ModelConfig,
  matmulForward,
  matmulNaive,
  paramLayout,
  parseModelConfig,
} from '../src/engine/index.js';
import { createOnnxLlama, llamaAttentionModel, loadOnnxRuntime } from '../src/viz/index.js';

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

/** Best of two timed runs after a warm-up: wall seconds and this process's CPU seconds. */
async function timeIt(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  await fn();
  let best = { wall: Number.POSITIVE_INFINITY, cpu: 0 };
  for (let i = 0; i < 2; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    const wall = (performance.now() - t) / 1000;
    const u = process.cpuUsage(c);
    if (wall < best.wall) best = { wall, cpu: (u.user + u.system) / 1e6 };
  }
  return best;
}

/**
 * Random parameters for timing only: uniform with std 0.02 from a xorshift generator (the engine's
 * Box-Muller init takes minutes for 0.5B parameters on a loaded machine), norm weights 1.
 */
function timingParams(cfg: ModelConfig, seed: number): Float32Array {
  const specs = paramLayout(cfg);
  const data = allocF32(specs.reduce((n, sp) => n + sp.size, 0));
  const a = 0.02 * Math.sqrt(3); // uniform[-a, a] has std 0.02
  let x = seed | 1;
  for (const sp of specs) {
    const view = data.subarray(sp.offset, sp.offset + sp.size);
    if (sp.name.endsWith('norm.weight')) view.fill(1);
    else if (!sp.isMatrix) view.fill(0);
    else {
      for (let i = 0; i < view.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        view[i] = ((x >>> 0) / 4294967296) * 2 * a - a;
      }
    }
  }
  return data;
}

/** Seconds of the forward's matmuls for `rows` token rows with `mm`: one layer times L, plus the head. */
function matmulSeconds(cfg: ModelConfig, rows: number, L: number, mm: typeof matmulForward): number {
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
    const inp = allocF32(rows * inDim);
    const w = allocF32(inDim * outDim);
    const out = allocF32(rows * outDim);
    layer += seconds(() => mm(out, inp, w, null, rows, inDim, outDim));
  }
  const lnf = allocF32(rows * C);
  const head = allocF32(V * C);
  const logits = allocF32(rows * V);
  return layer * L + seconds(() => mm(logits, lnf, head, null, rows, C, V));
}

export default async function bench(args: string[]): Promise<void> {
  const tokenCounts = (arg(args, '--tokens') ?? '128,512').split(',').map(Number);
  const models = (arg(args, '--models') ?? 'smollm,qwen').split(',');
  const paths = (arg(args, '--paths') ?? 'onnx,reference').split(',');
  const keepLayers = arg(args, '--layers');
  const onnxThreads = (arg(args, '--onnx-threads') ?? '0,1').split(',').map(Number);
  const naiveRows = Number(arg(args, '--naive-rows') ?? 32);
  const rt = paths.includes('onnx') ? await loadOnnxRuntime() : { reason: 'not asked for' };
  const load = () => loadavg()[0]?.toFixed(1) ?? '?';
  process.stdout.write(
    `attention extraction · ${availableParallelism()} cores, engine threads ${getEngineThreads()}, load ${load()}` +
      `${'reason' in rt ? ` · onnx path unavailable: ${rt.reason}` : ''}\n`,
  );
  process.stdout.write(
    '| model | params | tokens | path | layers run | seconds | CPU s | seconds (full model) | load |\n|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const name of models) {
    const hf = CONFIGS[name];
    if (!hf) throw new Error(`unknown model ${name}; expected ${Object.keys(CONFIGS).join(', ')}`);
    const full = parseModelConfig(hf);
    const params = `${(countParams(full) / 1e6).toFixed(0)}M`;
    const row = (
      T: number | string,
      path: string,
      layers: string,
      r: { wall: number; cpu: number } | null,
      fullSec: number,
    ) =>
      process.stdout.write(
        `| ${name} | ${params} | ${T} | ${path} | ${layers} | ${r ? r.wall.toFixed(2) : '—'} | ${r ? r.cpu.toFixed(2) : '—'} | ${fullSec.toFixed(1)} | ${load()} |\n`,
      );
    if ('ort' in rt) {
      const model = createModel(full, timingParams(full, 1));
      for (const threads of onnxThreads) {
        const t0 = performance.now();
        const fast = await createOnnxLlama(rt.ort, model, { threads });
        const build = (performance.now() - t0) / 1000;
        const label = `onnx (onnxruntime ${threads ? `${threads} thread${threads > 1 ? 's' : ''}` : 'default threads'})`;
        const st = fast.stats;
        row(
          '—',
          `${label}: session build (${(st.modelBytes / 1e9).toFixed(2)} GB ${st.isExternal ? 'external data' : 'inline'}, encode ${(st.encodeMs / 1000).toFixed(1)} s)`,
          `${full.L}/${full.L}`,
          null,
          build,
        );
        for (const T of tokenCounts) {
          const tokens = Array.from({ length: T }, (_, i) => (i * 7919 + 13) % full.V);
          const r = await timeIt(() => fast.forward(tokens));
          row(T, label, `${full.L}/${full.L}`, r, r.wall);
        }
        await fast.release();
      }
    }
    if (paths.includes('reference')) {
      const L = keepLayers ? Math.min(full.L, Number(keepLayers)) : full.L;
      const cfg = parseModelConfig({ ...hf, num_hidden_layers: L });
      const lab = llamaAttentionModel(createModel(cfg, timingParams(cfg, 1)), null, name);
      for (const T of tokenCounts) {
        const tokens = Array.from({ length: T }, (_, i) => (i * 7919 + 13) % cfg.V);
        lab.forward(tokens.slice(0, 8)); // warm-up: worker pool, rope table
        const c = process.cpuUsage();
        const wall = seconds(() => lab.forward(tokens));
        const u = process.cpuUsage(c);
        // full model: per-layer part scaled from the layers run; the head is counted once
        const head = matmulSeconds({ ...cfg, L: 0 }, T, 0, matmulForward);
        const scaled = L === full.L ? wall : head + ((wall - head) * full.L) / L;
        row(
          T,
          'TypeScript reference (blocked, threaded matmul)',
          `${L}/${full.L}`,
          { wall, cpu: (u.user + u.system) / 1e6 },
          scaled,
        );
      }
    }
    for (const T of tokenCounts) {
      const rows = Math.min(T, naiveRows);
      const naive = (matmulSeconds(full, rows, full.L, matmulNaive) * T) / rows;
      row(
        T,
        `naive matmul figure (projections + head, ${rows} rows × ${T / rows})`,
        `1/${full.L}`,
        null,
        naive,
      );
    }
  }
  closeEnginePool();
}
