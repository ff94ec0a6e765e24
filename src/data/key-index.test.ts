import { expect, test } from 'vitest';
import { seededRandom } from '../../tests/helpers/jsonl.js';
import { KeyIndex } from './key-index.js';

test('KeyIndex answers what a Map (its reference twin) answers, first value kept, through growth', () => {
  const rand = seededRandom(7);
  const index = new KeyIndex(4);
  const map = new Map<number, number>();
  // Random 52-bit keys, keys sharing their low or high 32 bits, 0 and the largest key.
  const keys: number[] = [0, 2 ** 52 - 1];
  for (let i = 0; i < 30_000; i++) keys.push(Math.floor(rand() * 2 ** 52));
  for (let i = 0; i < 2_000; i++) keys.push(i * 2 ** 32 + 12345, 777 * 2 ** 32 + i);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[Math.floor(rand() * keys.length)] as number; // repeats on purpose
    const fromMap = map.get(k);
    if (fromMap === undefined) map.set(k, i);
    expect(index.setIfAbsent(k, i)).toBe(fromMap);
  }
  expect(index.size).toBe(map.size);
  for (const k of keys) expect(index.get(k)).toBe(map.get(k));
  for (let i = 0; i < 1000; i++) {
    const absent = 2 ** 52 + i; // never stored
    expect(index.get(absent)).toBeUndefined();
  }
});
