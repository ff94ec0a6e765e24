import { expect, test } from 'vitest';
import { writeText } from '../../tests/helpers/jsonl.js';
import { readRowBatchesIter } from './read-rows.js';

test('JSONL batches cut inside each 1 MiB read keep every line number, blank and bad lines included', async () => {
  // ~3 MB: several reads of 1 MiB, each cut into batches of about 64 KiB.
  const lines: string[] = [];
  for (let i = 1; i <= 12_000; i++) {
    if (i % 997 === 0) lines.push('');
    else if (i % 1999 === 0) lines.push('{"broken": ');
    else lines.push(JSON.stringify({ n: i, text: `row ${i} ${'x'.repeat(i % 400)}` }));
  }
  const file = await writeText(`${lines.join('\n')}\n`, 'many.jsonl');
  const seen: { line: number; n?: unknown; bad: boolean }[] = [];
  let batches = 0;
  for await (const batch of readRowBatchesIter(file)) {
    batches++;
    for (const item of batch) seen.push({ line: item.line, n: item.row?.n, bad: item.issue !== undefined });
  }
  const expected = lines.flatMap((l, i) =>
    l === ''
      ? []
      : [{ line: i + 1, n: l.startsWith('{"n"') ? i + 1 : undefined, bad: !l.startsWith('{"n"') }],
  );
  expect(seen).toEqual(expected);
  expect(batches).toBeGreaterThan(30);

  // A byte range starting mid-file (as a worker reads it) counts its own lines from `firstLine`.
  const text = `${lines.join('\n')}\n`;
  const start = Buffer.byteLength(text.slice(0, text.indexOf('\n', text.length / 2) + 1));
  const firstLine = text.slice(0, start).split('\n').length;
  let counted = 0;
  const tail: number[] = [];
  for await (const batch of readRowBatchesIter(file, {
    startByte: start,
    endByte: Buffer.byteLength(text),
    firstLine,
    onLines: (n) => {
      counted = n;
    },
  }))
    for (const item of batch) tail.push(item.line);
  expect(tail).toEqual(expected.map((e) => e.line).filter((l) => l >= firstLine));
  expect(counted).toBe(lines.length - firstLine + 1);
});
