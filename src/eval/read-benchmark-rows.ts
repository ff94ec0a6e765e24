import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { parseAt } from '../common/errors.js';
import { EvaluationError } from './errors.js';
import { readDatasetFile } from './load-dataset.js';

/** Reads a benchmark's JSONL file and parses each row with `schema`; errors name the file and line. */
export async function readBenchmarkRows<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  if (!existsSync(file)) {
    throw new EvaluationError(
      'AB_EVAL_DATASET_NOT_FOUND',
      'benchmark file not found; pass the folder that holds the upstream files',
      { file },
      { status: 404 },
    );
  }
  const rows = await readDatasetFile(file);
  return rows.map((r, i) => parseAt(schema, r, { file, line: i + 1 }));
}
