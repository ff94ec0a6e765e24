/**
 * `npm run bench -- packing [sequences]`: token efficiency of each packing strategy beside the
 * two lower bounds (⌈Σℓ/C⌉ and Martello–Toth L2) on the length distributions of
 * docs/benchmarks.md, BFD before and after its exact-fit pass, and the time (wall and CPU, with
 * the load average, since the machine is shared) to pack 1M sequences with the segment-tree BFD
 * and the pass, against the naive O(n · rows) BFD (baseline, timed on a smaller set, same run).
 */
import { availableParallelism, loadavg } from 'node:os';
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

/** Wall and CPU milliseconds of fn (CPU time counts only this process, so it is steadier under load). */
function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export default async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100_000);
  console.log(`efficiency on ${n} sequences per distribution (tokens / (rows × C))`);
  console.log(
    [
      'distribution',
      'BFD before pass',
      ...PACKING_STRATEGIES.map((s) => (s === 'bfd' ? 'BFD (with exact-fit pass)' : s)),
      'L1 bound',
      'L2 bound',
      'BFD gap to L2 before → after',
    ].join(' | '),
  );
  for (const d of DISTRIBUTIONS) {
    const rng = createRng(42);
    const lengths = Int32Array.from({ length: n }, () => d.sample(rng));
    const before = packingReport(lengths, packBestFitDecreasing(lengths, d.capacity));
    const reps = PACKING_STRATEGIES.map((s) => packingReport(lengths, packSequences(lengths, d.capacity, s)));
    const after = reps[0];
    if (!after) continue;
    console.log(
      [
        d.name,
        `${pct(before.efficiency)} (${before.rows} rows)`,
        ...reps.map((r) => `${pct(r.efficiency)} (${r.rows} rows)`),
        `${pct(after.efficiencyL1)} (${after.lowerBoundL1})`,
        `${pct(after.efficiencyL2)} (${after.lowerBoundL2})`,
        `${before.gapToL2Pp.toFixed(3)} → ${after.gapToL2Pp.toFixed(3)} pp`,
      ].join(' | '),
    );
  }
  // Speed: 1M sequences with the segment tree and the pass; the naive scan as baseline on 20k.
  const big = DISTRIBUTIONS[2] as Dist;
  const rng = createRng(7);
  const million = Int32Array.from({ length: 1_000_000 }, () => big.sample(rng));
  packSequences(million.subarray(0, 10_000), big.capacity, 'bfd'); // warm-up
  const bfd = timed(() => packBestFitDecreasing(million, big.capacity));
  const total = timed(() => packSequences(million, big.capacity, 'bfd'));
  const ms = (t: { wallMs: number; cpuMs: number }) =>
    `${t.wallMs.toFixed(0)} ms (CPU ${t.cpuMs.toFixed(0)} ms)`;
  console.log(
    `1,000,000 × ${big.name}: BFD alone ${ms(bfd)}, ${bfd.value.rows} rows; BFD + exact-fit pass ${ms(total)}, ${total.value.rows} rows; load average (1 min) ${(loadavg()[0] as number).toFixed(2)} on ${availableParallelism()} cores`,
  );
  const small = million.subarray(0, 20_000);
  const fast = timed(() => packBestFitDecreasing(small, big.capacity));
  const naive = timed(() => packBestFitDecreasingNaive(small, big.capacity));
  console.log(
    `20,000 sequences: segment tree ${fast.wallMs.toFixed(1)} ms, naive scan ${naive.wallMs.toFixed(0)} ms, ratio ${(naive.wallMs / fast.wallMs).toFixed(0)}×`,
  );
}
