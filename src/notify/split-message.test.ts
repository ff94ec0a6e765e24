import { describe, expect, test } from 'vitest';
import { parseTelegramHtml, parseTelegramMarkdownV2 } from '../../tests/helpers/fake-telegram.js';
import { escapeHtml, escapeMarkdownV2 } from './message.js';
import { splitMessage } from './split-message.js';

const para = (n: number, word = 'word') => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

describe('splitMessage', () => {
  test.each([
    { name: 'short text stays whole', text: 'hello', limit: 100, parts: 1 },
    {
      name: 'paragraphs are kept whole when they fit',
      text: `${'a'.repeat(60)}\n\n${'b'.repeat(60)}`,
      limit: 100,
      parts: 2,
    },
    { name: 'a long line is cut at spaces', text: para(100), limit: 100, parts: 8 },
    { name: 'text with no break is cut anywhere', text: 'x'.repeat(250), limit: 100, parts: 3 },
  ])('$name', ({ text, limit, parts }) => {
    const out = splitMessage(text, { limit });
    expect(out).toHaveLength(parts);
    for (const p of out) expect(p.length).toBeLessThanOrEqual(limit);
    expect(out.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });

  test('prefers a paragraph break over a later line break', () => {
    const text = `${'a'.repeat(40)}\n\n${'b'.repeat(30)}\n${'c'.repeat(50)}`;
    expect(splitMessage(text, { limit: 100 })[0]).toBe('a'.repeat(40));
  });

  test('HTML: tags open at a cut are closed and reopened, entities stay whole, every part parses', () => {
    const body = escapeHtml(`${para(300, 'x<&_')}`);
    const text = `<b>Title &amp; more</b>\n\n<i>${body}</i>\n\n<a href="https://arxiv.org/abs/2401.00001">link</a>`;
    const parts = splitMessage(text, { limit: 300, format: 'HTML' });
    expect(parts.length).toBeGreaterThan(5);
    const visible = parts.map((p) => {
      expect(p.length).toBeLessThanOrEqual(300);
      return parseTelegramHtml(p);
    });
    expect(visible.join(' ').replace(/\s+/g, ' ')).toBe(
      `Title & more ${para(300, 'x<&_')} link`.replace(/\s+/g, ' '),
    );
    expect(parts[1]?.startsWith('<i>')).toBe(true);
  });

  test('surrogate pairs (emoji, rare Hangul) are never cut in half', () => {
    const text = '😀'.repeat(200);
    for (const p of splitMessage(text, { limit: 101 })) expect(p).not.toMatch(/[\ud800-\udbff]$/);
  });

  test('MarkdownV2: escapes are not split and bold reopens', () => {
    const body = escapeMarkdownV2(para(200, 'a_b.c-'));
    const text = `*${body}*`;
    const parts = splitMessage(text, { limit: 200, format: 'MarkdownV2' });
    expect(parts.length).toBeGreaterThan(3);
    const visible = parts.map((p) => parseTelegramMarkdownV2(p));
    expect(visible.join(' ').replace(/\s+/g, ' ')).toBe(para(200, 'a_b.c-'));
  });
});
