// Acceptance (issue 9): a recipe whose `command` engine runs the embedded trainer as a Slurm job
// is tracked to completion (log streamed, metrics read, model registered with lineage); a second
// job is cancelled with scancel; an Alignboard restart while the job runs re-attaches to it and
// the run completes once with one registered model.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { getModel, listModels } from '../../src/registry/index.js';
import { createStore, startJobWorker } from '../../src/store/index.js';
import {
  cancelRun,
  createTrainJobHandler,
  driveRunIter,
  getRun,
  listRunMetrics,
  type RunEvent,
  startRun,
  TRAIN_JOB_KIND,
  type TrainDeps,
  watchRunIter,
} from '../../src/train/index.js';
import { ROOT } from '../helpers/cli.js';
import { dpoRecipe, makeRunWorld } from './run-world.js';

// Real Slurm: .ci/run starts a one-node cluster (scripts/slurm-local.sh) and exports SLURM_CONF.
const slurmConf = process.env.SLURM_CONF;
if (!slurmConf) {
  const message = 'SLURM_CONF not set: start a local cluster with scripts/slurm-local.sh start';
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** SLURM RUN TESTS SKIPPED: ${message} ***\n`);
}

/** The embedded trainer through the command contract, as an in-house trainer would be run. */
const commandEngine = (name: string) => `engine: command
engine_options:
  command:
    template: ["${process.execPath}", "${path.join(ROOT, 'bin/alignboard.js')}", train, exec, --recipe-file, "{recipe_file}"]
executor: slurm
executor_options: { poll_ms: 200, slurm: { time_limit_minutes: 5 } }
output: { name: ${name} }
`;

/** Resolves with the first event of a run (read from the store) that `isWanted` accepts. */
async function waitFor(
  deps: TrainDeps,
  runId: string,
  isWanted: (ev: RunEvent) => boolean,
): Promise<RunEvent> {
  for await (const ev of watchRunIter(deps.store, runId, { pollMs: 100 })) if (isWanted(ev)) return ev;
  throw new Error(`run ${runId} ended before the awaited event`);
}

const squeueState = (jobId: string) =>
  execFileSync('squeue', ['-h', '-j', jobId, '-o', '%T'], { encoding: 'utf8' }).trim();

describe.runIf(slurmConf)('training runs on a real Slurm cluster', () => {
  test('tracked to completion across an Alignboard restart (re-attached, not re-submitted); a second job is scancelled', {
    timeout: 90_000,
  }, async () => {
    const world = await makeRunWorld();
    onTestFinished(() => world.store.close());
    const first: TrainDeps = { store: world.store, dataDir: world.root };

    // Run A is queued for a server worker; run B is driven directly and cancelled.
    const a = (
      await startRun(first, {
        recipeText: dpoRecipe(world, commandEngine('slurm-dpo'), 'slurm-a').replace(
          'max_steps: 4',
          'max_steps: 6',
        ),
      })
    ).run;
    const b = (
      await startRun(
        first,
        { recipeText: dpoRecipe(world, commandEngine('slurm-cancelled'), 'slurm-b') },
        { enqueue: false },
      )
    ).run;

    const worker1 = startJobWorker({
      store: world.store,
      handlers: { [TRAIN_JOB_KIND]: createTrainJobHandler(first) },
      pollMs: 100,
      leaseMs: 5_000,
    });
    const driveB = (async () => {
      const seen: RunEvent[] = [];
      for await (const ev of driveRunIter(first, b.id)) seen.push(ev);
      return seen;
    })();

    // A is on the cluster: stop this "Alignboard" (worker and store) while the Slurm job runs.
    await waitFor(first, a.id, (ev) => ev.type === 'status' && ev.status === 'running');
    const jobA = (await getRun(world.store, a.id)).executorJobId ?? '';
    expect(jobA).toMatch(/^\d+$/);
    await worker1.stop();
    expect(['RUNNING', 'COMPLETING', 'PENDING']).toContain(squeueState(jobA));

    // B: cancelled with scancel while running, and shown as cancelled.
    await waitFor(first, b.id, (ev) => ev.type === 'status' && ev.status === 'running');
    const jobB = (await getRun(world.store, b.id)).executorJobId ?? '';
    const cancelled = await cancelRun(first, b.id);
    expect(cancelled.status).toBe('cancelled');
    const bEvents = await driveB;
    expect(bEvents.at(-1)).toMatchObject({ type: 'finished', run: { status: 'cancelled' } });
    expect(execFileSync('scontrol', ['show', 'job', '-o', jobB], { encoding: 'utf8' })).toMatch(
      /JobState=CANCELLED/,
    );

    // A new instance (its own store connection and worker) takes the run over from the queue.
    const store2 = createStore({ databaseUrl: world.databaseUrl });
    onTestFinished(() => store2.close());
    const second: TrainDeps = { store: store2, dataDir: world.root };
    const finished = new Promise<RunEvent>((resolve) => {
      const worker2 = startJobWorker({
        store: store2,
        handlers: {
          [TRAIN_JOB_KIND]: createTrainJobHandler(second, {
            onEvent: (ev) => {
              if (ev.type === 'finished') resolve(ev);
            },
          }),
        },
        pollMs: 100,
        leaseMs: 5_000,
      });
      onTestFinished(() => worker2.stop());
    });
    const done = await finished;
    expect(done).toMatchObject({
      type: 'finished',
      run: { id: a.id, status: 'succeeded', executorJobId: jobA },
    });
    const run = await getRun(store2, a.id);
    expect(run.status, run.error ?? '').toBe('succeeded');

    // One Slurm job for A, its log streamed once into the run's log, every step's metrics read.
    const log = await readFile(path.join(run.runDir, 'run.log'), 'utf8');
    expect(log.match(/^step 1\/6 /gm)).toHaveLength(1);
    expect(log).toMatch(/^done: model in /m);
    expect((await listRunMetrics(store2, a.id)).map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(run.metricsSummary?.loss).toBeTypeOf('number');

    // Exactly one registered model, with lineage back to the base model, recipe and data.
    const models = await listModels(store2, { q: 'slurm-dpo' });
    expect(models.items.map((m) => m.name)).toEqual(['slurm-dpo']);
    const model = await getModel(store2, run.registeredModelId ?? '');
    expect(model.baseModel?.name).toBe('tiny');
    expect(model.training).toMatchObject({ runId: a.id, recipeHash: run.recipeHash, engine: 'command' });
    expect(model.training?.datasets).toEqual([expect.objectContaining({ version: world.versionId })]);
  });
});
