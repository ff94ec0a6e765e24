import { expect, test } from 'vitest';
import { applyFilter } from './apply-filters.js';
import { exactMatch } from './score-metrics.js';

const strict = {
  name: 'strict-match',
  steps: [
    { function: 'regex' as const, pattern: '#### (\\-?[0-9\\.\\,]+)', groupSelect: 0, fallback: '[invalid]' },
    { function: 'take_first' as const },
  ],
};
const flexible = {
  name: 'flexible-extract',
  steps: [
    {
      function: 'regex' as const,
      pattern: '(-?[$0-9.,]{2,})|(-?[0-9]+)',
      groupSelect: -1,
      fallback: '[invalid]',
    },
    { function: 'take_first' as const },
  ],
};
const vote = {
  name: 'maj',
  steps: [
    { function: 'regex' as const, pattern: 'answer is (\\d+)', groupSelect: 0, fallback: '[invalid]' },
    { function: 'majority_vote' as const },
  ],
};

test.each([
  ['strict finds the #### answer', strict, ['so 3+4 = 7\n#### 7'], '7'],
  ['strict falls back when absent', strict, ['the answer is 7'], '[invalid]'],
  ['flexible takes the last number (tuple groups)', flexible, ['first 12 then $1,234.'], '$1,234.'],
  ['flexible single digit via second group', flexible, ['x = 5 apples'], '5'],
  ['majority vote over repeats', vote, ['answer is 3', 'answer is 4', 'answer is 4'], '4'],
  ['majority tie goes to the first seen', vote, ['answer is 3', 'answer is 4'], '3'],
])('%s', (_name, filter, responses, expected) => {
  expect(applyFilter(filter, responses)).toBe(expected);
});

const gsm8kEm = {
  metric: 'exact_match' as const,
  ignoreCase: true,
  ignorePunctuation: false,
  regexesToIgnore: [',', '\\$', '(?s).*#### ', '\\.$'],
};
test.each([
  ['gsm8k reference after ####, commas and $ ignored', '$1,234.', 'Long\nreasoning\n#### 1234', 1],
  ['wrong number', '12', 'x\n#### 13', 0],
  ['invalid never matches', '[invalid]', 'x\n#### 13', 0],
  ['ignore case', 'ABC', 'abc', 1],
])('exact_match: %s', (_name, pred, ref, expected) => {
  expect(exactMatch(pred, ref, gsm8kEm)).toBe(expected);
});

test('ignore_punctuation drops string.punctuation', () => {
  expect(
    exactMatch('a.b!', 'ab', {
      metric: 'exact_match',
      ignoreCase: false,
      ignorePunctuation: true,
      regexesToIgnore: [],
    }),
  ).toBe(1);
});
