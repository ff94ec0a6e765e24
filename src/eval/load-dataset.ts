import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseJsonAt } from '../common/errors.js';
import { EvaluationError } from './errors.js';

export type Doc = Record<string, unknown>;

const EXTENSIONS = ['.jsonl', '.json', '.parquet'];

/** Finds `<dir>[/<name>]/<split>.(jsonl|json|parquet)`, or `<split>-*.parquet` shards. */
function findSplitFile(dir: string, name: string | null, split: string): string | undefined {
  const dirs = name ? [path.join(dir, name), dir] : [dir];
  for (const d of dirs) {
    for (const ext of EXTENSIONS) {
      const f = path.join(d, `${split}${ext}`);
      if (existsSync(f)) return f;
    }
  }
  return undefined;
}

async function readJsonRows(file: string): Promise<Doc[]> {
  const text = await readFile(file, 'utf8');
  if (file.endsWith('.json')) {
    const data = parseJsonAt(text, { file });
    const rows = Array.isArray(data)
      ? data
      : data && typeof data === 'object' && 'examples' in data
        ? data.examples
        : undefined;
    if (!Array.isArray(rows))
      throw new EvaluationError(
        'AB_EVAL_DATASET_INVALID',
        'a .json dataset must be an array of rows or {"examples": [...]}',
        { file },
      );
    return rows.map((r, i) => asDoc(r, file, i + 1));
  }
  const rows: Doc[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    rows.push(asDoc(parseJsonAt(line, { file, line: i + 1 }), file, i + 1));
  }
  return rows;
}

function asDoc(value: unknown, file: string, line: number): Doc {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new EvaluationError('AB_EVAL_DATASET_INVALID', 'each row must be a JSON object', { file, line });
  }
  return value as Doc;
}

async function readParquetRows(file: string): Promise<Doc[]> {
  // DuckDB reads Parquet natively; loaded lazily so JSONL-only runs never start it.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(`select * from read_parquet('${file.replaceAll("'", "''")}')`);
    return reader.getRowObjectsJson() as Doc[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Reads one dataset file (JSONL, JSON array or `{examples}`, Parquet). */
export async function readDatasetFile(file: string): Promise<Doc[]> {
  return file.endsWith('.parquet') ? readParquetRows(file) : readJsonRows(file);
}

export interface DatasetRef {
  path: string;
  name: string | null;
  split: string;
}

/**
 * Loads one split of a dataset from a local file or folder. A Hub id (`openai/gsm8k`) must first
 * be downloaded into a local folder; the error says so and names the split it looked for.
 */
export async function loadDatasetSplit(ref: DatasetRef): Promise<{ file: string; docs: Doc[] }> {
  const isDir = existsSync(ref.path) && statSync(ref.path).isDirectory();
  const file = isDir
    ? findSplitFile(ref.path, ref.name, ref.split)
    : existsSync(ref.path)
      ? ref.path
      : undefined;
  if (!file) {
    const looked = isDir
      ? `${ref.path}/${ref.name ? `[${ref.name}/]` : ''}${ref.split}.{jsonl,json,parquet}`
      : ref.path;
    throw new EvaluationError(
      'AB_EVAL_DATASET_NOT_FOUND',
      `no data for split "${ref.split}" (looked for ${looked}); pass a local copy with --data DIR`,
      { field: 'dataset.path' },
      { status: 404 },
    );
  }
  return { file, docs: await readDatasetFile(file) };
}

/** sha256 over the canonical JSON of the rows, in order: the dataset's part of the contract. */
export function hashDocs(docs: readonly Doc[]): string {
  const h = createHash('sha256');
  for (const d of docs) h.update(`${canonicalJson(d)}\n`);
  return `sha256:${h.digest('hex')}`;
}

/** JSON with object keys sorted, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
