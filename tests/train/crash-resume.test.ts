// SIGKILL, not an abort: `alignboard train run` (the built CLI) is killed with its whole process
// group twice after a checkpoint and finished with `alignboard train resume`; a server driving
// the run from its queue is SIGKILLed and restarted on the same database. Each ends like an
// uninterrupted run of the same seeded recipe: the same metrics per step, stored once, the same
// weights bit for bit, one registered model, and no trainer left running after its driver died.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { sleep } from '../../src/common/async.js';
import { loadModelDir } from '../../src/engine/index.js';
import { getRun, listRunMetrics, type TrainRun } from '../../src/train/index.js';
import { BIN, freePort, ROOT, runCli } from '../helpers/cli.js';
import { dpoRecipe, makeRunWorld, type RunWorld } from './run-world.js';

const STEPS = 12;
/** Checkpoint steps after which each attempt is killed (checkpoint_every: 2). */
const KILL_AFTER = [2, 6];
/** Wall-clock figures of a step, not results: they differ between any two runs. */
const TIMING = new Set(['tokens_per_s', 'seconds']);

function recipeOf(world: RunWorld): string {
  return dpoRecipe(world, 'executor: local\nexecutor_options: { poll_ms: 100 }\n').replace(
    'max_steps: 4',
    `max_steps: ${STEPS}`,
  );
}

function envOf(world: RunWorld): NodeJS.ProcessEnv {
  return {
    ALIGNBOARD_DATA_DIR: world.root,
    ALIGNBOARD_DATABASE_URL: world.databaseUrl,
    ALIGNBOARD_LOG_LEVEL: 'warn',
  };
}

/** A command in its own process group, so the test can SIGKILL the group (it and its children). */
function spawnGroup(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(BIN, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'pipe',
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(() => killGroup(child));
  return { child, exited, output: () => out };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: already gone
  }
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false; // ESRCH: no process left in the group
  }
}

/** Polls `probe` every 100 ms until it returns a value, for at most `ms`. */
async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The step of the newest checkpoint the trainer has written in the run's output folder. */
async function checkpointStep(run: TrainRun): Promise<number> {
  const text = await readFile(path.join(run.runDir, 'output', 'latest.json'), 'utf8').catch(() => '{}');
  return Number((JSON.parse(text) as { step?: number }).step ?? 0);
}

/** The trainer's process group (the local job id is `<pid>:<log>`, the pid leads its group). */
const trainerGroup = (run: TrainRun) => Number((run.executorJobId ?? '').split(':')[0]);

async function waitForCheckpoint(world: RunWorld, runId: string, step: number, output: () => string) {
  return waitFor(`a checkpoint at step ${step}:\n${output()}`, 60_000, async () => {
    const run = await getRun(world.store, runId);
    const at = await checkpointStep(run);
    if (at >= step && run.executorJobId) return { run, at };
    return undefined;
  });
}

/** After its driver died, the trainer's group must end by itself, well before the run would. */
async function expectTrainerGone(run: TrainRun) {
  const pgid = trainerGroup(run);
  expect(pgid).toBeGreaterThan(0);
  await waitFor(`trainer group ${pgid} to end after its driver died`, 10_000, async () =>
    isGroupAlive(pgid) ? undefined : true,
  );
}

/** Everything an uninterrupted run determines: metrics per step (without timings) and weights. */
async function outcome(world: RunWorld, runId: string) {
  const run = await getRun(world.store, runId);
  const metrics = (await listRunMetrics(world.store, runId)).map((p) => ({
    step: p.step,
    metrics: Object.fromEntries(Object.entries(p.metrics).filter(([k]) => !TIMING.has(k))),
  }));
  const model = await loadModelDir(path.join(run.runDir, 'output'));
  const registered = await world.store.db
    .selectFrom('registry_models')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('location', '=', path.join(run.runDir, 'output'))
    .executeTakeFirstOrThrow();
  return { run, metrics, weights: Buffer.from(model.model.params.buffer), models: Number(registered.n) };
}

async function uninterrupted(world: RunWorld, recipeFile: string) {
  const res = await runCli(['train', 'run', recipeFile, '--json'], envOf(world));
  expect(res.code, res.stderr).toBe(0);
  const run = JSON.parse(res.stdout) as TrainRun;
  expect(run.status, run.error ?? '').toBe('succeeded');
  return outcome(world, run.id);
}

/** A fresh store and the outcome of an uninterrupted `train run` of the recipe in it. */
async function worldWithReference() {
  const world = await makeRunWorld();
  onTestFinished(() => world.store.close());
  const recipeFile = path.join(world.root, 'recipe.yaml');
  await writeFile(recipeFile, recipeOf(world));
  return { world, recipeFile, ref: await uninterrupted(world, recipeFile) };
}

function expectSameOutcome(
  got: Awaited<ReturnType<typeof outcome>>,
  ref: Awaited<ReturnType<typeof outcome>>,
): void {
  expect(got.run.status, got.run.error ?? '').toBe('succeeded');
  expect(got.metrics.map((p) => p.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
  expect(got.metrics).toEqual(ref.metrics);
  expect(got.weights.equals(ref.weights), 'final weights differ from the uninterrupted run').toBe(true);
  expect(got.models).toBe(1);
  expect(got.run.registeredModelId).toBeTruthy();
}

test('`alignboard train run` SIGKILLed with its process group twice, then `train resume`: the metrics and weights of an uninterrupted run', {
  timeout: 240_000,
}, async () => {
  const { world, recipeFile, ref } = await worldWithReference();

  let runId: string | undefined;
  for (const [attempt, step] of KILL_AFTER.entries()) {
    const cli = spawnGroup(runId ? ['train', 'resume', runId] : ['train', 'run', recipeFile], envOf(world));
    runId ??= await waitFor(
      `the run id:\n${cli.output()}`,
      60_000,
      async () => /run ([0-9a-f-]{36})/.exec(cli.output())?.[1],
    );
    const { run, at } = await waitForCheckpoint(world, runId, step, cli.output);
    expect(at, `attempt ${attempt} must be killed before the run ends`).toBeLessThan(STEPS);
    killGroup(cli.child);
    expect(await cli.exited, cli.output()).toEqual({ code: null, signal: 'SIGKILL' });
    await expectTrainerGone(run);
    const killed = await getRun(world.store, runId);
    expect(['submitted', 'running']).toContain(killed.status); // what a killed driver leaves behind
  }

  // The stale driver record and the dead job do not block the command a user runs.
  const res = await runCli(['train', 'resume', runId as string, '--json'], envOf(world));
  expect(res.code, res.stderr).toBe(0);
  const got = await outcome(world, runId as string);
  expectSameOutcome(got, ref);
  const log = await readFile(path.join(got.run.runDir, 'run.log'), 'utf8');
  // The last resume starts from the last kill's checkpoint. Earlier resumes' lines may be missing:
  // a driver killed between starting a trainer and storing its job id loses that attempt's log
  // (not its checkpoints or metrics, checked above).
  const resumedFrom = [...log.matchAll(/resumed from step (\d+)/g)].map((m) => Number(m[1]));
  expect(resumedFrom.length, log).toBeGreaterThanOrEqual(1);
  expect(resumedFrom.at(-1), log).toBeGreaterThanOrEqual(KILL_AFTER.at(-1) as number);
});

test('a server SIGKILLed mid-run and restarted on the same database takes the run over and finishes it from its checkpoint', {
  timeout: 240_000,
}, async () => {
  const { world, ref } = await worldWithReference();

  const serve = async () => {
    const port = await freePort();
    const server = spawnGroup(['serve', '--port', String(port)], envOf(world));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`the server on ${base}:\n${server.output()}`, 60_000, async () =>
      (await fetch(`${base}/api/health`).catch(() => undefined))?.ok ? true : undefined,
    );
    return { ...server, base };
  };
  const first = await serve();
  const created = await fetch(`${first.base}/api/train/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ recipe: recipeOf(world) }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const runId = ((await created.json()) as { run: TrainRun }).run.id;
  const { run, at } = await waitForCheckpoint(world, runId, KILL_AFTER[0] as number, first.output);
  expect(at).toBeLessThan(STEPS);
  killGroup(first.child);
  expect(await first.exited, first.output()).toEqual({ code: null, signal: 'SIGKILL' });
  await expectTrainerGone(run);

  // Its lease is still valid for half a minute; the restarted server sees its owner is dead.
  const second = await serve();
  const done = await waitFor(
    `the run to finish on the restarted server:\n${second.output()}`,
    120_000,
    async () => {
      const r = await getRun(world.store, runId);
      return r.status === 'succeeded' || r.status === 'failed' || r.status === 'cancelled' ? r : undefined;
    },
  );
  expect(done.status, done.error ?? '').toBe('succeeded');
  const got = await outcome(world, runId);
  expectSameOutcome(got, ref);
  expect(await readFile(path.join(got.run.runDir, 'run.log'), 'utf8')).toMatch(/resumed from step [1-9]/);
  // One job, taken over once; the worker marks it done just after the run.
  const jobs = await waitFor('the queue job to finish', 10_000, async () => {
    const rows = await world.store.db
      .selectFrom('jobs')
      .select(['status', 'attempts'])
      .where('kind', '=', 'train-run')
      .execute();
    return rows.some((r) => r.status === 'running') ? undefined : rows;
  });
  expect(jobs).toEqual([{ status: 'succeeded', attempts: 2 }]);

  killGroup(second.child, 'SIGTERM');
  expect((await second.exited).code, second.output()).toBe(0);
});
