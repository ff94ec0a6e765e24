import { expect, test } from 'vitest';
import { assertComparable, buildContract, diffContracts, hashContract } from './build-contract.js';
import { buildSamples } from './build-samples.js';
import { type TaskSpec, TaskSpecSchema } from './schemas.js';

const base: TaskSpec = TaskSpecSchema.parse({
  format: 'alignboard-task/1',
  name: 'toy',
  outputType: 'generate_until',
  dataset: { path: '/data/toy', testSplit: 'test' },
  docToText: 'Q: {{q}}\nA:',
  docToTarget: '{{a}}',
  metrics: [{ metric: 'exact_match' }],
});
const docs = [
  { q: '1+1', a: '2' },
  { q: '2+2', a: '4' },
];

function contractOf(spec: TaskSpec) {
  return buildContract(spec, buildSamples(spec, docs, []));
}

test('the same process hashes the same; any change changes the hash', () => {
  expect(hashContract(contractOf(base))).toBe(hashContract(contractOf(base)));
  const hot = { ...base, generation: { ...base.generation, temperature: 0.7 } };
  expect(hashContract(contractOf(hot))).not.toBe(hashContract(contractOf(base)));
});

test('runs that differ only in temperature are refused, naming temperature', () => {
  const hot = { ...base, generation: { ...base.generation, temperature: 0.7 } };
  expect(diffContracts(contractOf(base), contractOf(hot)).map((d) => d.field)).toEqual([
    'decoding.temperature',
  ]);
  expect(() => assertComparable(contractOf(base), contractOf(hot))).toThrow(
    expect.objectContaining({
      code: 'AB_EVAL_INCOMPARABLE',
      message: expect.stringContaining('decoding.temperature differs (0 vs 0.7)'),
    }),
  );
});

test.each([
  [
    'few-shot delimiter',
    { ...base, fewshot: { ...base.fewshot, delimiter: '\n' } },
    'prompt.fewshotDelimiter',
  ],
  ['prompt template', { ...base, docToText: 'Question: {{q}}\nAnswer:' }, 'prompt.docToText'],
  ['system prompt', { ...base, chat: { enabled: false, systemPrompt: 'Be brief.' } }, 'chat.systemPrompt'],
  [
    'reasoning stripping',
    { ...base, reasoning: { strip: true, openTag: '<think>', closeTag: '</think>' } },
    'scoring.reasoning.strip',
  ],
])('a different %s is named', (_name, spec, field) => {
  expect(diffContracts(contractOf(base), contractOf(spec as TaskSpec)).map((d) => d.field)).toContain(field);
});

test('different dataset content is named', () => {
  const other = buildContract(
    base,
    buildSamples(base, [{ q: '1+1', a: '3' }, docs[1] as (typeof docs)[number]], []),
  );
  expect(diffContracts(contractOf(base), other).map((d) => d.field)).toEqual(['dataset.contentHash']);
});
