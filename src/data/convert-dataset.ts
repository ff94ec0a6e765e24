import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { DataError } from './errors.js';
import { convertRow, type FormatId, type FormatOptions } from './formats.js';
import { readRowsIter } from './read-rows.js';

export interface ConvertDatasetOptions {
  from: FormatId;
  to: FormatId;
  /** JSONL file to write; written to `<out>.partial` and renamed when every row converted. */
  out: string;
  fromOptions?: FormatOptions;
  toOptions?: FormatOptions;
  signal?: AbortSignal;
}

export type ConvertEvent =
  | { type: 'progress'; rows: number }
  | { type: 'finished'; rows: number; out: string; from: FormatId; to: FormatId };

/**
 * Converts a dataset between formats, row by row in constant memory. Conversion is all or
 * nothing: the first row that cannot be converted without loss (or does not parse) stops it
 * with `AB_DATA_CONVERSION_LOSSY` (or the row's own code) at its file and line, and no output
 * file is left behind.
 */
export async function* convertDatasetIter(
  target: string,
  opts: ConvertDatasetOptions,
): AsyncGenerator<ConvertEvent> {
  const tmp = `${opts.out}.partial`;
  const out = createWriteStream(tmp);
  let rows = 0;
  let isDone = false;
  try {
    for await (const item of readRowsIter(target, { signal: opts.signal })) {
      if (item.issue || !item.row) {
        const issue = item.issue ?? { code: 'AB_DATA_ROW_NOT_OBJECT' as const, message: 'not a record' };
        throw new DataError(issue.code, issue.message, {
          file: item.file,
          line: item.line,
          field: issue.field,
        });
      }
      const converted = convertRow(item.row, opts.from, opts.to, {
        from: opts.fromOptions,
        to: opts.toOptions,
        file: item.file,
        line: item.line,
      });
      if (!out.write(`${JSON.stringify(converted)}\n`)) await once(out, 'drain');
      if (++rows % 10_000 === 0) yield { type: 'progress', rows };
    }
    out.end();
    await once(out, 'finish');
    await rename(tmp, opts.out);
    isDone = true;
    yield { type: 'finished', rows, out: opts.out, from: opts.from, to: opts.to };
  } finally {
    if (!isDone) {
      out.destroy();
      await rm(tmp, { force: true });
    }
  }
}

/** Drains `convertDatasetIter`; returns the number of rows written. */
export async function convertDataset(target: string, opts: ConvertDatasetOptions): Promise<number> {
  let rows = 0;
  for await (const e of convertDatasetIter(target, opts)) if (e.type === 'finished') rows = e.rows;
  return rows;
}
