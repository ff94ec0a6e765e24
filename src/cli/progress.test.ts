import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createProgressBar } from './progress.js';

function captureStream(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream: w as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

test('off a terminal the bar prints throttled lines with counts and percentage, and a final line', () => {
  const out = captureStream();
  const bar = createProgressBar('inspect', { stream: out.stream, intervalMs: 60_000 });
  bar.setTotal(200);
  bar.update(1);
  bar.update(50, 'rows');
  bar.update(100);
  bar.stop();
  expect(out.text()).toBe('inspect: 1/200 0%\ninspect: 100/200 50% done\n');
});
