import { expect, test } from 'vitest';
import { evaluateTemplate, renderTemplate } from './render-template.js';

test.each([
  ['field', '{{question}}', { question: 'q?' }, 'q?'],
  [
    'python split/strip',
    "{{answer.split('####')[-1].strip() if answer is defined else target}}",
    { answer: 'x #### 42 ' },
    '42',
  ],
  [
    'undefined branch',
    "{{answer.split('####')[-1].strip() if answer is defined else target}}",
    { target: 't' },
    't',
  ],
  [
    'list.index shim',
    '{{choices.label.index(answerKey)}}',
    { choices: { label: ['A', 'B', 'C'] }, answerKey: 'C' },
    '2',
  ],
])('renders %s', (_name, template, doc, expected) => {
  expect(renderTemplate(template, doc)).toBe(expected);
});

test.each([
  ['list literal', '{{[sol1, sol2]}}', { sol1: 'a', sol2: 'b' }, ['a', 'b']],
  ['nested list field', '{{choices.text}}', { choices: { text: ['x', 'y'] } }, ['x', 'y']],
  [
    'index to number',
    '{{choices.label.index(answerKey)}}',
    { choices: { label: ['A', 'B'] }, answerKey: 'B' },
    1,
  ],
])('evaluates %s', (_name, template, doc, expected) => {
  expect(evaluateTemplate(template, doc)).toEqual(expected);
});

test.each([
  ['missing list item', '{{choices.index(k)}}', { choices: ['a'], k: 'z' }],
  ['syntax', '{{ unclosed', {}],
])('fails with AB_EVAL_TEMPLATE: %s', (_name, template, doc) => {
  expect(() => renderTemplate(template, doc, { file: 't.yaml', field: 'doc_to_text' })).toThrow(
    expect.objectContaining({ code: 'AB_EVAL_TEMPLATE', where: { file: 't.yaml', field: 'doc_to_text' } }),
  );
});
