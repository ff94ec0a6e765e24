import path from 'node:path';
import type { Store } from '../store/index.js';
import { getDataVersion } from './dataset-versions.js';
import { DataError } from './errors.js';
import { listDataFiles, readRowsIter } from './read-rows.js';

/** Longest row text returned; a finding points at a row, it does not ship a 10 MB record. */
const MAX_ROW_CHARS = 20_000;

/**
 * The records of a stored version's data around `line` (the example rows of findings), as
 * source text. Only files of the version's own source are read, whatever `file` says.
 */
export async function readVersionRows(
  store: Store,
  id: string,
  opts: { line: number; file?: string; context?: number; signal?: AbortSignal },
): Promise<{ file: string; rows: { line: number; text: string; isTruncated: boolean }[] }> {
  const v = await getDataVersion(store, id);
  const files = await listDataFiles(v.source);
  const file =
    opts.file === undefined ? files[0] : files.find((f) => path.resolve(f) === path.resolve(opts.file ?? ''));
  if (!file)
    throw new DataError(
      'AB_DATA_FILE_NOT_FOUND',
      `not a file of dataset version "${id}"`,
      { file: opts.file, field: 'file' },
      { status: 404 },
    );
  const context = opts.context ?? 0;
  const from = Math.max(1, opts.line - context);
  const to = opts.line + context;
  const rows: { line: number; text: string; isTruncated: boolean }[] = [];
  for await (const item of readRowsIter(file, { signal: opts.signal })) {
    if (item.line > to) break;
    if (item.line < from) continue;
    const text = item.raw ?? JSON.stringify(item.row ?? null);
    rows.push({
      line: item.line,
      text: text.slice(0, MAX_ROW_CHARS),
      isTruncated: text.length > MAX_ROW_CHARS,
    });
  }
  return { file, rows };
}
