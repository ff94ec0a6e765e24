/**
 * `npm run bench -- packing [sequences]`: token efficiency of each packing strategy beside the
 * two lower bounds (⌈Σℓ/C⌉ and Martello–Toth L2) on the length distributions of
 * docs/benchmarks.md, and the time to pack 1M sequences with the segment-tree BFD against the
 * naive O(n · rows) BFD (baseline, timed on a smaller set and in the same run).
 */
import { createRng } from '../src/engine/index.js';
import {
  PACKING_STRATEGIES,
  packBestFitDecreasing,
  packBestFitDecreasingNaive,
  packingReport,
  packSequences,
} from '../src/train/index.js';

type Dist = { name: string; capacity: number; sample: (rng: () => number) => number };

function normal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
/** Gamma with integer shape k: a sum of k exponentials. */
const gamma = (rng: () => number, k: number, scale: number) => {
  let s = 0;
  for (let i = 0; i < k; i++) s -= Math.log(1 - rng());
  return s * scale;
};
const clip = (x: number, C: number) => Math.min(C, Math.max(1, Math.round(x)));

export const DISTRIBUTIONS: Dist[] = [
  { name: 'gamma(5,20) @512', capacity: 512, sample: (r) => clip(gamma(r, 5, 20), 512) },
  { name: 'gamma(5,20) @2048', capacity: 2048, sample: (r) => clip(gamma(r, 5, 20), 2048) },
  {
    name: 'lognormal(350,0.9) @2048',
    capacity: 2048,
    sample: (r) => clip(350 * Math.exp(0.9 * normal(r)), 2048),
  },
  {
    name: 'lognormal(350,0.9) @4096',
    capacity: 4096,
    sample: (r) => clip(350 * Math.exp(0.9 * normal(r)), 4096),
  },
  { name: 'uniform(900,1200) @2048', capacity: 2048, sample: (r) => 900 + Math.floor(r() * 301) },
  {
    // RL rollouts: prompt lognormal(median 400, σ 0.6) + response; a quarter of responses hit
    // max_new_tokens = 4096, the rest are lognormal(median 1200, σ 0.8).
    name: 'RL rollouts @8192',
    capacity: 8192,
    sample: (r) => {
      const prompt = clip(400 * Math.exp(0.6 * normal(r)), 2048);
      const resp = r() < 0.25 ? 4096 : clip(1200 * Math.exp(0.8 * normal(r)), 4096);
      return clip(prompt + resp, 8192);
    },
  },
];

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export default async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100_000);
  console.log(`efficiency on ${n} sequences per distribution (tokens / (rows × C))`);
  console.log(['distribution', ...PACKING_STRATEGIES, 'L1 bound', 'L2 bound', 'BFD gap to L2'].join(' | '));
  for (const d of DISTRIBUTIONS) {
    const rng = createRng(42);
    const lengths = Int32Array.from({ length: n }, () => d.sample(rng));
    const reps = PACKING_STRATEGIES.map((s) => packingReport(lengths, packSequences(lengths, d.capacity, s)));
    const bfd = reps[0];
    if (!bfd) continue;
    console.log(
      [
        d.name,
        ...reps.map((r) => `${pct(r.efficiency)} (${r.rows} rows)`),
        `${pct(bfd.efficiencyL1)} (${bfd.lowerBoundL1})`,
        `${pct(bfd.efficiencyL2)} (${bfd.lowerBoundL2})`,
        `${bfd.gapToL2Pp.toFixed(3)} pp`,
      ].join(' | '),
    );
  }
  // Speed: 1M sequences with the segment tree; the naive scan as baseline on 20k.
  const big = DISTRIBUTIONS[2] as Dist;
  const rng = createRng(7);
  const million = Int32Array.from({ length: 1_000_000 }, () => big.sample(rng));
  packBestFitDecreasing(million.subarray(0, 10_000), big.capacity); // warm-up
  let t0 = performance.now();
  const p = packBestFitDecreasing(million, big.capacity);
  const tMillion = performance.now() - t0;
  console.log(`BFD (segment tree), 1,000,000 × ${big.name}: ${tMillion.toFixed(0)} ms, ${p.rows} rows`);
  const small = million.subarray(0, 20_000);
  t0 = performance.now();
  packBestFitDecreasing(small, big.capacity);
  const tFast = performance.now() - t0;
  t0 = performance.now();
  packBestFitDecreasingNaive(small, big.capacity);
  const tNaive = performance.now() - t0;
  console.log(
    `20,000 sequences: segment tree ${tFast.toFixed(1)} ms, naive scan ${tNaive.toFixed(0)} ms, ratio ${(tNaive / tFast).toFixed(0)}×`,
  );
}
