// Deterministic randomness derived from (seed, purpose, index), so a resumed run draws exactly
// what an uninterrupted run draws at the same step without saving generator state.
import { createRng } from '../../engine/index.js';

/** A 32-bit seed mixed from the run seed and integers (FNV-1a over their bytes). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let x = p >>> 0;
    for (let k = 0; k < 4; k++) {
      h ^= x & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
      x >>>= 8;
    }
  }
  return h >>> 0;
}

export function rngFor(...parts: number[]): () => number {
  return createRng(mixSeed(...parts));
}

/** A permutation of [0, n) (Fisher–Yates) from the given generator. */
export function permutation(n: number, rng: () => number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}
