// Sequence packing: put variable-length sequences into rows of `capacity` tokens.
// Strategies: global best-fit-decreasing (segment tree over remaining capacity, O(n log C) after a
// counting sort) with an exact-fit re-pack while it is above the L2 bound, first-fit-decreasing
// (segment tree over bins, O(n log n)), padding-free next-fit in arrival order, and plain padding
// (one sequence per row). Naive twins for tests.

import { TrainError } from './errors.js';
import type { PackingStrategy } from './recipe.js';

/** Bins in CSR form: the items of row r are order[rowStart[r] .. rowStart[r+1]). */
export interface Packing {
  strategy: PackingStrategy;
  capacity: number;
  rows: number;
  rowStart: Int32Array; // (rows + 1)
  order: Int32Array; // (n) item indices grouped by row
  used: Int32Array; // (rows) tokens in each row
}

function checkLengths(lengths: ArrayLike<number>, capacity: number): void {
  if (!Number.isInteger(capacity) || capacity <= 0)
    throw new TrainError('AB_TRAIN_PACKING_INPUT', `capacity ${capacity} must be a positive integer`, {
      field: 'capacity',
    });
  for (let i = 0; i < lengths.length; i++) {
    const l = lengths[i] as number;
    if (!Number.isInteger(l) || l <= 0 || l > capacity)
      throw new TrainError(
        'AB_TRAIN_PACKING_INPUT',
        `sequence ${i} has length ${l}; lengths must be integers in [1, ${capacity}] (truncate to max_length first)`,
        { field: `lengths[${i}]` },
      );
  }
}

/** Item indices sorted by length, longest first, ties by index (counting sort: O(n + C)). */
export function sortDecreasing(lengths: ArrayLike<number>, capacity: number): Int32Array {
  const count = new Int32Array(capacity + 2);
  for (let i = 0; i < lengths.length; i++)
    count[capacity - (lengths[i] as number)] = (count[capacity - (lengths[i] as number)] as number) + 1;
  let acc = 0;
  for (let k = 0; k < count.length; k++) {
    const c = count[k] as number;
    count[k] = acc;
    acc += c;
  }
  const out = new Int32Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) {
    const k = capacity - (lengths[i] as number);
    out[count[k] as number] = i;
    count[k] = (count[k] as number) + 1;
  }
  return out;
}

/** Builds the CSR form from a bin id per item (bins numbered in opening order). */
function toPacking(
  strategy: PackingStrategy,
  capacity: number,
  lengths: ArrayLike<number>,
  binOf: Int32Array,
  rows: number,
  visit: Int32Array,
): Packing {
  const rowStart = new Int32Array(rows + 1);
  const used = new Int32Array(rows);
  for (let i = 0; i < binOf.length; i++) {
    rowStart[(binOf[i] as number) + 1] = (rowStart[(binOf[i] as number) + 1] as number) + 1;
    used[binOf[i] as number] = (used[binOf[i] as number] as number) + (lengths[i] as number);
  }
  for (let r = 0; r < rows; r++) rowStart[r + 1] = (rowStart[r + 1] as number) + (rowStart[r] as number);
  const fill = rowStart.slice(0, rows);
  const order = new Int32Array(binOf.length);
  // Items keep the order they were placed in (longest first for the decreasing strategies).
  for (const i of visit) {
    const b = binOf[i] as number;
    order[fill[b] as number] = i;
    fill[b] = (fill[b] as number) + 1;
  }
  return { strategy, capacity, rows, rowStart, order, used };
}

/**
 * Best-fit-decreasing over all sequences at once: each sequence, longest first, goes to the open
 * row with the least remaining room that still fits it. A segment tree indexed by remaining
 * capacity (0..C) counts open rows per value; rows with equal room are kept in a stack.
 */
export function packBestFitDecreasing(lengths: ArrayLike<number>, capacity: number): Packing {
  checkLengths(lengths, capacity);
  const n = lengths.length;
  const sorted = sortDecreasing(lengths, capacity);
  let size = 1;
  while (size < capacity + 1) size <<= 1;
  const tree = new Int32Array(2 * size); // counts of open rows per remaining capacity
  // Rows with remaining capacity r form a linked stack: head[r] -> next[row] -> ...
  const head = new Int32Array(capacity + 1).fill(-1);
  const next = new Int32Array(n);
  const room = new Int32Array(n);
  const binOf = new Int32Array(n);
  let rows = 0;
  const add = (r: number, d: number) => {
    for (let i = r + size; i >= 1; i >>= 1) tree[i] = (tree[i] as number) + d;
  };
  /** Smallest remaining capacity >= s with an open row, or -1. */
  const findAtLeast = (s: number): number => {
    // Walk up from leaf s collecting right siblings; then descend into the first non-empty one.
    let i = s + size;
    if ((tree[i] as number) > 0) return s;
    for (;;) {
      if (i === 1) return -1;
      if ((i & 1) === 0 && (tree[i + 1] as number) > 0) {
        i = i + 1;
        break;
      }
      i >>= 1;
    }
    while (i < size) i = (tree[2 * i] as number) > 0 ? 2 * i : 2 * i + 1;
    return i - size;
  };
  for (const item of sorted) {
    const l = lengths[item] as number;
    const r = findAtLeast(l);
    let bin: number;
    if (r < 0) {
      bin = rows++;
      room[bin] = capacity;
    } else {
      bin = head[r] as number;
      head[r] = next[bin] as number;
      add(r, -1);
    }
    binOf[item] = bin;
    const left = (room[bin] as number) - l;
    room[bin] = left;
    if (left > 0) {
      next[bin] = head[left] as number;
      head[left] = bin;
      add(left, 1);
    }
  }
  return toPacking('bfd', capacity, lengths, binOf, rows, sorted);
}

/**
 * Lengths waiting to be placed by the exact-fit re-pack: a count per length, the item indices
 * grouped by length, and two bitsets over lengths, `present` (bit l) and `mirrored` (bit C - l).
 * "Is there a pair a + b = r" is then a word-wise AND of `present` with `mirrored` shifted by
 * C - r, 32 lengths at a time, instead of a scan over every a.
 */
export class LengthPool {
  readonly count: Int32Array; // (C + 1) items left per length
  private readonly first: Int32Array; // (C + 1) where each length's items start in `items`
  private readonly present: Uint32Array;
  private readonly mirrored: Uint32Array;

  /** `items` sorted by decreasing length (as sortDecreasing gives them), so each length's items are contiguous. */
  constructor(
    lengths: ArrayLike<number>,
    private readonly items: Int32Array,
    private readonly C: number,
  ) {
    this.count = new Int32Array(C + 1);
    this.first = new Int32Array(C + 1);
    for (let k = 0; k < items.length; k++) {
      const l = lengths[items[k] as number] as number;
      if (!this.count[l]) this.first[l] = k;
      this.count[l] = (this.count[l] as number) + 1;
    }
    // Two spare words: a read shifted past bit C stays in bounds and sees zeros.
    this.present = new Uint32Array((C >>> 5) + 3);
    this.mirrored = new Uint32Array((C >>> 5) + 3);
    for (let l = 1; l <= C; l++) {
      if (!this.count[l]) continue;
      this.present[l >>> 5] = (this.present[l >>> 5] as number) | (1 << (l & 31));
      this.mirrored[(C - l) >>> 5] = (this.mirrored[(C - l) >>> 5] as number) | (1 << ((C - l) & 31));
    }
  }

  /** Removes one item of length l (count[l] > 0) and returns its index. */
  take(l: number): number {
    const c = (this.count[l] as number) - 1;
    this.count[l] = c;
    if (c === 0) {
      const m = this.C - l;
      this.present[l >>> 5] = (this.present[l >>> 5] as number) & ~(1 << (l & 31));
      this.mirrored[m >>> 5] = (this.mirrored[m >>> 5] as number) & ~(1 << (m & 31));
    }
    return this.items[(this.first[l] as number) + c] as number;
  }

  /** The longest length <= x that has an item left, or -1. */
  longestAtMost(x: number): number {
    if (x < 1) return -1;
    const top = Math.min(x, this.C);
    let w = top >>> 5;
    let m = (this.present[w] as number) & (0xffffffff >>> (31 - (top & 31)));
    while (m === 0) {
      if (--w < 0) return -1;
      m = this.present[w] as number;
    }
    return (w << 5) + 31 - Math.clz32(m);
  }

  /** The largest a <= r/2 such that items of lengths a and r - a are both left (two if equal), or -1. */
  pairSummingTo(r: number): number {
    const shift = this.C - r; // b = r - a is left  <=>  bit a + shift of `mirrored`
    const half = r >>> 1;
    for (let w = half >>> 5; w >= 0; w--) {
      const at = (w << 5) + shift;
      const low = (this.mirrored[at >>> 5] as number) >>> (at & 31);
      const high = at & 31 ? (this.mirrored[(at >>> 5) + 1] as number) << (32 - (at & 31)) : 0;
      let m = (this.present[w] as number) & (low | high);
      if (w === half >>> 5) m &= 0xffffffff >>> (31 - (half & 31));
      while (m !== 0) {
        const bit = 31 - Math.clz32(m);
        const a = (w << 5) + bit;
        if (2 * a !== r || (this.count[a] as number) >= 2) return a;
        m &= ~(1 << bit);
      }
    }
    return -1;
  }
}

/**
 * Exact-fit packing of the items in `pool` (sorted by decreasing length): each row starts with the longest item left and closes
 * as soon as one item, or a pair, fills its remaining room exactly; otherwise it takes the longest
 * item that still leaves room for the shortest one left, and tries again. Writes each pool item's
 * row, numbered from firstRow, into binOf and returns the number of rows.
 */
function packExactFit(
  lengths: ArrayLike<number>,
  pool: Int32Array,
  capacity: number,
  binOf: Int32Array,
  firstRow: number,
): number {
  const left = new LengthPool(lengths, pool, capacity);
  let placed = 0;
  let shortest = 1;
  let row = firstRow;
  const put = (l: number) => {
    binOf[left.take(l)] = row;
    placed++;
  };
  while (placed < pool.length) {
    while (!left.count[shortest]) shortest++;
    const longest = left.longestAtMost(capacity);
    put(longest);
    let room = capacity - longest;
    while (room >= shortest) {
      if (left.count[room]) {
        put(room);
        break;
      }
      const a = left.pairSummingTo(room);
      if (a > 0) {
        put(a);
        put(room - a);
        break;
      }
      let next = left.longestAtMost(room - shortest);
      if (next < 0) next = left.longestAtMost(room);
      if (next < 0) break;
      put(next);
      room -= next;
      if (placed < pool.length) while (!left.count[shortest]) shortest++;
    }
    row++;
  }
  return row - firstRow;
}

/**
 * The improvement pass after best-fit-decreasing. BFD fills most rows exactly but, once the
 * short sequences run out, leaves rows a few tokens short that no remaining sequence fits
 * (gamma(5,20) @512: 0.34 pp below L2). Re-packing with exact fit (one item or a pair that
 * closes the row) fixes that: first only the items of the rows BFD left short, keeping its full
 * rows; when that does not reach the L2 bound, all items (the RL rollouts @8192 need complements
 * from rows BFD had already closed). The packing with the fewest rows wins, so it is never worse
 * than BFD. Rows come out full rows first, then in the order they were opened; items in a row
 * longest first, as in BFD.
 */
function repackExactFit(lengths: ArrayLike<number>, packing: Packing): Packing {
  const C = packing.capacity;
  const n = lengths.length;
  const bound = lowerBoundL2(lengths, C);
  if (packing.rows <= bound) return packing;
  const keptRow = new Int32Array(packing.rows).fill(-1);
  let kept = 0;
  for (let r = 0; r < packing.rows; r++) if (packing.used[r] === C) keptRow[r] = kept++;
  const short: number[] = [];
  const binOf = new Int32Array(n);
  for (let r = 0; r < packing.rows; r++) {
    const row = keptRow[r] as number;
    for (let k = packing.rowStart[r] as number; k < (packing.rowStart[r + 1] as number); k++) {
      const i = packing.order[k] as number;
      if (row < 0) short.push(i);
      else binOf[i] = row;
    }
  }
  const sorted = sortDecreasing(lengths, C);
  const shortOrder = sortDecreasing(
    short.map((i) => lengths[i] as number),
    C,
  );
  const shortPool = Int32Array.from(shortOrder, (k) => short[k] as number);
  let rows = kept + packExactFit(lengths, shortPool, C, binOf, kept);
  if (rows > bound) {
    // Short rows alone did not reach the bound: re-pack everything, into a separate row map.
    const binOfAll = new Int32Array(n);
    const rowsAll = packExactFit(lengths, sorted, C, binOfAll, 0);
    if (rowsAll < rows) {
      rows = rowsAll;
      binOf.set(binOfAll);
    }
  }
  return rows < packing.rows ? toPacking(packing.strategy, C, lengths, binOf, rows, sorted) : packing;
}

/** First-fit-decreasing: each sequence, longest first, goes to the earliest-opened row it fits (max tree over rows). */
export function packFirstFitDecreasing(lengths: ArrayLike<number>, capacity: number): Packing {
  checkLengths(lengths, capacity);
  const n = lengths.length;
  const sorted = sortDecreasing(lengths, capacity);
  let size = 1;
  while (size < Math.max(1, n)) size <<= 1;
  const tree = new Int32Array(2 * size); // max remaining capacity per subtree; unopened rows count as full
  tree.fill(capacity);
  const binOf = new Int32Array(n);
  let rows = 0;
  for (const item of sorted) {
    const l = lengths[item] as number;
    let i = 1;
    while (i < size) i = (tree[2 * i] as number) >= l ? 2 * i : 2 * i + 1;
    const bin = i - size;
    if (bin >= rows) rows = bin + 1;
    binOf[item] = bin;
    tree[i] = (tree[i] as number) - l;
    for (i >>= 1; i >= 1; i >>= 1) tree[i] = Math.max(tree[2 * i] as number, tree[2 * i + 1] as number);
  }
  return toPacking('ffd', capacity, lengths, binOf, rows, sorted);
}

/** Padding-free flattening: sequences in arrival order fill a row until the next one does not fit (next-fit). */
export function packPaddingFree(lengths: ArrayLike<number>, capacity: number): Packing {
  checkLengths(lengths, capacity);
  const n = lengths.length;
  const binOf = new Int32Array(n);
  let rows = 0;
  let room = 0;
  for (let i = 0; i < n; i++) {
    const l = lengths[i] as number;
    if (rows === 0 || l > room) {
      rows++;
      room = capacity;
    }
    binOf[i] = rows - 1;
    room -= l;
  }
  return toPacking(
    'padding_free',
    capacity,
    lengths,
    binOf,
    rows,
    Int32Array.from({ length: n }, (_, i) => i),
  );
}

/** Plain padding: one sequence per row of `capacity` tokens. */
export function packPadding(lengths: ArrayLike<number>, capacity: number): Packing {
  checkLengths(lengths, capacity);
  const n = lengths.length;
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  return toPacking('padding', capacity, lengths, idx, n, idx);
}

export function packSequences(
  lengths: ArrayLike<number>,
  capacity: number,
  strategy: PackingStrategy = 'bfd',
): Packing {
  switch (strategy) {
    case 'bfd':
      return repackExactFit(lengths, packBestFitDecreasing(lengths, capacity));
    case 'ffd':
      return packFirstFitDecreasing(lengths, capacity);
    case 'padding_free':
      return packPaddingFree(lengths, capacity);
    case 'padding':
      return packPadding(lengths, capacity);
  }
}

/** The naive twin of packBestFitDecreasing: a linear scan over open rows per item, O(n · rows). */
export function packBestFitDecreasingNaive(lengths: ArrayLike<number>, capacity: number): number[][] {
  checkLengths(lengths, capacity);
  const sorted = sortDecreasing(lengths, capacity);
  const bins: { room: number; items: number[] }[] = [];
  for (const item of sorted) {
    const l = lengths[item] as number;
    let best = -1;
    for (let b = 0; b < bins.length; b++) {
      const room = (bins[b] as { room: number }).room;
      if (room >= l && (best < 0 || room < (bins[best] as { room: number }).room)) best = b;
    }
    if (best < 0) {
      bins.push({ room: capacity, items: [] });
      best = bins.length - 1;
    }
    const bin = bins[best] as { room: number; items: number[] };
    bin.room -= l;
    bin.items.push(item);
  }
  return bins.map((b) => b.items);
}

/** ⌈Σℓ / C⌉: no packing uses fewer rows. */
export function lowerBoundL1(lengths: ArrayLike<number>, capacity: number): number {
  let sum = 0;
  for (let i = 0; i < lengths.length; i++) sum += lengths[i] as number;
  return Math.ceil(sum / capacity);
}

/**
 * Martello & Toth's L2 bound (1990): for each α in [0, C/2], items longer than C-α need their own
 * row, items in (C/2, C-α] each need a row too, and items in [α, C/2] fill what those rows leave
 * before needing more. O(n + C) with a length histogram and prefix sums.
 */
export function lowerBoundL2(lengths: ArrayLike<number>, capacity: number): number {
  const C = capacity;
  const cnt = new Float64Array(C + 2);
  const sum = new Float64Array(C + 2);
  for (let i = 0; i < lengths.length; i++) {
    const l = lengths[i] as number;
    cnt[l] = (cnt[l] as number) + 1;
    sum[l] = (sum[l] as number) + l;
  }
  // Prefix sums over lengths 0..k.
  for (let k = 1; k <= C + 1; k++) {
    cnt[k] = (cnt[k] as number) + (cnt[k - 1] as number);
    sum[k] = (sum[k] as number) + (sum[k - 1] as number);
  }
  const rangeCnt = (a: number, b: number) =>
    b < a ? 0 : (cnt[b] as number) - (a > 0 ? (cnt[a - 1] as number) : 0);
  const rangeSum = (a: number, b: number) =>
    b < a ? 0 : (sum[b] as number) - (a > 0 ? (sum[a - 1] as number) : 0);
  const half = Math.floor(C / 2);
  let best = lowerBoundL1(lengths, capacity);
  for (let alpha = 0; alpha <= half; alpha++) {
    const j1 = rangeCnt(C - alpha + 1, C);
    const j2 = rangeCnt(half + 1, C - alpha);
    const j2Room = j2 * C - rangeSum(half + 1, C - alpha);
    const j3Sum = rangeSum(Math.max(alpha, 1), half);
    const extra = Math.max(0, Math.ceil((j3Sum - j2Room) / C));
    best = Math.max(best, j1 + j2 + extra);
  }
  return best;
}

export interface PackingReport {
  strategy: PackingStrategy;
  capacity: number;
  sequences: number;
  tokens: number;
  rows: number;
  /** tokens / (rows · capacity). */
  efficiency: number;
  lowerBoundL1: number;
  lowerBoundL2: number;
  /** The efficiency a packing with exactly that many rows would have. */
  efficiencyL1: number;
  efficiencyL2: number;
  /** How far below the L2 efficiency this packing is, in percentage points. */
  gapToL2Pp: number;
}

export function packingReport(lengths: ArrayLike<number>, packing: Packing): PackingReport {
  const C = packing.capacity;
  let tokens = 0;
  for (let i = 0; i < lengths.length; i++) tokens += lengths[i] as number;
  const l1 = lowerBoundL1(lengths, C);
  const l2 = lowerBoundL2(lengths, C);
  const eff = (rows: number) => (rows ? tokens / (rows * C) : 1);
  return {
    strategy: packing.strategy,
    capacity: C,
    sequences: lengths.length,
    tokens,
    rows: packing.rows,
    efficiency: eff(packing.rows),
    lowerBoundL1: l1,
    lowerBoundL2: l2,
    efficiencyL1: eff(l1),
    efficiencyL2: eff(l2),
    gapToL2Pp: (eff(l2) - eff(packing.rows)) * 100,
  };
}
