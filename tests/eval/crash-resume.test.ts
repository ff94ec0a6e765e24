import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, onTestFinished, test } from 'vitest';
import { addEndpoint, probeAndSaveEndpoint } from '../../src/eval/endpoints.js';
import { loadTask } from '../../src/eval/load-task.js';
import { evaluate, type SampleRecord } from '../../src/eval/run-eval.js';
import { listSampleRecords } from '../../src/eval/summarize-run.js';
import { buildEngineServer } from '../../src/server/engine-api/index.js';
import { createStore } from '../../src/store/index.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

const N = 30;
/** Kill points: after the k-th task completion the engine answers in that attempt. Seeded, printed. */
function killPoints(seed: number): number[] {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31; // glibc's LCG constants
    return s / 2 ** 31;
  };
  return [1 + Math.floor(next() * 8), 1 + Math.floor(next() * 6), 1 + Math.floor(next() * 4)];
}

interface Served {
  index: number;
  atMs: number;
}

/** The engine server with a tiny model; it records when each task prompt ("Q<index>: …") arrived. */
async function startCountingEngine() {
  const { dir } = await writeTinyModel({ seed: 1 });
  const app = await buildEngineServer({ modelDir: dir, modelName: 'tiny' });
  const received: Served[] = [];
  let onAnswered: (() => void) | null = null;
  app.addHook('preHandler', async (req) => {
    const prompt = (req.body as { prompt?: unknown } | undefined)?.prompt;
    const m = typeof prompt === 'string' ? /^Q(\d+):/.exec(prompt) : null;
    if (m) received.push({ index: Number(m[1]), atMs: Date.now() });
  });
  app.addHook('onResponse', async (req) => {
    const prompt = (req.body as { prompt?: unknown } | undefined)?.prompt;
    if (typeof prompt === 'string' && /^Q\d+:/.test(prompt)) onAnswered?.();
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return {
    baseUrl: `${base}/v1`,
    received,
    /** Calls `fn` after each answered task request. */
    onAnswer(fn: (() => void) | null) {
      onAnswered = fn;
    },
  };
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(BIN, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, output: () => out };
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

test('eval run killed with SIGKILL three times and resumed: same results as an uninterrupted run, no sample done twice', {
  timeout: 120_000,
}, async () => {
  const engine = await startCountingEngine();
  const dir = await makeTempDir();
  const rows = Array.from({ length: N }, (_, i) => ({ i, q: `${i}+${i}`, a: String(2 * i) }));
  await writeFile(path.join(dir, 'test.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  const taskFile = path.join(dir, 'toy.yaml');
  await writeFile(
    taskFile,
    [
      'format: alignboard-task/1',
      'name: crash-toy',
      'outputType: generate_until',
      'dataset: { path: ., testSplit: test }',
      'docToText: "Q{{i}}: {{q}}\\nA:"',
      'docToTarget: "{{a}}"',
      'generation: { maxTokens: 6, temperature: 0 }',
      'filters:',
      '  - { name: first-number, steps: [{ function: regex, pattern: "(\\\\d+)" }, { function: take_first }] }',
      'metrics: [{ metric: exact_match }]',
      '',
    ].join('\n'),
  );
  const dbFile = path.join(dir, 'alignboard.db');
  const env = { ALIGNBOARD_DATA_DIR: dir, ALIGNBOARD_DATABASE_URL: `sqlite:${dbFile}` };
  // The endpoint is registered and probed in-process, so the killed processes do only the run.
  const store = createStore({ databaseUrl: `sqlite:${dbFile}` });
  await store.migrate();
  await addEndpoint(store, { name: 'engine', baseUrl: engine.baseUrl, model: 'tiny' });
  await probeAndSaveEndpoint(store, 'engine');
  await store.close();

  const runArgs = ['eval', 'run', '--endpoint', 'engine', '--task', taskFile, '--concurrency', '2'];
  const points = killPoints(20_240_611);
  let runId: string | undefined;
  for (const [attempt, k] of points.entries()) {
    let answered = 0;
    const { child, output } = spawnCli(runId ? [...runArgs, '--resume', runId] : runArgs, env);
    const done = exited(child);
    engine.onAnswer(() => {
      if (++answered === k) child.kill('SIGKILL');
    });
    const end = await done;
    engine.onAnswer(null);
    expect(end, `attempt ${attempt} (kill after ${k} answers) should die by SIGKILL:\n${output()}`).toEqual({
      code: null,
      signal: 'SIGKILL',
    });
    runId ??= /run ([0-9a-f-]{36})/.exec(output())?.[1];
    expect(runId, output()).toBeDefined();
  }
  const db = new Database(dbFile, { readonly: true });
  const beforeFinal = (
    db.prepare('SELECT count(*) AS n FROM eval_samples WHERE run_id = ?').get(runId) as { n: number }
  ).n;
  db.close();
  expect(beforeFinal).toBeGreaterThan(0);
  expect(beforeFinal).toBeLessThan(N);

  const outDir = path.join(dir, 'out');
  const last = spawnCli([...runArgs, '--resume', runId as string, '--out', outDir, '--json'], env);
  const end = await exited(last.child);
  expect(end.code, last.output()).toBe(0);
  expect(last.output()).toMatch(new RegExp(`run ${runId} \\(resumed, ${beforeFinal} done\\)`));

  // The store: one record per sample index, all N present.
  const check = new Database(dbFile, { readonly: true });
  const perIndex = check
    .prepare(
      'SELECT sample_index AS i, count(*) AS n, min(created_at) AS at FROM eval_samples WHERE run_id = ? GROUP BY sample_index ORDER BY sample_index',
    )
    .all(runId) as { i: number; n: number; at: string }[];
  check.close();
  expect(perIndex.map((r) => [r.i, r.n])).toEqual(rows.map((_, i) => [i, 1]));
  // Nothing done twice: no prompt reached the engine after its sample had been stored.
  const storedAt = new Map(perIndex.map((r) => [r.i, Date.parse(r.at)]));
  const late = engine.received.filter((r) => r.atMs > (storedAt.get(r.index) ?? Number.POSITIVE_INFINITY));
  expect(late).toEqual([]);

  // An uninterrupted run of the same task on the same server, in a fresh store.
  const refStore = createStore({ databaseUrl: `sqlite:${path.join(dir, 'ref.db')}` });
  await refStore.migrate();
  onTestFinished(() => refStore.close());
  const ref = await evaluate(
    { task: await loadTask(taskFile), endpoint: { name: 'engine', baseUrl: engine.baseUrl, model: 'tiny' } },
    { store: refStore, concurrency: { start: 2, max: 2 } },
  );
  const refRecords = await listSampleRecords(refStore, ref.runId);
  const summary = JSON.parse(await readFile(path.join(outDir, runId as string, 'summary.json'), 'utf8')) as {
    summary: { samples: number; metrics: unknown };
  };
  const records = (await readFile(path.join(outDir, runId as string, 'samples.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SampleRecord);
  expect(records).toEqual(refRecords);
  expect(summary.summary.samples).toBe(N);
  expect(summary.summary.metrics).toEqual(ref.summary.metrics);
});
