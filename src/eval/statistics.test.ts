import { expect, test } from 'vitest';
import {
  bradleyTerry,
  bradleyTerryWithIntervals,
  impliedWinRate,
  mcnemar,
  pairedBootstrap,
  summarizeMetric,
  wilsonInterval,
} from './statistics.js';

test('mean, standard error and a seeded bootstrap interval', () => {
  const xs = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1];
  const s = summarizeMetric(xs, { seed: 7 });
  expect(s.mean).toBe(0.7);
  expect(s.stderr).toBeCloseTo(Math.sqrt((0.7 * 0.3 * 10) / 9 / 10), 12);
  expect(s.ci95[0]).toBeLessThan(0.7);
  expect(s.ci95[1]).toBeGreaterThan(0.7);
  expect(summarizeMetric(xs, { seed: 7 }).ci95).toEqual(s.ci95);
});

test('Wilson interval matches the textbook value', () => {
  // 7/10 at 95%: [0.3968, 0.8922] (Wilson 1927; e.g. statsmodels proportion_confint method="wilson")
  const [lo, hi] = wilsonInterval(7, 10);
  expect(lo).toBeCloseTo(0.3968, 4);
  expect(hi).toBeCloseTo(0.8922, 4);
});

test('McNemar exact p-value and flip counts', () => {
  // 8 discordant pairs, 1 vs 7: p = 2 * P(X <= 1 | n=8, 0.5) = 2 * 9/256
  const a = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1];
  const b = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  expect(mcnemar(a, b)).toEqual({ onlyA: 1, onlyB: 7, pValue: 18 / 256 });
  expect(() => mcnemar([1], [1, 0])).toThrow(expect.objectContaining({ code: 'AB_EVAL_NOT_PAIRED' }));
});

test('paired bootstrap of the difference', () => {
  const a = Array.from({ length: 50 }, (_, i) => (i % 2 ? 1 : 0));
  const b = a.map(() => 1);
  const d = pairedBootstrap(a, b, { seed: 1 });
  expect(d.diff).toBe(0.5);
  expect(d.ci95[0]).toBeGreaterThan(0.3);
  expect(d.ci95[1]).toBeLessThan(0.7);
});

test('Bradley–Terry recovers the order; intervals are reproducible with the same seed', () => {
  const battles = [];
  for (let i = 0; i < 30; i++) {
    battles.push({ a: 'strong', b: 'base', outcome: i % 4 === 0 ? 0 : 1 });
    battles.push({ a: 'weak', b: 'base', outcome: i % 4 === 0 ? 1 : 0 });
    battles.push({ a: 'strong', b: 'weak', outcome: i % 3 === 0 ? 0.5 : 1 });
  }
  const r = bradleyTerry(battles, { anchor: 'base' });
  expect(r.base).toBeCloseTo(1000, 6);
  expect(r.strong).toBeGreaterThan(1000);
  expect(r.weak).toBeLessThan(1000);
  const x = bradleyTerryWithIntervals(battles, { anchor: 'base', seed: 3, rounds: 500 });
  const y = bradleyTerryWithIntervals(battles, { anchor: 'base', seed: 3, rounds: 500 });
  expect(x).toEqual(y);
  expect(x.strong?.ci95[0]).toBeLessThan(x.strong?.rating ?? 0);
});

test('the win rate a Bradley–Terry rating implies: 1000 is even, +400·log10(3) is 3 to 1, intervals mapped', () => {
  expect(impliedWinRate({ rating: 1000, ci95: [1000, 1000] }).winRate).toBe(0.5);
  const threeToOne = 1000 + 400 * Math.log10(3);
  const w = impliedWinRate({ rating: threeToOne, ci95: [1000, threeToOne] });
  expect(w.winRate).toBeCloseTo(0.75, 12);
  expect(w.ci95[0]).toBeCloseTo(0.5, 12);
  expect(w.ci95[1]).toBeCloseTo(0.75, 12);
  // From a fit: 300 wins and 100 losses against the anchor give back about 3 to 1.
  const battles = Array.from({ length: 400 }, (_, i) => ({
    a: 'c',
    b: 'base',
    outcome: i % 4 === 0 ? 0 : 1,
  }));
  const fitted = bradleyTerry(battles, { anchor: 'base' }).c as number;
  expect(impliedWinRate({ rating: fitted, ci95: [fitted, fitted] }).winRate).toBeCloseTo(0.75, 2);
});
