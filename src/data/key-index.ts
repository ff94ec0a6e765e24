/** Marks a free slot: keys are hashes in [0, 2^52). */
const FREE = -1;

/**
 * A first-seen index from 52-bit hash keys (`hashBytes52`, `hashKeys52`, `hash52`) to a number
 * (where the key was first seen, `file * 2^32 + line`): open addressing with linear probing over
 * two typed arrays, kept at most half full. A Map of the same keys holds a heap number per key,
 * which every GC walks and which a growing Map rehashes; this holds nothing for the GC to trace.
 * A `Map` is its reference twin (a test compares them).
 */
export class KeyIndex {
  private keys: Float64Array;
  private values: Float64Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1024) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, 2 * capacity)));
    this.keys = new Float64Array(slots).fill(FREE);
    this.values = new Float64Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value stored under `key`, or undefined. */
  get(key: number): number | undefined {
    for (let i = slotOf(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === key) return this.values[i];
      if (k === FREE) return undefined;
    }
  }

  /** Stores `value` under `key` unless the key is there; returns the value already stored, or undefined. */
  setIfAbsent(key: number, value: number): number | undefined {
    for (let i = slotOf(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === key) return this.values[i];
      if (k === FREE) {
        this.keys[i] = key;
        this.values[i] = value;
        if (++this.count * 2 > this.keys.length) this.grow();
        return undefined;
      }
    }
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2).fill(FREE);
    this.values = new Float64Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j] as number;
      if (key === FREE) continue;
      let i = slotOf(key) & this.mask;
      while (this.keys[i] !== FREE) i = (i + 1) & this.mask;
      this.keys[i] = key;
      this.values[i] = values[j] as number;
    }
  }
}

/** Both halves of the key folded and mixed (murmur3's finalizer steps), so any bits can pick the slot. */
function slotOf(key: number): number {
  let h = (key >>> 0) ^ ((key / 0x100000000) | 0);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}
