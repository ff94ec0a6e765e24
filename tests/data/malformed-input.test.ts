import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, test } from 'vitest';
import { inspectDataset, parseContract, type RowItem, readRowsIter } from '../../src/data/index.js';
import { writeJsonl, writeText } from '../helpers/jsonl.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const contract = parseContract(`
name: sft
version: 2
format: trl.prompt_completion
fields:
  prompt: { type: string, required: true }
  completion: { type: string, required: true }
`).contract;

const row = (i: number) => ({
  prompt: `Question number ${i} about rivers and stones?`,
  completion: `Answer ${i} explains the river and the stone well.`,
});

async function readAll(file: string): Promise<RowItem[]> {
  const out: RowItem[] = [];
  for await (const item of readRowsIter(file)) out.push(item);
  return out;
}

describe('malformed input names file, line and field, and the rest is still inspected', () => {
  test('bad JSON on line 3', async () => {
    const file = await writeJsonl([row(1), row(2), '{"prompt": "oops", ', row(4)]);
    const r = await inspectDataset(file, { contract });
    expect(r.rows).toBe(3);
    expect(r.findings.find((f) => f.code === 'AB_DATA_ROW_JSON')?.examples).toEqual([
      expect.objectContaining({ file, line: 3 }),
    ]);
  });

  test('a wrong type in field "completion" on line 2', async () => {
    const file = await writeJsonl([row(1), { prompt: 'Why?', completion: 42 }, row(3)]);
    const r = await inspectDataset(file, { contract });
    expect(r.rows).toBe(3);
    const f = r.findings.find((x) => x.code === 'AB_DATA_FIELD_TYPE');
    expect(f).toMatchObject({ field: 'completion', count: 1 });
    expect(f?.examples[0]).toMatchObject({ file, line: 2, field: 'completion' });
  });

  test('a truncated gzip yields the rows before the cut, then AB_DATA_FILE_TRUNCATED', async () => {
    const text = `${Array.from({ length: 500 }, (_, i) => JSON.stringify(row(i))).join('\n')}\n`;
    const gz = gzipSync(text);
    const file = await writeText(gz.subarray(0, Math.floor(gz.length * 0.6)), 'cut.jsonl.gz');
    const items = await readAll(file);
    const last = items[items.length - 1];
    expect(last?.issue?.code).toBe('AB_DATA_FILE_TRUNCATED');
    expect(items.filter((i) => i.row).length).toBeGreaterThan(10);
    const r = await inspectDataset(file, { contract });
    expect(r.findings.find((f) => f.code === 'AB_DATA_FILE_TRUNCATED')?.examples[0]?.file).toBe(file);
    expect(r.rows).toBeGreaterThan(10);
  });

  test('an empty file', async () => {
    const file = await writeText('', 'empty.jsonl');
    const r = await inspectDataset(file, { contract });
    expect(r.rows).toBe(0);
    expect(r.findings.find((f) => f.code === 'AB_DATA_FILE_EMPTY')?.examples[0]).toMatchObject({
      file,
      line: 1,
    });
  });

  test('invalid UTF-8 on line 2', async () => {
    const good = Buffer.from(`${JSON.stringify(row(1))}\n`);
    const bad = Buffer.concat([
      Buffer.from('{"prompt": "caf'),
      Buffer.from([0xe9, 0x20]),
      Buffer.from('", "completion": "ok and done here."}\n'),
    ]);
    const file = await writeText(Buffer.concat([good, bad, good]), 'latin1.jsonl');
    const r = await inspectDataset(file, { contract });
    expect(r.findings.find((f) => f.code === 'AB_DATA_INVALID_UTF8')?.examples[0]).toMatchObject({ line: 2 });
  });
});

describe('file kinds', () => {
  test('JSON array with line numbers per element', async () => {
    const file = await writeText(
      `[\n  ${JSON.stringify(row(1))},\n  {"prompt": bad},\n  ${JSON.stringify(row(3))}\n]\n`,
      'a.json',
    );
    const items = await readAll(file);
    expect(items.map((i) => [i.line, i.issue?.code ?? 'ok'])).toEqual([
      [2, 'ok'],
      [3, 'AB_DATA_ROW_JSON'],
      [4, 'ok'],
    ]);
  });

  test('CSV with quoted multi-line cells', async () => {
    const file = await writeText(
      'prompt,completion\n"Hi, there","Line one\nline two"\nplain,"say ""yes"""\n',
      'a.csv',
    );
    const items = await readAll(file);
    expect(items.map((i) => [i.line, i.row])).toEqual([
      [2, { prompt: 'Hi, there', completion: 'Line one\nline two' }],
      [4, { prompt: 'plain', completion: 'say "yes"' }],
    ]);
  });

  test('Parquet and zstd JSONL through DuckDB, and a folder of shards', async () => {
    const dir = await makeTempDir();
    const jsonl = await writeJsonl([row(1), row(2), 'not json'], 'src.jsonl', dir);
    await mkdir(path.join(dir, 'shards'));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(
      `COPY (SELECT * FROM read_json('${jsonl}', format='newline_delimited', ignore_errors=true) WHERE prompt IS NOT NULL) TO '${path.join(dir, 'shards', 'b.parquet')}' (FORMAT parquet)`,
    );
    c.closeSync();
    db.closeSync();
    const zst = path.join(dir, 'shards', 'a.jsonl.zst');
    const z = spawnSync('zstd', ['-q', '-o', zst, jsonl]);
    if (z.status !== 0) throw new Error('zstd CLI missing');
    const items = await readAll(path.join(dir, 'shards'));
    expect(items.map((i) => [path.basename(i.file), i.line, i.issue?.code ?? 'ok'])).toEqual([
      ['a.jsonl.zst', 1, 'ok'],
      ['a.jsonl.zst', 2, 'ok'],
      ['a.jsonl.zst', 3, 'AB_DATA_ROW_JSON'],
      ['b.parquet', 1, 'ok'],
      ['b.parquet', 2, 'ok'],
    ]);
    expect(items[3]?.row).toEqual(row(1));
  });
});
