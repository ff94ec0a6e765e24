import { describe, expect, test } from 'vitest';
import { parseTelegramHtml, parseTelegramMarkdownV2 } from '../../tests/helpers/fake-telegram.js';
import { type NotifyMessage, renderMessage } from './message.js';

const tricky = 'A <b>bold</b> claim & x_1 *star* [ref](x) 1.5-2 `code` 한국어 요약!';

describe('renderMessage', () => {
  const message: NotifyMessage = {
    paragraphs: [
      [{ bold: tricky }],
      [tricky, ' ', { italic: tricky }, ' ', { code: 'a`b\\c<d>' }],
      [{ link: tricky, href: 'https://arxiv.org/abs/2401.00001?x=1&y=(2)' }],
      [{ link: 'evil', href: 'javascript:alert(1)' }],
    ],
  };

  test('HTML: every run arrives as the same text', () => {
    const visible = parseTelegramHtml(renderMessage(message, 'html'));
    expect(visible.split('\n\n')).toEqual([
      tricky,
      `${tricky} ${tricky} a\`b\\c<d>`,
      tricky,
      'evil (javascript:alert(1))',
    ]);
  });

  test('MarkdownV2: every run arrives as the same text', () => {
    const visible = parseTelegramMarkdownV2(renderMessage(message, 'markdownv2'));
    expect(visible.split('\n\n')).toEqual([
      tricky,
      `${tricky} ${tricky} a\`b\\c<d>`,
      tricky,
      'evil (javascript:alert(1))',
    ]);
  });

  test('a javascript: link is never rendered as a link', () => {
    expect(renderMessage(message, 'html')).not.toContain('href="javascript');
    expect(renderMessage(message, 'markdownv2')).not.toContain('](javascript');
    expect(renderMessage(message, 'slack')).not.toContain('<javascript');
  });

  test('Slack: reserved characters are escaped', () => {
    expect(renderMessage({ paragraphs: [['<!channel> & co']] }, 'slack')).toBe('&lt;!channel&gt; &amp; co');
  });
});
