/**
 * `npm run bench -- engine [--quick]`: the embedded engine's hot spots, each against its baseline
 * in the same run: the 1024x1024x1024 matmul (naive JS loop, blocked kernel on one thread,
 * blocked kernel on every core), and training / decoding tokens per second for ~1M and ~10M
 * parameter Llama models. Figures go to docs/benchmarks.md.
 */
import { availableParallelism, loadavg } from 'node:os';
import {
  allocF32,
  closeEnginePool,
  countParams,
  createKvCache,
  createModel,
  createRng,
  createTrainer,
  forwardCached,
  getEngineThreads,
  initParams,
  makeTargets,
  matmulBlockedRows,
  matmulForward,
  matmulNaive,
  parseModelConfig,
  setEngineThreads,
  trainStep,
} from '../src/engine/index.js';

function timeIt(fn: () => void, repeats: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best / 1000;
}

function benchMatmul(n: number, quick: boolean): void {
  const rng = createRng(1);
  const a = allocF32(n * n);
  const b = allocF32(n * n);
  for (let i = 0; i < n * n; i++) {
    a[i] = rng() - 0.5;
    b[i] = rng() - 0.5;
  }
  const out = allocF32(n * n);
  const flop = 2 * n ** 3;
  const rows: [string, number][] = [];
  rows.push([
    'naive JS loop (matmulNaive)',
    flop / timeIt(() => matmulNaive(out, a, b, null, n, n, n), 1) / 1e9,
  ]);
  rows.push([
    'blocked, 1 thread (matmulBlockedRows)',
    flop / timeIt(() => matmulBlockedRows(out, a, b, null, n, n, n, false, 0, n), quick ? 1 : 3) / 1e9,
  ]);
  rows.push([
    `blocked, ${getEngineThreads()} threads (matmulForward)`,
    flop / timeIt(() => matmulForward(out, a, b, null, n, n, n), quick ? 2 : 5) / 1e9,
  ]);
  const base = rows[0]?.[1] ?? 1;
  console.log(`\nmatmul ${n}x${n}x${n} (best of runs)`);
  console.log('| kernel | GFLOP/s | vs naive |\n|---|---|---|');
  for (const [name, g] of rows) console.log(`| ${name} | ${g.toFixed(2)} | ${(g / base).toFixed(1)}x |`);
}

function benchModel(
  label: string,
  cfgRaw: Record<string, unknown>,
  B: number,
  T: number,
  steps: number,
): void {
  const cfg = parseModelConfig({
    model_type: 'llama',
    max_position_embeddings: 256,
    tie_word_embeddings: true,
    ...cfgRaw,
  });
  const model = createModel(cfg, initParams(cfg, 1));
  const trainer = createTrainer(model);
  const rng = createRng(2);
  const tokens = Array.from({ length: B * T }, () => Math.floor(rng() * cfg.V));
  const targets = makeTargets(tokens);
  const batch = [{ B, T, tokens, targets }];
  trainStep(trainer, batch, { lr: 1e-4 }); // warm-up: allocations and JIT
  const sec = timeIt(() => {
    for (let i = 0; i < steps; i++) trainStep(trainer, batch, { lr: 1e-4 });
  }, 1);
  const trainTps = (B * T * steps) / sec;
  // decoding: one sequence, 64-token prompt, 32 new tokens through the KV cache
  const cache = createKvCache(model, 96);
  forwardCached(model, [{ cache, tokens: tokens.slice(0, 64) }]);
  const decodeSec = timeIt(() => {
    for (let i = 0; i < 32; i++) forwardCached(model, [{ cache, tokens: [i % cfg.V] }]);
  }, 1);
  // the server's continuous batching: 4 sequences decoded in one forward pass per step
  const caches = [0, 1, 2, 3].map(() => {
    const c = createKvCache(model, 96);
    forwardCached(model, [{ cache: c, tokens: tokens.slice(0, 64) }]);
    return c;
  });
  const batchSec = timeIt(() => {
    for (let i = 0; i < 32; i++)
      forwardCached(
        model,
        caches.map((cache) => ({ cache, tokens: [i % cfg.V] })),
      );
  }, 1);
  console.log(
    `| ${label} | ${(countParams(cfg) / 1e6).toFixed(2)}M | B=${B} T=${T} | ${trainTps.toFixed(0)} | ${((6 * countParams(cfg) * trainTps) / 1e9).toFixed(2)} | ${(32 / decodeSec).toFixed(1)} | ${((4 * 32) / batchSec).toFixed(1)} |`,
  );
}

export default async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  console.log(
    `engine bench: node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]?.toFixed(2)}`,
  );
  benchMatmul(quick ? 512 : 1024, quick);
  console.log('\ntraining (forward + backward + AdamW) and KV-cache decoding');
  console.log(
    '| model | params | batch | train tokens/s | ~GFLOP/s (6N per token) | decode tokens/s, 1 seq | decode tokens/s, 4 seqs batched |\n|---|---|---|---|---|---|---|',
  );
  benchModel(
    '1M (C=128, L=4, H=4, F=512, V=512)',
    {
      vocab_size: 512,
      hidden_size: 128,
      intermediate_size: 512,
      num_hidden_layers: 4,
      num_attention_heads: 4,
    },
    8,
    128,
    quick ? 1 : 3,
  );
  benchModel(
    '10M (C=256, L=10, H=8, Hkv=4, F=1024, V=512)',
    {
      vocab_size: 512,
      hidden_size: 256,
      intermediate_size: 1024,
      num_hidden_layers: 10,
      num_attention_heads: 8,
      num_key_value_heads: 4,
    },
    4,
    128,
    quick ? 1 : 2,
  );
  if (args.includes('--single-thread')) setEngineThreads(1);
  closeEnginePool();
}
