import { describe, expect, test } from 'vitest';
import { diffText } from './diff-text.js';

describe('diffText', () => {
  const cases = [
    { name: 'identical', a: 'x\ny', b: 'x\ny', ops: ['= x', '= y'] },
    { name: 'one line changed', a: 'a\nb\nc', b: 'a\nB\nc', ops: ['= a', '- b', '+ B', '= c'] },
    { name: 'line added at end', a: 'a', b: 'a\nb', ops: ['= a', '+ b'] },
    { name: 'line removed at start', a: 'a\nb', b: 'b', ops: ['- a', '= b'] },
    { name: 'empty to text', a: '', b: 'x', ops: ['- ', '+ x'] },
  ];
  test.each(cases)('$name', ({ a, b, ops }) => {
    const sign = { equal: '=', add: '+', remove: '-' } as const;
    expect(diffText(a, b).map((l) => `${sign[l.op]} ${l.text}`)).toEqual(ops);
  });
});
