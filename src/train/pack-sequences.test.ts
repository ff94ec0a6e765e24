import { describe, expect, test } from 'vitest';
import { createRng } from '../engine/index.js';
import {
  lowerBoundL1,
  lowerBoundL2,
  packBestFitDecreasing,
  packBestFitDecreasingNaive,
  packingReport,
  packSequences,
} from './pack-sequences.js';
import { PACKING_STRATEGIES } from './recipe.js';

/** The fewest rows any packing can use, by trying every assignment (tiny n only). */
function bruteForceOptimum(lengths: number[], capacity: number): number {
  const sorted = [...lengths].sort((a, b) => b - a);
  let best = sorted.length;
  const rooms: number[] = [];
  const place = (i: number) => {
    if (rooms.length >= best) return;
    if (i === sorted.length) {
      best = rooms.length;
      return;
    }
    const l = sorted[i] as number;
    const seen = new Set<number>();
    for (let b = 0; b < rooms.length; b++) {
      const room = rooms[b] as number;
      if (room < l || seen.has(room)) continue;
      seen.add(room);
      rooms[b] = room - l;
      place(i + 1);
      rooms[b] = room;
    }
    rooms.push(capacity - l);
    place(i + 1);
    rooms.pop();
  };
  place(0);
  return best;
}

const randomCase = (rng: () => number, n: number, C: number) =>
  Array.from({ length: n }, () => 1 + Math.floor(rng() * C));

describe('packing', () => {
  test('BFD with the segment tree makes the same rows as the naive scan (up to ties between equal rooms)', () => {
    const rng = createRng(3);
    for (let t = 0; t < 200; t++) {
      const C = 4 + Math.floor(rng() * 60);
      const lengths = randomCase(rng, 1 + Math.floor(rng() * 40), C);
      const fast = packBestFitDecreasing(lengths, C);
      const naive = packBestFitDecreasingNaive(lengths, C);
      // Rows with equal room are interchangeable, so the multiset of row loads must match.
      const naiveUsed = naive.map((r) => r.reduce((s, i) => s + (lengths[i] as number), 0));
      expect([...fast.used].sort((a, b) => a - b)).toEqual(naiveUsed.sort((a, b) => a - b));
    }
  });

  test('on small cases BFD is checked against the brute-force optimum and bounds never exceed it', () => {
    const rng = createRng(11);
    let optimal = 0;
    const cases = 300;
    for (let t = 0; t < cases; t++) {
      const C = 10 + Math.floor(rng() * 20);
      const lengths = randomCase(rng, 2 + Math.floor(rng() * 7), C);
      const opt = bruteForceOptimum(lengths, C);
      const bfd = packBestFitDecreasing(lengths, C).rows;
      expect(lowerBoundL1(lengths, C)).toBeLessThanOrEqual(opt);
      expect(lowerBoundL2(lengths, C)).toBeLessThanOrEqual(opt);
      expect(lowerBoundL2(lengths, C)).toBeGreaterThanOrEqual(lowerBoundL1(lengths, C));
      // Johnson / Dósa: BFD <= 11/9 OPT + 6/9.
      expect(bfd).toBeLessThanOrEqual((11 / 9) * opt + 6 / 9);
      if (bfd === opt) optimal++;
    }
    expect(optimal / cases).toBeGreaterThan(0.95);
  });

  test('every strategy places each sequence exactly once and never overfills a row', () => {
    const rng = createRng(5);
    const C = 64;
    const lengths = randomCase(rng, 500, C);
    for (const s of PACKING_STRATEGIES) {
      const p = packSequences(lengths, C, s);
      expect([...p.order].sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
      for (let r = 0; r < p.rows; r++) {
        let sum = 0;
        for (let k = p.rowStart[r] as number; k < (p.rowStart[r + 1] as number); k++)
          sum += lengths[p.order[k] as number] as number;
        expect(sum).toBe(p.used[r]);
        expect(sum).toBeLessThanOrEqual(C);
      }
      const rep = packingReport(lengths, p);
      expect(rep.rows).toBeGreaterThanOrEqual(rep.lowerBoundL2);
    }
  });

  test('a sequence longer than the capacity is refused, naming it', () => {
    expect(() => packSequences([3, 9, 2], 8)).toThrow(/lengths\[1\].*length 9/);
  });

  test('L2 beats L1 where large items cannot share', () => {
    // Three items of 6 in rows of 10: L1 = 2, but no two fit together.
    expect(lowerBoundL1([6, 6, 6], 10)).toBe(2);
    expect(lowerBoundL2([6, 6, 6], 10)).toBe(3);
  });
});
