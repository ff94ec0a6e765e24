// The attention lab over real HTTP and through the real command line, on tiny model folders.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { AttentionView, CompareResult, NoiseResult } from '../../src/viz/index.js';
import { runCommand } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { writeTinyGpt2 } from './helpers.js';

const XSS = 'Hello <img src=x onerror="alert(1)"></script> world';

async function post<T>(
  base: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T; type: string }> {
  const res = await fetch(`${base}/api/viz${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: (type.includes('json') ? JSON.parse(text) : text) as T, type };
}

describe('/api/viz', () => {
  test('attention, compare, noise and export on tiny Llama and GPT-2 folders', {
    timeout: 40_000,
  }, async () => {
    const { base } = await startTestServer();
    const { dir: llama } = await writeTinyModel({ config: { max_position_embeddings: 512 } });
    const { dir: gpt2 } = await writeTinyGpt2();

    const a = await post<AttentionView>(base, '/attention', {
      model: llama,
      input: { kind: 'text', text: XSS },
      window: { layers: [1, 1], heads: [0, 3] },
    });
    expect(a.status).toBe(200);
    expect(a.body.matrices.map((m) => `${m.layer}.${m.head}`)).toEqual(['1.0', '1.1', '1.2', '1.3']);
    expect(a.body.tokens.map((t) => t.text).join('')).toBe(XSS);

    const c = await post<CompareResult>(base, '/compare', {
      models: [llama, gpt2],
      input: { kind: 'text', text: XSS },
    });
    expect(c.status).toBe(200);
    expect(c.body.views.map((v) => v.model.architecture)).toEqual(['llama', 'gpt2']);

    const rag = {
      kind: 'rag',
      question: 'what does the fox do?',
      documents: [
        { text: 'the lazy dog sleeps.' },
        { text: 'the fox jumps.', gold: true },
        { text: 'one plus one is two.' },
      ],
      answer: 'it jumps.',
    };
    const n = await post<NoiseResult>(base, '/noise', { model: llama, input: rag });
    expect(n.status).toBe(200);
    expect(n.body.report.documents).toHaveLength(3);
    expect(n.body.placements).toHaveLength(3);

    const e = await post<string>(base, '/export', {
      kind: 'noise',
      model: llama,
      input: rag,
      leaveOneOut: false,
    });
    expect(e.status).toBe(200);
    expect(e.type).toContain('text/html');
    expect(e.body).toContain('<script type="application/json" id="ab-data">');

    const x = await post<string>(base, '/export', {
      kind: 'attention',
      model: llama,
      input: { kind: 'text', text: XSS },
    });
    // the token text is inlined as escaped JSON: no raw tag, no early </script>
    expect(x.body).not.toContain('<img src=x');
    expect(x.body.match(/<\/script>/g)).toHaveLength(2);
  });

  test('errors name the field: unknown model, bad window, bad body', { timeout: 20_000 }, async () => {
    const { base } = await startTestServer();
    const { dir } = await writeTinyModel();
    const cases: [unknown, number, string, string][] = [
      [{ model: '/nope/none', input: { kind: 'text', text: 'hi' } }, 400, 'AB_VIZ_MODEL', 'model'],
      [
        { model: dir, input: { kind: 'text', text: 'hi' }, window: { layers: [0, 9], heads: [0, 0] } },
        400,
        'AB_VIZ_WINDOW',
        'window',
      ],
      [
        { model: dir, input: { kind: 'rag', question: 'q', documents: [] } },
        400,
        'AB_INPUT_INVALID',
        'input',
      ],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await post<{ code: string; where: { field?: string } }>(base, '/attention', body);
      expect([r.status, r.body.code]).toEqual([status, code]);
      expect(r.body.where.field ?? '').toContain(field);
    }
  });
});

describe('alignboard attention', () => {
  const cli = (args: string[]) =>
    runCommand(process.execPath, [
      '--import',
      'tsx',
      '-e',
      "import('./src/cli/main.ts').then((m) => m.main(process.argv)).then((c) => process.exit(c))",
      'alignboard',
      ...args,
    ]);

  test('run --out writes a static HTML view; noise prints the meter', { timeout: 60_000 }, async () => {
    const tmp = await makeTempDir();
    const { dir } = await writeTinyModel({ config: { max_position_embeddings: 512 } });
    const textFile = join(tmp, 'prompt.txt');
    await writeFile(textFile, XSS);
    const out = join(tmp, 'view.html');
    const r = await cli([
      'attention',
      'run',
      '--model',
      dir,
      '--input',
      textFile,
      '--out',
      out,
      '--heads',
      '0-1',
    ]);
    expect(r.stderr).toContain('wrote');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 layers × 4 heads, \d+ tokens/);
    expect(await readFile(out, 'utf8')).toContain('id="ab-data"');

    const ragFile = join(tmp, 'rag.json');
    await writeFile(
      ragFile,
      JSON.stringify({
        kind: 'rag',
        question: 'what does the fox do?',
        documents: [{ text: 'the lazy dog sleeps.' }, { text: 'the fox jumps.', gold: true }],
        answer: 'it jumps.',
      }),
    );
    const n = await cli(['attention', 'noise', '--model', dir, '--input', ragFile, '--no-placements']);
    expect(n.code).toBe(0);
    expect(n.stdout).toContain('answer-to-noise ratio');
    expect(n.stdout).toContain('log-prob drop without it');
  });
});
