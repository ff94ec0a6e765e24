import { expect, test } from 'vitest';
import { findNearDuplicatePairs, MINHASH_PERMS, minhashInto } from './minhash.js';

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
