import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, onTestFinished, test } from 'vitest';
import { setEngineThreads } from '../../src/engine/index.js';
import { getModel } from '../../src/registry/index.js';
import {
  cancelRun,
  driveRun,
  driveRunIter,
  getRun,
  listRunMetrics,
  listRuns,
  resumeRun,
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

test('the local executor trains in a child process; cancel stops it cleanly and resume finishes from its checkpoint', {
  timeout: 60_000,
}, async () => {
  const world = await makeRunWorld();
  onTestFinished(() => world.store.close());
  const deps: TrainDeps = { store: world.store, dataDir: world.root };
  const recipe = dpoRecipe(world, 'executor: local\nexecutor_options: { poll_ms: 100 }\n').replace(
    'max_steps: 4',
    'max_steps: 8',
  );
  const { run } = await startRun(deps, { recipeText: recipe }, { enqueue: false });
  const ctrl = new AbortController();
  let cancelled: Awaited<ReturnType<typeof cancelRun>> | undefined;
  for await (const ev of driveRunIter(deps, run.id, { signal: ctrl.signal })) {
    // Cancelled once a checkpoint (step 2) is behind it: SIGTERM to the process group.
    if (ev.type === 'metrics' && !cancelled && (ev.points.at(-1)?.step ?? 0) >= 2)
      cancelled = await cancelRun(deps, run.id);
    if (ev.type === 'finished') expect(ev.run.status).toBe('cancelled');
  }
  expect(cancelled?.status).toBe('cancelled');
  const pid = Number((cancelled?.executorJobId ?? '').split(':')[0]);
  expect(() => process.kill(pid, 0)).toThrow(); // the trainer is gone, not orphaned

  await resumeRun(deps, run.id, { enqueue: false });
  const done = await driveRun(deps, run.id, { pollMs: 100 });
  expect(done.status, done.error ?? '').toBe('succeeded');
  const log = await readFile(path.join(run.runDir, 'run.log'), 'utf8');
  expect(log).toMatch(/resumed from step \d+/);
  expect((await listRunMetrics(world.store, run.id)).map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(done.registeredModelId).toBeTruthy();
});
