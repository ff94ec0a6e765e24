import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, test } from 'vitest';
import { registerDataCommands } from '../../src/cli/commands/data.js';
import { preferenceContractYaml, writeJsonl, writeModelDir, writeText } from '../helpers/jsonl.js';
import { startTestServer } from '../helpers/server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CONTRACT = preferenceContractYaml('prefs');

const rows = (n: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({
    prompt: `Question number ${i} about rivers and stones?`,
    chosen: `A careful answer ${i} that ends properly.`,
    rejected: `A worse answer ${i} that also ends.`,
    ...extra,
  }));

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

describe('/api/data', () => {
  test('contracts, intake (JSON and SSE), datasets, versions, consumption, rows, diff, inspect', {
    timeout: 60_000,
  }, async () => {
    const { base } = await startTestServer();
    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/data${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const get = (url: string) => fetch(`${base}/api/data${url}`);

    const added = await post('/contracts', { text: CONTRACT });
    expect(added.status).toBe(201);
    expect(await json(added)).toMatchObject({ name: 'prefs', version: 1 });
    expect(await (await get('/contracts')).json()).toMatchObject([{ name: 'prefs', version: 1 }]);
    expect(await json(await get('/contracts/prefs/versions/1'))).toMatchObject({ text: CONTRACT });

    const model = await writeModelDir('meta-llama/Llama-3.1-8B-Instruct');
    const good = await writeJsonl(rows(20));
    const v1 = await post('/versions', { path: good, dataset: 'prefs', contract: 'prefs', template: model });
    expect(v1.status).toBe(201);
    const version = await json(v1);
    expect(version).toMatchObject({ dataset: 'prefs', status: 'accepted', rows: 20 });

    // A second delivery with an unknown field and every row twice, streamed as server-sent events.
    const half = rows(10, { meta: 'context that is not in the contract' });
    const bad = await writeJsonl([...half, ...half]);
    const sse = await post(
      '/versions',
      { path: bad, dataset: 'prefs', contract: 'prefs@v1', template: model },
      { accept: 'text/event-stream' },
    );
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const text = await sse.text();
    expect(text).toContain('event: started');
    expect(text).toContain('event: decided');
    const decided = text
      .split('\n\n')
      .find((b) => b.includes('event: decided'))
      ?.split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6))
      .join('\n');
    const v2 = (JSON.parse(decided ?? '{}') as { version: { id: string; status: string } }).version;
    expect(v2.status).toBe('quarantined');

    const datasets = (await (await get('/datasets')).json()) as { name: string; versions: number }[];
    expect(datasets).toMatchObject([{ name: 'prefs', versions: 2 }]);
    const versions = (await (await get('/datasets/prefs/versions')).json()) as { id: string }[];
    expect(versions.map((v) => v.id).sort()).toEqual([String(version.id), v2.id].sort());
    expect((await get('/datasets/nope/versions')).status).toBe(404);

    const full = await json(await get(`/versions/${encodeURIComponent(v2.id)}`));
    expect(full).toMatchObject({ status: 'quarantined', previousId: version.id });
    const consumption = await json(await get(`/versions/${encodeURIComponent(v2.id)}/consumption`));
    expect(consumption).toMatchObject({ passed: true });
    expect(consumption.sample).toBeDefined();

    const rowsRes = await json(await get(`/versions/${encodeURIComponent(v2.id)}/rows?line=3&context=1`));
    expect((rowsRes.rows as { line: number }[]).map((r) => r.line)).toEqual([2, 3, 4]);
    const outside = await get(`/versions/${encodeURIComponent(v2.id)}/rows?line=1&file=/etc/passwd`);
    expect(outside.status).toBe(404);
    expect(await json(outside)).toMatchObject({ code: 'AB_DATA_FILE_NOT_FOUND' });

    const diff = await json(
      await get(
        `/versions/diff?before=${encodeURIComponent(String(version.id))}&after=${encodeURIComponent(v2.id)}`,
      ),
    );
    expect((diff.diff as { fieldsAdded: string[] }).fieldsAdded).toEqual(['meta']);

    const report = await json(await post('/inspect', { path: bad, contract: 'prefs' }));
    expect(report).toMatchObject({ rows: 20 });
    expect(report.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'AB_DATA_FIELD_UNKNOWN' })]),
    );

    const missing = await post('/inspect', { path: '/no/such/file.jsonl' });
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({
      code: 'AB_DATA_FILE_NOT_FOUND',
      where: { file: '/no/such/file.jsonl' },
    });
    const badBody = await post('/versions', { path: good });
    expect(badBody.status).toBe(400);
    expect(await json(badBody)).toMatchObject({ code: 'AB_INPUT_INVALID' });
  });
});

const savedEnv = process.env.ALIGNBOARD_DATA_DIR;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.ALIGNBOARD_DATA_DIR;
  else process.env.ALIGNBOARD_DATA_DIR = savedEnv;
  process.exitCode = undefined;
});

/** Runs `alignboard data <args>` in-process; returns stdout, stderr and the exit code it set. */
async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('alignboard').exitOverride();
  registerDataCommands(program);
  const out: string[] = [];
  const err: string[] = [];
  const w = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => out.push(String(c)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => err.push(String(c)) > 0) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['data', ...args], { from: 'user' });
  } finally {
    process.stdout.write = w;
    process.stderr.write = e;
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { out: out.join(''), err: err.join(''), code };
}

describe('alignboard data', () => {
  test('contract add, inspect, check, intake, diff, convert; exit codes', { timeout: 60_000 }, async () => {
    process.env.ALIGNBOARD_DATA_DIR = await makeTempDir();
    const contractFile = await writeText(CONTRACT, 'prefs.yaml');
    expect((await run(['contract', 'add', contractFile])).out).toContain('contract prefs v1 stored');

    const good = await writeJsonl(rows(10));
    const inspected = await run(['inspect', good, '--contract', 'prefs', '--json']);
    expect(JSON.parse(inspected.out)).toMatchObject({ rows: 10, format: 'trl.preference' });
    expect(inspected.err).toContain('inspect (MB)');
    expect((await run(['inspect', good])).out).toMatch(/FIELD\s+STATUS/);

    const dup = await writeJsonl([...rows(10), ...rows(10)]);
    const checked = await run(['check', dup, '--contract', contractFile]);
    expect(checked.code).toBe(1);
    expect(checked.out).toContain('gate: QUARANTINED');
    expect(checked.out).toContain('AB_DATA_DUPLICATE');
    expect((await run(['check', good, '--contract', contractFile])).code).toBe(0);

    const v1 = JSON.parse(
      (await run(['intake', good, '--dataset', 'p', '--contract', 'prefs', '--json'])).out,
    ) as {
      id: string;
      status: string;
    };
    expect(v1.status).toBe('accepted');
    const v2run = await run(['intake', dup, '--dataset', 'p', '--contract', 'prefs@v1', '--json']);
    expect(v2run.code).toBe(1);
    const v2 = JSON.parse(v2run.out) as { id: string; status: string };
    expect(v2.status).toBe('quarantined');
    expect((await run(['diff', v1.id, v2.id])).out).toContain('rows 10 → 20');

    const out = path.join(await makeTempDir(), 'alpaca.jsonl');
    const conv = await run([
      'convert',
      good,
      '--from',
      'trl.preference',
      '--to',
      'llamafactory.alpaca',
      '-o',
      out,
    ]);
    expect(conv.out).toContain('converted 10 rows');
    const first = JSON.parse((await readFile(out, 'utf8')).split('\n')[0] ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({ instruction: rows(1)[0]?.prompt, chosen: rows(1)[0]?.chosen });
    // A lossy conversion is refused at its line, and leaves no output behind.
    const lossy = path.join(path.dirname(out), 'openai.jsonl');
    await expect(
      run(['convert', good, '--from', 'trl.preference', '--to', 'openai.preference', '-o', lossy]),
    ).rejects.toMatchObject({ code: 'AB_DATA_CONVERSION_LOSSY', where: { line: 1 } });
    await expect(readFile(lossy)).rejects.toThrow();
    await expect(readFile(`${lossy}.partial`)).rejects.toThrow();

    await expect(run(['convert', good, '--from', 'nope', '--to', 'rag', '-o', out])).rejects.toMatchObject({
      code: 'AB_INPUT_INVALID',
      where: { field: '--from' },
    });
    await expect(run(['check', good, '--contract', 'no-such-contract'])).rejects.toMatchObject({
      code: 'AB_DATA_CONTRACT_INVALID',
    });
  });
});
