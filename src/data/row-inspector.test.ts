import { describe, expect, test } from 'vitest';
import { type FormatId, toExample } from './formats.js';
import { hash52, hash52Naive } from './minhash.js';
import { plainExample } from './row-inspector.js';
import { countScripts, languageOf, scanScripts } from './text-signals.js';

describe('fast paths of the row scan agree with their reference twins', () => {
  const rows: [string, FormatId, Record<string, unknown>][] = [
    ['preference', 'trl.preference', { prompt: 'Q?', chosen: 'A.', rejected: 'B.' }],
    [
      'preference with an extra field',
      'trl.preference',
      { prompt: 'Q?', chosen: 'A.', rejected: 'B.', id: 7 },
    ],
    ['preference, empty side', 'trl.preference', { prompt: 'Q?', chosen: '', rejected: 'B.' }],
    ['prompt-completion', 'trl.prompt_completion', { prompt: 'Q?', completion: 'A.' }],
  ];
  test.each(rows)('plainExample = toExample: %s', (_name, format, row) => {
    const { extra: _e, ...fast } = plainExample(format, row) ?? { extra: {} };
    const { extra: _x, ...slow } = toExample(format, row);
    expect(fast).toEqual(slow);
  });

  const other: [string, FormatId, Record<string, unknown>][] = [
    [
      'conversational preference',
      'trl.preference',
      { prompt: [{ role: 'user', content: 'Q' }], chosen: [], rejected: [] },
    ],
    ['implicit prompt', 'trl.preference', { chosen: 'A.', rejected: 'B.' }],
    ['chosen not a string', 'trl.preference', { prompt: 'Q', chosen: 1, rejected: 'B.' }],
    ['another format', 'openai.chat', { prompt: 'Q', messages: [] }],
  ];
  test.each(other)('plainExample leaves %s to toExample', (_name, format, row) => {
    expect(plainExample(format, row)).toBeUndefined();
  });

  test('scanScripts gives countScripts its counts and languageOf its language', () => {
    const texts = [
      'Plain English text with numbers 123.',
      'a',
      '',
      '   ',
      '한국어 문장입니다. with English',
      '모델 데이터 학습',
      'tab\tand\nnewline\r',
      'control \u0001 char',
      'mojibake Ã© here',
      'replacement \ufffd here',
    ];
    for (const t of texts) {
      const fast = scanScripts(t);
      const slow = countScripts(t);
      expect(languageOf(fast), t).toBe(languageOf(slow));
      expect({ ...fast, latin: Math.min(fast.latin, 2) }, t).toEqual({
        ...slow,
        latin: Math.min(slow.latin, 2),
      });
    }
  });

  test('hash52 separates what hash52Naive separates', () => {
    const texts = new Set<string>();
    for (let i = 0; i < 20_000; i++) texts.add(`{"prompt":"row ${i}","chosen":"${'x'.repeat(i % 7)}"}`);
    for (const t of ['', 'a', 'ab', 'ba', 'abc', 'acb', '가', '가나', '나가']) texts.add(t);
    const fast = new Set([...texts].map(hash52));
    const slow = new Set([...texts].map(hash52Naive));
    expect(fast.size).toBe(texts.size);
    expect(slow.size).toBe(texts.size);
    for (const t of texts) expect(Number.isSafeInteger(hash52(t))).toBe(true);
  });
});
