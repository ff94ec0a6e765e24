import { readRowBatchesIter } from './read-rows.js';
import type { RowInspector } from './row-inspector.js';

/** One byte range of a plain JSONL file, starting at a line start and ending after a newline (or at the end). */
export interface ByteRange {
  file: string;
  startByte: number;
  endByte: number;
}

/**
 * Feeds the rows of `range` to `inspector`, numbering lines from 1 within the range, and
 * returns how many lines the range holds (blank ones included), the offset of the next range.
 * Inspection workers and the calling thread scan their ranges through this.
 */
export async function inspectRange(
  range: ByteRange,
  inspector: RowInspector,
  signal?: AbortSignal,
): Promise<number> {
  let lines = 0;
  for await (const batch of readRowBatchesIter(range.file, {
    startByte: range.startByte,
    endByte: range.endByte,
    firstLine: 1,
    signal,
    onLines: (n) => {
      lines = n;
    },
  })) {
    for (const item of batch) inspector.add(item);
  }
  return lines;
}
