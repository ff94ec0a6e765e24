import { hash } from 'node:crypto';

/**
 * MinHash over word 3-gram shingles with banded LSH, for near-duplicate rows. With 64 hashes in
 * 16 bands of 4 rows, pairs above ~0.5 Jaccard become candidates (threshold ≈ (1/b)^(1/r));
 * candidates are confirmed by the signature agreement, an estimate of their Jaccard similarity.
 */
export const MINHASH_PERMS = 64;
const BANDS = 16;
const ROWS = MINHASH_PERMS / BANDS;
/** Shingles beyond this are ignored so a 100 kB row costs no more than a 2 kB one. */
const MAX_SHINGLES = 512;

export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A 52-bit hash of a string as a number, usable as a Map key. Two 32-bit lanes each take two
 * UTF-16 units per step (one multiply and one rotate: the rotate carries the high half down, which
 * a multiply alone never does), then a murmur3 finalizer. About twice as fast as `hash52Naive`,
 * which exact duplicates across a gigabyte of rows spend most of their time in.
 */
export function hash52(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01234567 ^ text.length;
  const n = text.length - 1;
  let i = 0;
  for (; i < n; i += 2) {
    const c = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ c, 0x01000193);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b = (b << 17) | (b >>> 15);
  }
  if (i === n) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a = fmix(a ^ b);
  b = fmix(b + Math.imul(a, 0x9e3779b1));
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

/** murmur3's 32-bit finalizer: every input bit reaches every output bit. */
function fmix(h: number): number {
  let x = h;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A 52-bit key of a record's source (its bytes, or a string hashed as UTF-8, which gives the
 * same key for the same line): native SHA-1, about three times faster than `hash52` on rows of
 * a few kilobytes, and the same key whichever reader produced the row.
 */
export function hashRecord52(source: Uint8Array | string): number {
  const d = hash('sha1', source, 'buffer');
  return d.readUInt32BE(0) * 0x100000 + (d.readUInt32BE(4) & 0xfffff);
}

/** The reference twin of `hash52`: one UTF-16 unit per step, two FNV-1a lanes. */
export function hash52Naive(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01234567;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

function mix(h: number, seed: number): number {
  let x = (h ^ seed) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Writes the MinHash signature of `text` into `out` at `offset` (MINHASH_PERMS slots) by
 * one-permutation hashing with rotation densification (Shrivastava & Li, 2014): each shingle is
 * hashed once and lands in one of the slots, instead of being hashed once per slot. Word
 * hashes are computed once and combined per 3-gram.
 */
export function minhashInto(out: Uint32Array, offset: number, text: string): void {
  const words = text.toLowerCase().split(/\s+/);
  const wh: number[] = [];
  for (const w of words) if (w) wh.push(fnv1a(w));
  out.fill(0xffffffff, offset, offset + MINHASH_PERMS);
  const n = Math.min(Math.max(wh.length - 2, 1), MAX_SHINGLES);
  for (let i = 0; i < n; i++) {
    const h = mix(
      (wh[i] ?? 0) ^ Math.imul(wh[i + 1] ?? 0, 0x01000193) ^ Math.imul(wh[i + 2] ?? 0, 0x5bd1e995),
      0x2545f491,
    );
    const slot = offset + (h & (MINHASH_PERMS - 1));
    const v = h >>> 6;
    if (v < (out[slot] as number)) out[slot] = v;
  }
  // Densify: an empty slot borrows the value of the next filled slot, tagged with the distance.
  for (let p = 0; p < MINHASH_PERMS; p++) {
    if (out[offset + p] !== 0xffffffff) continue;
    for (let k = 1; k < MINHASH_PERMS; k++) {
      const v = out[offset + ((p + k) % MINHASH_PERMS)] as number;
      if (v !== 0xffffffff && v < 0x4000000) {
        out[offset + p] = (v + k * 0x4000000) >>> 0;
        break;
      }
    }
  }
}

/** Pairs (i, j), i < j, whose signatures agree on at least `threshold` of the hashes. */
export function findNearDuplicatePairs(
  sigs: Uint32Array,
  count: number,
  threshold = 0.8,
): [number, number, number][] {
  const pairs = new Map<number, [number, number, number]>();
  for (let b = 0; b < BANDS; b++) {
    const buckets = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      let h = b;
      for (let r = 0; r < ROWS; r++) h = mix(h, sigs[i * MINHASH_PERMS + b * ROWS + r] as number);
      const list = buckets.get(h);
      if (list) list.push(i);
      else buckets.set(h, [i]);
    }
    for (const list of buckets.values()) {
      if (list.length < 2) continue;
      const j0 = list[0] as number;
      // Compare each member to the bucket's first row only: O(n) per bucket, enough to flag it.
      for (let k = 1; k < list.length; k++) {
        const j = list[k] as number;
        const key = j0 * 4294967296 + j;
        if (pairs.has(key)) continue;
        let same = 0;
        for (let p = 0; p < MINHASH_PERMS; p++)
          if (sigs[j0 * MINHASH_PERMS + p] === sigs[j * MINHASH_PERMS + p]) same++;
        const sim = same / MINHASH_PERMS;
        if (sim >= threshold) pairs.set(key, [j0, j, sim]);
      }
    }
  }
  return [...pairs.values()];
}
