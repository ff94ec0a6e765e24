import { expect, test } from 'vitest';
import {
  findNearDuplicatePairs,
  findNearDuplicatePairsNaive,
  MINHASH_PERMS,
  minhashAsciiPartsInto,
  minhashInto,
} from './minhash.js';

test('near-duplicate rows pair up, distinct rows do not', () => {
  const base =
    'the quick brown fox jumps over the lazy dog while the farmer paints a silver bridge near the quiet harbor in early winter';
  const texts = [
    base,
    `${base} today`,
    'completely different words about planets and oceans and music played by a careful teacher in the north valley',
  ];
  const sigs = new Uint32Array(texts.length * MINHASH_PERMS);
  texts.forEach((t, i) => {
    minhashInto(sigs, i * MINHASH_PERMS, t);
  });
  const pairs = findNearDuplicatePairs(sigs, texts.length, 0.7);
  expect(pairs.map(([a, b]) => [a, b])).toEqual([[0, 1]]);
});

test('minhashAsciiPartsInto gives the signature minhashInto gives the joined parts', () => {
  const long = Array.from({ length: 700 }, (_, i) => `Word${i % 37}`).join(' ');
  const cases: string[][] = [
    ['The Quick brown fox', 'JUMPS over  the lazy dog. '],
    [' leading and trailing spaces ', '', 'x'],
    ['one'],
    [''],
    [],
    ['a b', 'c d', 'e f g h'],
    [long, 'after the cap'],
  ];
  for (const parts of cases) {
    const fast = new Uint32Array(MINHASH_PERMS);
    const slow = new Uint32Array(MINHASH_PERMS);
    minhashAsciiPartsInto(fast, 0, parts);
    minhashInto(slow, 0, parts.join('\n'));
    expect([...fast], JSON.stringify(parts).slice(0, 60)).toEqual([...slow]);
  }
});

test('findNearDuplicatePairs gives the pairs of findNearDuplicatePairsNaive, in its order', () => {
  // Rows in families: copies, one-word edits and rewrites of a few bases, shuffled, so buckets
  // hold several rows, band hashes collide in the table and pairs fall either side of the threshold.
  let seed = 7;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const vocabulary = 'alpha beta gamma delta river stone garden light window music paper ocean city'.split(
    ' ',
  );
  const sentence = (n: number) =>
    Array.from({ length: n }, () => vocabulary[Math.floor(rand() * 13)]).join(' ');
  const bases = Array.from({ length: 40 }, () => sentence(30));
  const texts = Array.from({ length: 3000 }, (_, i) => {
    const base = bases[i % bases.length] ?? '';
    const words = base.split(' ');
    const edits = Math.floor(rand() * 12);
    for (let e = 0; e < edits; e++) words[Math.floor(rand() * words.length)] = sentence(1);
    return i % 7 === 0 ? sentence(30) : words.join(' ');
  });
  const sigs = new Uint32Array(texts.length * MINHASH_PERMS);
  texts.forEach((t, i) => {
    minhashInto(sigs, i * MINHASH_PERMS, t);
  });
  for (const threshold of [0.5, 0.8, 1]) {
    const fast = findNearDuplicatePairs(sigs, texts.length, threshold);
    expect(fast.length, `threshold ${threshold}`).toBeGreaterThan(0);
    expect(fast).toEqual(findNearDuplicatePairsNaive(sigs, texts.length, threshold));
  }
  expect(findNearDuplicatePairs(sigs, 0)).toEqual([]);
  expect(findNearDuplicatePairs(sigs, 1)).toEqual([]);
});
