import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, onTestFinished, test } from 'vitest';
import { setEngineThreads } from '../../src/engine/index.js';
import { getModel } from '../../src/registry/index.js';
import {
  driveRun,
  getRun,
  listRunMetrics,
  listRuns,
  startRun,
  type TrainDeps,
} from '../../src/train/index.js';
import { dpoRecipe, makeRunWorld } from './run-world.js';

// The engine's matmul worker pool does not start under vitest's transform; one thread suffices here.
beforeAll(() => setEngineThreads(1));

test('an inline run is persisted, trains on the accepted version, writes metrics per step and registers its model with lineage', {
  timeout: 60_000,
}, async () => {
  const world = await makeRunWorld();
  onTestFinished(() => world.store.close());
  const deps: TrainDeps = { store: world.store, dataDir: world.root };
  const { run, preflight } = await startRun(
    deps,
    { recipeText: dpoRecipe(world, 'executor: inline') },
    { enqueue: false },
  );
  expect(preflight.passed).toBe(true);
  expect(run).toMatchObject({ status: 'queued', executor: 'inline', engine: 'embedded', isOverride: false });
  const done = await driveRun(deps, run.id);
  expect(done.status, done.error ?? '').toBe('succeeded');
  const points = await listRunMetrics(world.store, run.id);
  expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4]);
  expect(points[0]?.metrics.loss).toBeTypeOf('number');
  expect(done.totalSteps).toBe(4);
  expect(done.registeredModelId).toBeTruthy();
  const model = await getModel(world.store, done.registeredModelId ?? '');
  expect(model.baseModel?.name).toBe('tiny');
  expect(model.training).toMatchObject({ runId: run.id, recipeHash: run.recipeHash, algorithm: 'dpo' });
  expect(model.training?.datasets).toEqual([
    expect.objectContaining({ name: 'polite', version: world.versionId, gateStatus: 'accepted' }),
  ]);
  expect(done.evaluations).toEqual([expect.objectContaining({ suite: 'polite-smoke', status: 'recorded' })]);
  const contract = await readFile(path.join(run.runDir, 'output', 'metrics.jsonl'), 'utf8');
  expect(contract.trim().split('\n')).toHaveLength(4);
  expect((await listRuns(world.store)).map((r) => r.id)).toContain(run.id);
  expect(await getRun(world.store, run.id)).toEqual(done);
});
