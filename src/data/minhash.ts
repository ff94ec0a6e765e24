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
 * a multiply alone never does), then a murmur3 finalizer. About twice as fast as `hash52Naive`;
 * long text goes faster still through `hashText52`, four bytes a step.
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
  return finish52(a, b);
}

/** The two 32-bit lanes folded into a 52-bit key, each through murmur3's finalizer. */
function finish52(a: number, b: number): number {
  const x = fmix(a ^ b);
  const y = fmix(b + Math.imul(x, 0x9e3779b1));
  return (x >>> 0) * 0x100000 + ((y >>> 0) & 0xfffff);
}

/** murmur3's 32-bit finalizer: every input bit reaches every output bit. */
function fmix(h: number): number {
  let x = h;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Hashing scratch: bytes are copied here (a native copy) so the hash reads them four at a time
 * through an aligned Int32Array, about ten times faster than `charCodeAt` one unit at a time.
 * One per thread; it grows to the longest input seen.
 */
let scratch = Buffer.allocUnsafeSlow(1 << 16);
let scratchWords = new Int32Array(scratch.buffer, scratch.byteOffset, scratch.length >>> 2);

function reserveScratch(bytes: number): void {
  if (bytes <= scratch.length) return;
  scratch = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * scratch.length) + 3);
  scratchWords = new Int32Array(scratch.buffer, scratch.byteOffset, scratch.length >>> 2);
}

/**
 * `hash52`'s step over the 32-bit words of `scratch[0, n)` in four lanes: even words feed lanes a
 * and b, odd words c and d, the last 1-3 bytes (packed into one word) c and d. Each lane waits on
 * its own multiply, so two words a step run in about the time of one (1.4 against 2.6 µs on a
 * 1.6 kB line); a difference confined to even or to odd words still meets two full lanes.
 */
function hashScratch52(n: number): number {
  let a = 0x811c9dc5;
  let b = 0x01234567 ^ n;
  let c = 0x9e3779b9;
  let d = 0x7f4a7c15 ^ n;
  const full = n >>> 2;
  const words = scratchWords;
  let i = 0;
  for (; i + 1 < full; i += 2) {
    const w = words[i] as number;
    const v = words[i + 1] as number;
    a = Math.imul(a ^ w, 0x01000193);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ w, 0x5bd1e995);
    b = (b << 17) | (b >>> 15);
    c = Math.imul(c ^ v, 0x01000193);
    c = (c << 13) | (c >>> 19);
    d = Math.imul(d ^ v, 0x5bd1e995);
    d = (d << 17) | (d >>> 15);
  }
  if (i < full) {
    const w = words[i] as number;
    a = Math.imul(a ^ w, 0x01000193);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ w, 0x5bd1e995);
    b = (b << 17) | (b >>> 15);
  }
  if (n & 3) {
    let w = 0;
    for (let k = n - 1; k >= full << 2; k--) w = (w << 8) | (scratch[k] as number);
    c = Math.imul(c ^ w, 0x01000193);
    d = Math.imul(d ^ w, 0x5bd1e995);
  }
  return finish52(a ^ fmix(c), b ^ fmix(d));
}

/** A 52-bit key of bytes; `hashBytes52Naive` is its reference twin. */
export function hashBytes52(bytes: Uint8Array): number {
  reserveScratch(bytes.length);
  scratch.set(bytes);
  return hashScratch52(bytes.length);
}

/**
 * `hashBytes52` of the text's UTF-8 bytes. `isAscii` (the caller knows the text is ASCII) writes
 * it as Latin-1, the same bytes for ASCII written about four times faster.
 */
export function hashText52(text: string, isAscii = false): number {
  reserveScratch(3 * text.length);
  return hashScratch52(scratch.write(text, 0, isAscii ? 'latin1' : 'utf8'));
}

/** A 52-bit key of three 52-bit keys in this order (prompt, chosen, rejected → the pair's key). */
export function hashKeys52(x: number, y: number, z: number): number {
  const w = scratchWords;
  w[0] = x % 0x100000000;
  w[1] = x / 0x100000000;
  w[2] = y % 0x100000000;
  w[3] = y / 0x100000000;
  w[4] = z % 0x100000000;
  w[5] = z / 0x100000000;
  return hashScratch52(24);
}

/**
 * A 52-bit key of a record's source (its bytes, or a string hashed as UTF-8, which gives the
 * same key for the same line), for exact duplicates.
 */
export function hashRecord52(source: Uint8Array | string): number {
  return typeof source === 'string' ? hashText52(source) : hashBytes52(source);
}

/** The reference twin of `hashBytes52`: one word a step, assembled from single bytes (little-endian, like the Int32Array view). */
export function hashBytes52Naive(bytes: Uint8Array): number {
  const n = bytes.length;
  const lanes = [0x811c9dc5, 0x01234567 ^ n, 0x9e3779b9, 0x7f4a7c15 ^ n];
  let k = 0;
  for (; 4 * k + 4 <= n; k++) {
    const i = 4 * k;
    const w =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    const [x, y] = k % 2 === 0 ? [0, 1] : [2, 3];
    const p = Math.imul((lanes[x] as number) ^ w, 0x01000193);
    const q = Math.imul((lanes[y] as number) ^ w, 0x5bd1e995);
    lanes[x] = (p << 13) | (p >>> 19);
    lanes[y] = (q << 17) | (q >>> 15);
  }
  const [a, b, c, d] = lanes as [number, number, number, number];
  if (4 * k === n) return finish52(a ^ fmix(c), b ^ fmix(d));
  let w = 0;
  for (let i = n - 1; i >= 4 * k; i--) w = (w << 8) | (bytes[i] as number);
  return finish52(a ^ fmix(Math.imul(c ^ w, 0x01000193)), b ^ fmix(Math.imul(d ^ w, 0x5bd1e995)));
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
  signatureInto(out, offset, wh);
}

/** Word hashes of the current row, reused from row to row. */
const asciiWordHashes: number[] = [];

/**
 * `minhashInto` of `parts.join('\n')` when the parts hold printable ASCII only (`hintsOfRecord`),
 * without lowercasing, splitting or joining: each word is hashed (`fnv1a` of its lowercase) as it
 * is scanned, split at spaces and between parts, the only white space such text has. Words past
 * the last shingle are not hashed.
 */
export function minhashAsciiPartsInto(out: Uint32Array, offset: number, parts: readonly string[]): void {
  const wh = asciiWordHashes;
  wh.length = 0;
  for (const t of parts) {
    let h = 0x811c9dc5;
    let inWord = false;
    for (let i = 0; i < t.length && wh.length < MAX_SHINGLES + 2; i++) {
      const c = t.charCodeAt(i);
      if (c === 32) {
        if (inWord) wh.push(h >>> 0);
        h = 0x811c9dc5;
        inWord = false;
        continue;
      }
      h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), 0x01000193);
      inWord = true;
    }
    if (inWord && wh.length < MAX_SHINGLES + 2) wh.push(h >>> 0);
  }
  signatureInto(out, offset, wh);
}

/** The signature of a row from the hashes of its words, in order. */
function signatureInto(out: Uint32Array, offset: number, wh: readonly number[]): void {
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

/** The share of hashes on which the signatures of rows `a` and `b` agree. */
function agreement(sigs: Uint32Array, a: number, b: number): number {
  let same = 0;
  for (let p = 0; p < MINHASH_PERMS; p++)
    if (sigs[a * MINHASH_PERMS + p] === sigs[b * MINHASH_PERMS + p]) same++;
  return same / MINHASH_PERMS;
}

/**
 * Pairs (i, j), i < j, whose signatures agree on at least `threshold` of the hashes. Per band,
 * rows with the same band hash form a bucket and each is compared with the bucket's first row;
 * buckets live in one open-addressing table of typed arrays, not a Map of arrays (20 000 rows:
 * 320 000 Map entries and arrays, ~0.2 s, on the main thread after the workers end). Pairs come
 * in the order of `findNearDuplicatePairsNaive`, its reference twin.
 */
export function findNearDuplicatePairs(
  sigs: Uint32Array,
  count: number,
  threshold = 0.8,
): [number, number, number][] {
  const pairs = new Map<number, [number, number, number]>();
  let size = 2;
  while (size < 2 * count) size *= 2;
  const mask = size - 1;
  const bandHashes = new Int32Array(size);
  /** First row of the bucket in each slot, plus one (0: an empty slot). */
  const firstRows = new Int32Array(size);
  const candidates: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    firstRows.fill(0);
    candidates.length = 0;
    for (let i = 0; i < count; i++) {
      let h = b;
      for (let r = 0; r < ROWS; r++) h = mix(h, sigs[i * MINHASH_PERMS + b * ROWS + r] as number);
      let slot = h & mask;
      while (firstRows[slot] !== 0 && bandHashes[slot] !== (h | 0)) slot = (slot + 1) & mask;
      const first = firstRows[slot] as number;
      if (first === 0) {
        firstRows[slot] = i + 1;
        bandHashes[slot] = h;
      } else candidates.push((first - 1) * 4294967296 + i);
    }
    // By first row, then row: the order in which the twin walks its buckets.
    candidates.sort((x, y) => x - y);
    for (const key of candidates) {
      if (pairs.has(key)) continue;
      const j0 = Math.floor(key / 4294967296);
      const j = key % 4294967296;
      const sim = agreement(sigs, j0, j);
      if (sim >= threshold) pairs.set(key, [j0, j, sim]);
    }
  }
  return [...pairs.values()];
}

/** The reference twin of `findNearDuplicatePairs`: a Map of row lists per band. */
export function findNearDuplicatePairsNaive(
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
        const sim = agreement(sigs, j0, j);
        if (sim >= threshold) pairs.set(key, [j0, j, sim]);
      }
    }
  }
  return [...pairs.values()];
}
