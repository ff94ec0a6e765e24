import { EvaluationError } from './errors.js';
import { PythonRandom } from './python-random.js';

export interface MetricSummary {
  mean: number;
  /** Standard error of the mean (sample standard deviation / √n). */
  stderr: number;
  /** Seeded percentile bootstrap interval of the mean. */
  ci95: [number, number];
  n: number;
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : Number.NaN;
}

export function standardError(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return Math.sqrt(ss / (n - 1) / n);
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

/** Percentile bootstrap of a statistic over resampled indices; the same seed gives the same interval. */
export function bootstrap(
  n: number,
  statistic: (indices: Int32Array) => number,
  opts: { rounds?: number; seed?: number; level?: number } = {},
): [number, number] {
  const { rounds = 1000, seed = 1234, level = 0.95 } = opts;
  if (n === 0) return [Number.NaN, Number.NaN];
  const rnd = new PythonRandom(seed);
  const stats: number[] = [];
  const idx = new Int32Array(n);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rnd.random() * n);
    stats.push(statistic(idx));
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return [percentile(stats, alpha), percentile(stats, 1 - alpha)];
}

export function summarizeMetric(
  xs: readonly number[],
  opts: { rounds?: number; seed?: number } = {},
): MetricSummary {
  const ci95 = bootstrap(
    xs.length,
    (idx) => {
      let s = 0;
      for (const i of idx) s += xs[i] as number;
      return s / idx.length;
    },
    opts,
  );
  return { mean: mean(xs), stderr: standardError(xs), ci95, n: xs.length };
}

/** Wilson score interval for a proportion (z = 1.96 for 95%). */
export function wilsonInterval(successes: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface PairedDiff {
  /** mean(b) − mean(a) over the shared items. */
  diff: number;
  ci95: [number, number];
  n: number;
}

/** Paired bootstrap of the mean difference b − a, resampling items (both runs together). */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  opts: { rounds?: number; seed?: number } = {},
): PairedDiff {
  if (a.length !== b.length)
    throw new EvaluationError(
      'AB_EVAL_NOT_PAIRED',
      `paired test needs the same items (${a.length} vs ${b.length})`,
    );
  const d = a.map((x, i) => (b[i] as number) - x);
  const ci95 = bootstrap(
    d.length,
    (idx) => {
      let s = 0;
      for (const i of idx) s += d[i] as number;
      return s / idx.length;
    },
    opts,
  );
  return { diff: mean(d), ci95, n: d.length };
}

export interface McNemar {
  /** Items right in A and wrong in B. */
  onlyA: number;
  /** Items wrong in A and right in B. */
  onlyB: number;
  /** Exact two-sided binomial p-value on the discordant pairs. */
  pValue: number;
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** McNemar's exact test for two binary score vectors over the same items. */
export function mcnemar(a: readonly number[], b: readonly number[]): McNemar {
  if (a.length !== b.length)
    throw new EvaluationError(
      'AB_EVAL_NOT_PAIRED',
      `McNemar needs the same items (${a.length} vs ${b.length})`,
    );
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = (a[i] as number) >= 0.5;
    const y = (b[i] as number) >= 0.5;
    if (x && !y) onlyA++;
    else if (!x && y) onlyB++;
  }
  const n = onlyA + onlyB;
  const k = Math.min(onlyA, onlyB);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return { onlyA, onlyB, pValue: n === 0 ? 1 : Math.min(1, 2 * tail) };
}

export interface Battle {
  a: string;
  b: string;
  /** 1: a wins, 0: b wins, 0.5: tie. */
  outcome: number;
}

/**
 * Bradley–Terry strengths by the MM algorithm (Hunter 2004), ties counted as half a win each,
 * reported on the Elo scale (400·log10) with `anchor` fixed at 1000.
 */
export function bradleyTerry(
  battles: readonly Battle[],
  opts: { anchor?: string; iterations?: number } = {},
): Record<string, number> {
  const players = [...new Set(battles.flatMap((b) => [b.a, b.b]))].sort();
  const index = new Map(players.map((p, i) => [p, i]));
  const P = players.length;
  const wins = new Float64Array(P);
  const games = new Float64Array(P * P);
  for (const bt of battles) {
    const i = index.get(bt.a) as number;
    const j = index.get(bt.b) as number;
    wins[i] = (wins[i] as number) + bt.outcome;
    wins[j] = (wins[j] as number) + 1 - bt.outcome;
    games[i * P + j] = (games[i * P + j] as number) + 1;
    games[j * P + i] = (games[j * P + i] as number) + 1;
  }
  let p = new Float64Array(P).fill(1);
  // A small prior (0.5 win each way against a virtual equal player) keeps all-win players finite.
  for (let it = 0; it < (opts.iterations ?? 200); it++) {
    const next = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      let denom = 1 / ((p[i] as number) + 1);
      for (let j = 0; j < P; j++) {
        const g = games[i * P + j] as number;
        if (g > 0) denom += g / ((p[i] as number) + (p[j] as number));
      }
      next[i] = ((wins[i] as number) + 0.5) / denom;
    }
    let logSum = 0;
    for (const x of next) logSum += Math.log(x);
    const scale = Math.exp(logSum / P);
    for (let i = 0; i < P; i++) next[i] = (next[i] as number) / scale;
    p = next;
  }
  const anchorIndex = opts.anchor !== undefined ? index.get(opts.anchor) : undefined;
  const base = anchorIndex !== undefined ? Math.log10(p[anchorIndex] as number) : 0;
  return Object.fromEntries(
    players.map((name, i) => [name, 1000 + 400 * (Math.log10(p[i] as number) - base)]),
  );
}

export interface Rating {
  rating: number;
  ci95: [number, number];
}

/**
 * The win rate against a player rated `anchorRating` that a Bradley–Terry rating implies, with its
 * interval mapped through the same monotone curve (arena-hard-auto's `predict_win_rate`:
 * 1 / (1 + 10^((anchor − rating) / 400))).
 */
export function impliedWinRate(r: Rating, anchorRating = 1000): { winRate: number; ci95: [number, number] } {
  const p = (x: number) => 1 / (1 + 10 ** ((anchorRating - x) / 400));
  return { winRate: p(r.rating), ci95: [p(r.ci95[0]), p(r.ci95[1])] };
}

/** Bradley–Terry ratings with a seeded bootstrap over battles (≥ 500 rounds). */
export function bradleyTerryWithIntervals(
  battles: readonly Battle[],
  opts: { anchor?: string; rounds?: number; seed?: number } = {},
): Record<string, Rating> {
  const rounds = Math.max(500, opts.rounds ?? 500);
  const point = bradleyTerry(battles, opts);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(point).map((k) => [k, []]));
  const rnd = new PythonRandom(opts.seed ?? 1234);
  const n = battles.length;
  for (let r = 0; r < rounds; r++) {
    const resampled: Battle[] = [];
    for (let i = 0; i < n; i++) resampled.push(battles[Math.floor(rnd.random() * n)] as Battle);
    const ratings = bradleyTerry(resampled, { ...opts, iterations: 100 });
    for (const k of Object.keys(point)) samples[k]?.push(ratings[k] ?? (point[k] as number));
  }
  return Object.fromEntries(
    Object.entries(point).map(([k, rating]) => {
      const s = (samples[k] ?? []).sort((a, b) => a - b);
      return [k, { rating, ci95: [percentile(s, 0.025), percentile(s, 0.975)] as [number, number] }];
    }),
  );
}
