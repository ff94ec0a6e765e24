import { expect, test } from 'vitest';
import { PythonRandom } from './python-random.js';

// Expected values printed by CPython 3.12:
//   r = random.Random(1234); [r.sample(range(7473), 5) for _ in range(3)]
//   r = random.Random(42); r.sample(range(10), 4), r.random()
//   random.Random(2**40 + 7).sample(range(100), 3)
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test.each([
  [
    'lm-eval default seed, gsm8k train pool (set branch)',
    1234,
    7473,
    [
      [6374, 3610, 957, 61, 742],
      [7462, 6610, 4769, 286, 5501],
      [5677, 687, 806, 6279, 2905],
    ],
  ],
])('%s', (_name, seed, n, expected) => {
  const r = new PythonRandom(seed);
  const got = expected.map((e) => r.sample(range(n), e.length));
  expect(got).toEqual(expected);
});

test('small population (pool branch), random() and a multi-word seed match CPython', () => {
  const r = new PythonRandom(42);
  expect(r.sample(range(10), 4)).toEqual([1, 0, 4, 9]);
  expect(r.random()).toBe(0.22321073814882275);
  expect(new PythonRandom(2 ** 40 + 7).sample(range(100), 3)).toEqual([78, 95, 81]);
});
