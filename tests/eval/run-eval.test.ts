import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { compareRuns } from '../../src/eval/compare-runs.js';
import { importLmEvalTask } from '../../src/eval/import-lm-eval-task.js';
import { type EvalEvent, evaluate, evaluateIter } from '../../src/eval/run-eval.js';
import { TaskSpecSchema } from '../../src/eval/schemas.js';
import { listSampleRecords } from '../../src/eval/summarize-run.js';
import { createStore, type Store } from '../../src/store/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startEngine } from './engine.js';
import { BENCHMARKS, LM_EVAL_TASKS } from './shared-paths.js';

async function tempStore(): Promise<Store> {
  const dir = await makeTempDir();
  const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'a.db')}` });
  await store.migrate();
  return store;
}

test('gsm8k (lm-eval YAML, 5-shot) runs end to end against the engine server; strict and flexible both reported', {
  timeout: 90_000,
}, async () => {
  const engine = await startEngine();
  const store = await tempStore();
  const spec = await importLmEvalTask(path.join(LM_EVAL_TASKS, 'gsm8k/gsm8k.yaml'), {
    datasetPath: path.join(BENCHMARKS, 'gsm8k'),
  });
  // A random tiny model never stops early; fewer new tokens keep the test fast (and are in the contract).
  const task = { ...spec, generation: { ...spec.generation, maxTokens: 2 } };
  const events: EvalEvent[] = [];
  for await (const e of evaluateIter(
    { task, endpoint: { name: 'engine', ...engine }, limit: 2 },
    { store, concurrency: { start: 2, max: 2 } },
  ))
    events.push(e);
  const finished = events.at(-1);
  expect(finished?.type).toBe('finished');
  if (finished?.type !== 'finished') return;
  expect(finished.status).toBe('finished');
  expect(Object.keys(finished.summary.metrics).sort()).toEqual([
    'exact_match,flexible-extract',
    'exact_match,strict-match',
  ]);
  expect(finished.summary.metrics['exact_match,strict-match']).toMatchObject({ n: 2 });
  const records = await listSampleRecords(store, finished.runId);
  expect(records.map((r) => r.index)).toEqual([0, 1]);
  // A random model writes no "#### N", so strict extraction falls back.
  expect(records.every((r) => r.extracted['strict-match'] === '[invalid]')).toBe(true);
  expect(
    events
      .filter((e) => e.type === 'sample')
      .map((e) => (e as { done: number }).done)
      .sort(),
  ).toEqual([1, 2]);
  await store.close();
});

async function writeMcTask(dir: string): Promise<string> {
  const rows = [
    {
      question: 'What color is the sky?',
      choices: { text: ['blue', 'green', 'loud'], label: ['A', 'B', 'C'] },
      answerKey: 'A',
    },
    {
      question: 'How many legs has a cat?',
      choices: { text: ['two', 'four', 'nine'], label: ['A', 'B', 'C'] },
      answerKey: 'B',
    },
  ];
  await writeFile(path.join(dir, 'test.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  const yaml = `include: ${path.join(LM_EVAL_TASKS, 'arc/arc_easy.yaml')}\ntask: tiny_arc\n`;
  const file = path.join(dir, 'tiny_arc.yaml');
  await writeFile(file, yaml);
  return file;
}

test('a multiple-choice task scores by prompt log-likelihood through echo', async () => {
  const engine = await startEngine();
  const store = await tempStore();
  const dir = await makeTempDir();
  const task = await importLmEvalTask(await writeMcTask(dir), { datasetPath: dir });
  const out = await evaluate({ task, endpoint: { name: 'engine', ...engine } }, { store });
  expect(out.status).toBe('finished');
  const records = await listSampleRecords(store, out.runId);
  expect(records).toHaveLength(2);
  for (const r of records) {
    expect(r.loglikelihoods).toHaveLength(3);
    expect(r.loglikelihoods?.every((x) => Number.isFinite(x) && x < 0)).toBe(true);
    expect(Object.keys(r.scores).sort()).toEqual(['acc', 'acc_norm']);
  }
  await store.close();
});

test('runs whose contracts differ only in temperature are refused, naming temperature; same contract compares', async () => {
  const engine = await startEngine();
  const store = await tempStore();
  const dir = await makeTempDir();
  await writeFile(path.join(dir, 'test.jsonl'), ['{"q":"1+1","a":"2"}', '{"q":"2+3","a":"5"}'].join('\n'));
  const base = TaskSpecSchema.parse({
    format: 'alignboard-task/1',
    name: 'toy',
    outputType: 'generate_until',
    dataset: { path: dir, testSplit: 'test' },
    docToText: 'Q: {{q}}\nA:',
    docToTarget: '{{a}}',
    generation: { maxTokens: 4, seed: 7 },
    metrics: [{ metric: 'exact_match' }],
  });
  const endpoint = { name: 'engine', ...engine };
  const cold = await evaluate({ task: base, endpoint }, { store });
  const cold2 = await evaluate({ task: base, endpoint }, { store });
  const hot = await evaluate(
    { task: { ...base, generation: { ...base.generation, temperature: 0.7 } }, endpoint },
    { store },
  );
  await expect(compareRuns(store, cold.runId, hot.runId)).rejects.toMatchObject({
    code: 'AB_EVAL_INCOMPARABLE',
    message: expect.stringMatching(/temperature/),
  });
  const shown = await compareRuns(store, cold.runId, hot.runId, { allowIncomparable: true });
  expect(shown.differences.map((d) => d.field)).toEqual(['decoding.temperature']);
  expect(shown.statement).toMatch(/^incomparable: decoding\.temperature differs/);
  const same = await compareRuns(store, cold.runId, cold2.runId);
  expect(same.comparable).toBe(true);
  expect(same.metrics[0]).toMatchObject({
    metric: 'exact_match,none',
    mcnemar: { onlyA: 0, onlyB: 0, pValue: 1 },
  });
  await store.close();
});
