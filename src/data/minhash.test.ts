import { expect, test } from 'vitest';
import { findNearDuplicatePairs, MINHASH_PERMS, minhashAsciiPartsInto, minhashInto } from './minhash.js';

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
