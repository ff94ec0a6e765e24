/**
 * Python's `random.Random` (MT19937 seeded the way CPython seeds it from an int), enough of it
 * to reproduce lm-evaluation-harness's few-shot sampler: `random.Random(seed).sample(docs, n)`.
 * Checked against CPython 3 outputs in python-random.test.ts.
 */
export class PythonRandom {
  private readonly mt = new Uint32Array(624);
  private index = 625;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** `random.seed(int)`: init_by_array over the 32-bit words of |seed|, least significant first. */
  seed(seed: number): void {
    let n = BigInt(Math.abs(Math.trunc(seed)));
    const key: number[] = [];
    do {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    } while (n > 0n);
    this.initGenrand(19650218);
    const mt = this.mt;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = (mt[i - 1] as number) ^ ((mt[i - 1] as number) >>> 30);
      mt[i] = ((mt[i] as number) ^ Math.imul(prev, 1664525)) + (key[j] as number) + j;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623] as number;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const prev = (mt[i - 1] as number) ^ ((mt[i - 1] as number) >>> 30);
      mt[i] = ((mt[i] as number) ^ Math.imul(prev, 1566083941)) - i;
      i++;
      if (i >= 624) {
        mt[0] = mt[623] as number;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = 624;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = (mt[i - 1] as number) ^ ((mt[i - 1] as number) >>> 30);
      mt[i] = Math.imul(prev, 1812433253) + i;
    }
    this.index = 624;
  }

  /** genrand_uint32 */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = ((mt[k] as number) & 0x80000000) | ((mt[(k + 1) % 624] as number) & 0x7fffffff);
        mt[k] = (mt[(k + 397) % 624] as number) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.random()`: 53-bit float in [0, 1). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `getrandbits(k)` for 0 < k <= 32. */
  private getrandbits(k: number): number {
    return this.nextUint32() >>> (32 - k);
  }

  /** `_randbelow_with_getrandbits(n)`: rejection sampling on n.bit_length() bits. */
  randbelow(n: number): number {
    if (n <= 0) return 0;
    if (n > 2 ** 32) throw new Error(`randbelow: ${n} is beyond 32 bits`);
    const k = Math.floor(Math.log2(n)) + 1;
    let r = this.getrandbits(Math.min(k, 32));
    while (r >= n) r = this.getrandbits(Math.min(k, 32));
    return r;
  }

  /** `random.sample(population, k)`, CPython's two branches included (pool vs. selected set). */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (k < 0 || k > n) throw new Error(`sample larger than population (${k} > ${n})`);
    const result: T[] = [];
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = [...population];
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result.push(pool[j] as T);
        pool[j] = pool[n - i - 1] as T;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result.push(population[j] as T);
      }
    }
    return result;
  }

  /** `random.shuffle(x)` in place. */
  shuffle<T>(x: T[]): T[] {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      [x[i], x[j]] = [x[j] as T, x[i] as T];
    }
    return x;
  }
}
