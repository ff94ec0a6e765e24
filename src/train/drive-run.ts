// Driving a run: submit its launch to the executor (or re-attach by the stored job id after a
// restart), stream the log, read metrics as the trainer writes them, and on success register
// the model with its lineage and queue the evaluations the recipe asks for. Every step is
// written to the run's row before the next, so any process can pick the run up where it stopped.
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { sleep } from '../common/async.js';
import { parseAt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import { cancelJob, isJobHeld, type Job, type JobContext, type Store } from '../store/index.js';
import { TrainError } from './errors.js';
import { execTrainerIter, FINAL_METRICS_FILE } from './exec-trainer.js';
import type { ClusterExecutor, ClusterJobSpec } from './executors/cluster-job.js';
import { watchJobIter } from './executors/cluster-job.js';
import { createLocalExecutor } from './executors/local-executor.js';
import { createRayExecutor } from './executors/ray-executor.js';
import { createSlurmExecutor } from './executors/slurm-executor.js';
import { parseRecipe, type Recipe } from './recipe.js';
import { registerTrainedModel } from './register-trained-model.js';
import { requestEvaluations } from './request-evaluations.js';
import { assertNoOtherDriver, holdRunDriver, readRunDriver } from './run-driver.js';
import { isFinished, type RunEvent, type RunStatus } from './run-schemas.js';
import { queueRun, runLayout, type TrainDeps } from './start-run.js';
import {
  getRun,
  getRunRow,
  ingestMetrics,
  listRunMetrics,
  runPreflightOf,
  type TrainRunRow,
  updateRun,
} from './train-runs.js';

/** The executor a recipe names; `inline` has none (the driver trains in its own process). */
export function createRunExecutor(recipe: Recipe): ClusterExecutor {
  const o = recipe.executor_options;
  switch (recipe.executor) {
    case 'local':
      return createLocalExecutor();
    case 'slurm': {
      const s = o?.slurm;
      return createSlurmExecutor({
        ...(s?.ssh && {
          ssh: {
            host: s.ssh.host,
            ...(s.ssh.user && { user: s.ssh.user }),
            ...(s.ssh.port && { port: s.ssh.port }),
            ...(s.ssh.identity_file && { identityFile: s.ssh.identity_file }),
          },
        }),
        ...(s?.slurm_conf && { slurmConf: s.slurm_conf }),
      });
    }
    case 'ray': {
      const address = o?.ray?.address;
      if (!address)
        throw new TrainError(
          'AB_TRAIN_ENGINE_UNKNOWN',
          'the ray executor needs executor_options.ray.address',
          {
            field: 'executor_options.ray.address',
          },
        );
      return createRayExecutor({ address });
    }
    case 'inline':
      throw new Error('the inline executor runs in the driver; there is no executor to create'); // a bug
  }
}

const LaunchFileSchema = z.object({
  argv: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()),
  metrics: z.object({ path: z.string() }),
});

function jobSpec(row: TrainRunRow, recipe: Recipe, launch: z.infer<typeof LaunchFileSchema>): ClusterJobSpec {
  const s = recipe.executor_options?.slurm;
  const e = recipe.engine_options;
  const ray = recipe.executor_options?.ray;
  const layout = runLayout(row.run_dir);
  const nodes = s?.nodes ?? e?.nodes;
  // The embedded and in-house (command) trainers ask for GPUs only through executor_options.
  const isGpuEngine = recipe.engine === 'trl' || recipe.engine === 'openrlhf' || recipe.engine === 'verl';
  const gpus = s?.gpus_per_node ?? ray?.gpus ?? (isGpuEngine ? e?.gpus_per_node : undefined);
  return {
    name: `ab-${recipe.name}-${row.id.slice(0, 8)}`,
    command: launch.argv,
    workdir: layout.workDir,
    env: { ...launch.env, ALIGNBOARD_RUN_ID: row.id },
    logFile: layout.jobLog,
    resources: {
      ...(nodes && nodes > 1 && { nodes }),
      ...(gpus && { gpusPerNode: gpus }),
      ...((s?.cpus_per_task ?? ray?.cpus) && { cpusPerTask: s?.cpus_per_task ?? ray?.cpus }),
      ...(s?.memory_mb && { memoryMb: s.memory_mb }),
      ...(s?.time_limit_minutes && { timeLimitMinutes: s.time_limit_minutes }),
      ...(s?.partition && { partition: s.partition }),
    },
  };
}

const ACTIVE: RunStatus[] = ['queued', 'submitted', 'running'];

export interface DriveRunOptions {
  signal?: AbortSignal;
  /** The caller holds the run's queue lease (a worker), which outranks another driver's record. */
  isLeaseHolder?: boolean;
  /** How often the executor is polled; defaults to the recipe's `executor_options.poll_ms`. */
  pollMs?: number;
}

/**
 * Drives run `runId` to its end and yields what happens. Submits only when the run has no
 * executor job yet; otherwise re-attaches to the stored job id and reads the log and metrics
 * from the stored offsets. A re-attached job that ended without success while nobody drove it
 * (a local job ends with its killed driver) is submitted again and resumes from the last
 * checkpoint. An abort (a stopping worker) leaves the job to its executor. Throws
 * AB_TRAIN_RUN_STATE while another live process drives the run.
 */
export async function* driveRunIter(
  deps: TrainDeps,
  runId: string,
  opts: DriveRunOptions = {},
): AsyncGenerator<RunEvent> {
  const row = await getRunRow(deps.store, runId);
  if (isFinished(row.status as RunStatus)) {
    yield { type: 'finished', run: await getRun(deps.store, runId) };
    return;
  }
  const release = await holdRunDriver(runId, row.run_dir, { isLeaseHolder: opts.isLeaseHolder === true });
  try {
    yield* driveHeldRunIter(deps, row, opts);
  } finally {
    await release();
  }
}

async function* driveHeldRunIter(
  deps: TrainDeps,
  initial: TrainRunRow,
  opts: DriveRunOptions,
): AsyncGenerator<RunEvent> {
  const { store } = deps;
  const runId = initial.id;
  const log = (deps.log ?? silentLogger).child({ domain: 'train', runId });
  const { signal } = opts;
  let row = initial;
  const loaded = parseRecipe(row.recipe, row.recipe_file ?? '<recipe>');
  const recipe = loaded.recipe;
  const layout = runLayout(row.run_dir);
  const launch = parseAt(LaunchFileSchema, JSON.parse(await readFile(layout.launchFile, 'utf8')), {
    file: layout.launchFile,
  });
  const pollMs = opts.pollMs ?? recipe.executor_options?.poll_ms ?? 1000;
  const status = (s: RunStatus): RunEvent => ({
    type: 'status',
    runId,
    status: s,
    executorJobId: row.executor_job_id,
  });
  const metrics = async (): Promise<RunEvent | undefined> => {
    const m = await ingestMetrics(store, row, launch.metrics.path);
    return m.points.length
      ? { type: 'metrics', runId, points: m.points, totalSteps: m.totalSteps }
      : undefined;
  };
  const fail = async (message: string, final: 'failed' | 'cancelled' = 'failed') => {
    await updateRun(
      store,
      runId,
      { status: final, error: message, finished_at: new Date().toISOString() },
      { onlyIfStatus: [...ACTIVE, 'registering'] },
    );
    log.warn({ status: final, error: message }, 'run ended without a model');
  };

  if (row.status !== 'registering') {
    if (recipe.executor === 'inline') {
      await updateRun(store, runId, {
        status: 'running',
        started_at: row.started_at ?? new Date().toISOString(),
      });
      yield status('running');
      const recipeFile = launch.env.ALIGNBOARD_RECIPE_FILE ?? path.join(layout.workDir, 'recipe.json');
      try {
        for await (const ev of execTrainerIter(recipeFile, {
          ...(signal && { signal }),
          ...(deps.servePolicy && { servePolicy: deps.servePolicy }),
        })) {
          if (ev.type !== 'step') continue;
          const m = await metrics();
          if (m) yield m;
        }
      } catch (err) {
        if (signal?.aborted) throw err; // a stopping worker: the queue hands the run to the next one
        await fail(err instanceof Error ? err.message : String(err));
        yield { type: 'finished', run: await getRun(store, runId) };
        return;
      }
    } else {
      const executor = createRunExecutor(recipe);
      let jobId = row.executor_job_id;
      let isSubmittedHere = false;
      for (;;) {
        if (!jobId) {
          let submitted: { jobId: string };
          try {
            submitted = await executor.submit(jobSpec(row, recipe, launch), { ...(signal && { signal }) });
          } catch (err) {
            if (signal?.aborted) throw err;
            await fail(err instanceof Error ? err.message : String(err)); // refused by the scheduler
            yield { type: 'finished', run: await getRun(store, runId) };
            return;
          }
          const isOurs = await updateRun(
            store,
            runId,
            {
              executor_job_id: submitted.jobId,
              status: 'submitted',
              started_at: row.started_at ?? new Date().toISOString(),
              log_offset: 0,
            },
            { onlyIfStatus: row.executor_job_id ? ACTIVE : ['queued'] },
          );
          if (!isOurs) {
            await executor.cancel(submitted.jobId); // cancelled while submitting: the job must not run
            yield { type: 'finished', run: await getRun(store, runId) };
            return;
          }
          jobId = submitted.jobId;
          isSubmittedHere = true;
          log.info({ executor: executor.kind, jobId }, 'run submitted');
        } else {
          log.info({ executor: executor.kind, jobId }, 'run re-attached');
        }
        row = await getRunRow(store, runId);
        yield status(row.status as RunStatus);
        let logOffset = Number(row.log_offset);
        let isLost = false;
        for await (const ev of watchJobIter(executor, jobId, {
          pollMs,
          logOffset,
          ...(signal && { signal }),
        })) {
          if (ev.type === 'log') {
            await appendFile(layout.runLog, ev.text);
            logOffset += Buffer.byteLength(ev.text);
            await updateRun(store, runId, { log_offset: logOffset });
            row.log_offset = logOffset;
            yield { type: 'log', runId, text: ev.text };
          }
          if (ev.type === 'state' && ev.status.state === 'running') {
            if (
              await updateRun(store, runId, { status: 'running' }, { onlyIfStatus: ['queued', 'submitted'] })
            )
              yield status('running');
          }
          const m = await metrics();
          if (m) yield m;
          if (ev.type === 'finished' && ev.status.state === 'failed' && !isSubmittedHere) {
            isLost = true; // it ended while no driver watched it, most likely with its driver
            break;
          }
          if (ev.type === 'finished' && ev.status.state !== 'succeeded') {
            const tail = (await readFile(layout.runLog, 'utf8').catch(() => ''))
              .trimEnd()
              .split('\n')
              .slice(-5)
              .join(' | ');
            const what = `${executor.kind} job ${jobId} ${ev.status.schedulerState}${ev.status.exitCode !== undefined ? ` (exit ${ev.status.exitCode})` : ''}${ev.status.reason ? `: ${ev.status.reason}` : ''}`;
            await fail(
              tail ? `${what}; log: ${tail.slice(-400)}` : what,
              ev.status.state === 'cancelled' ? 'cancelled' : 'failed',
            );
            yield { type: 'finished', run: await getRun(store, runId) };
            return;
          }
        }
        if (!isLost) break;
        log.warn(
          { executor: executor.kind, jobId },
          'run job ended unwatched; resubmitting from the last checkpoint',
        );
        jobId = null;
      }
    }
  }
  yield* finishRun(deps, runId, log);
}

async function* finishRun(deps: TrainDeps, runId: string, log: Logger): AsyncGenerator<RunEvent> {
  const { store } = deps;
  const isClaimed = await updateRun(store, runId, { status: 'registering' }, { onlyIfStatus: ACTIVE });
  let row = await getRunRow(store, runId);
  if (!isClaimed && row.status !== 'registering') {
    yield { type: 'finished', run: await getRun(store, runId) }; // cancelled meanwhile, or finished elsewhere
    return;
  }
  const loaded = parseRecipe(row.recipe, row.recipe_file ?? '<recipe>');
  const layout = runLayout(row.run_dir);
  const finalMetrics = await readFinalMetrics(path.join(layout.outputDir, FINAL_METRICS_FILE));
  const points = await listRunMetrics(store, runId);
  const summary = { ...(points.at(-1)?.metrics ?? {}), ...finalMetrics };
  try {
    if (!row.registered_model_id) {
      const model = await registerTrainedModel(
        store,
        {
          runId,
          recipe: loaded,
          modelDir: layout.outputDir,
          preflight: { ...runPreflightOf(row), consumption: {} },
          startedAt: row.started_at ?? row.created_at,
          finishedAt: new Date().toISOString(),
          finalMetrics: summary,
        },
        { log },
      );
      await updateRun(store, runId, { registered_model_id: model.id });
      row = await getRunRow(store, runId);
      log.info({ modelId: model.id }, 'model registered');
    }
    // Stored before the run succeeds, so a driver that takes over a half-finished run does not queue twice.
    if (row.registered_model_id && row.evaluations === null) {
      const evaluations = await requestEvaluations(deps, loaded.recipe, row.registered_model_id, log);
      await updateRun(store, runId, { evaluations: JSON.stringify(evaluations) });
    }
    await updateRun(
      store,
      runId,
      {
        status: 'succeeded',
        metrics_summary: JSON.stringify(summary),
        finished_at: new Date().toISOString(),
        error: null,
      },
      { onlyIfStatus: ['registering'] },
    );
  } catch (err) {
    await updateRun(store, runId, {
      status: 'failed',
      error: `training finished but the model could not be registered: ${err instanceof Error ? err.message : String(err)}`,
      finished_at: new Date().toISOString(),
    });
  }
  yield { type: 'finished', run: await getRun(store, runId) };
}

async function readFinalMetrics(file: string): Promise<Record<string, number>> {
  const text = await readFile(file, 'utf8').catch(() => undefined); // optional in the contract
  if (!text) return {};
  const parsed = z.record(z.string(), z.unknown()).safeParse(JSON.parse(text));
  const out: Record<string, number> = {};
  if (parsed.success)
    for (const [k, v] of Object.entries(parsed.data))
      if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/** Drains `driveRunIter` and returns the finished run. */
export async function driveRun(deps: TrainDeps, runId: string, opts: DriveRunOptions = {}) {
  for await (const ev of driveRunIter(deps, runId, opts)) if (ev.type === 'finished') return ev.run;
  return getRun(deps.store, runId);
}

/** The job-queue handler of `train-run` jobs: drives the run named by the payload. */
export function createTrainJobHandler(
  deps: TrainDeps,
  opts: { onEvent?: (ev: RunEvent) => void; pollMs?: number } = {},
): (job: Job, ctx: JobContext) => Promise<unknown> {
  return async function handleTrainJob(job, ctx) {
    const { runId } = parseAt(z.object({ runId: z.string() }), job.payload, {
      field: `jobs.${job.id}.payload`,
    });
    for await (const ev of driveRunIter(deps, runId, {
      signal: ctx.signal,
      isLeaseHolder: true,
      ...(opts.pollMs !== undefined && { pollMs: opts.pollMs }),
    })) {
      opts.onEvent?.(ev);
      if (ev.type === 'metrics')
        ctx.reportProgress({ runId, step: ev.points.at(-1)?.step, totalSteps: ev.totalSteps });
    }
    return { runId };
  };
}

/**
 * Cancels a run: a queued run at once; a submitted or running one through its executor
 * (`scancel`, Ray's stop, SIGTERM to a local process group). Its last checkpoint is kept.
 */
export async function cancelRun(deps: TrainDeps, runId: string) {
  const { store } = deps;
  const row = await getRunRow(store, runId);
  if (isFinished(row.status as RunStatus) || row.status === 'registering')
    throw new TrainError(
      'AB_TRAIN_RUN_STATE',
      `run ${runId} is ${row.status}; only an active run can be cancelled`,
      { field: 'runId' },
      { status: 409 },
    );
  const recipe = parseRecipe(row.recipe, row.recipe_file ?? '<recipe>').recipe;
  if (row.executor_job_id && recipe.executor !== 'inline')
    await createRunExecutor(recipe).cancel(row.executor_job_id);
  await updateRun(
    store,
    runId,
    { status: 'cancelled', error: 'cancelled by request', finished_at: new Date().toISOString() },
    { onlyIfStatus: ACTIVE },
  );
  if (row.queue_job_id) await cancelJob(store, row.queue_job_id);
  return getRun(store, runId);
}

/**
 * Starts a run again from the newest checkpoint in its output folder; metrics already stored
 * are kept. A failed or cancelled run gets a new executor job. An active run whose driver is
 * gone (a SIGKILLed CLI or server) keeps its executor job id, so the next driver re-attaches to
 * it or, when it ended with its driver, submits it again. Throws AB_TRAIN_RUN_STATE while a live
 * process or a server worker's lease still drives the run.
 */
export async function resumeRun(deps: TrainDeps, runId: string, opts: { enqueue?: boolean } = {}) {
  const { store } = deps;
  const row = await getRunRow(store, runId);
  const status = row.status as RunStatus;
  if (status === 'failed' || status === 'cancelled') {
    await updateRun(
      store,
      runId,
      {
        status: 'queued',
        executor_job_id: null,
        log_offset: 0,
        error: null,
        finished_at: null,
        queue_job_id: null,
      },
      { onlyIfStatus: ['failed', 'cancelled'] },
    );
  } else if (ACTIVE.includes(status)) {
    await assertOrphaned(store, row);
    // The old queue job must not be taken over as well: a queued one is cancelled at once,
    // and a dead worker's one is never taken over once its cancel is asked for.
    if (row.queue_job_id) await cancelJob(store, row.queue_job_id);
    await updateRun(store, runId, { queue_job_id: null }, { onlyIfStatus: ACTIVE });
  } else {
    throw new TrainError(
      'AB_TRAIN_RUN_STATE',
      `run ${runId} is ${row.status}; only a failed, cancelled or abandoned run can be resumed`,
      { field: 'runId' },
      { status: 409 },
    );
  }
  if (opts.enqueue !== false) await queueRun(store, runId);
  return getRun(store, runId);
}

/** An active run may be resumed only when nothing drives it: no live queue lease, no live driver. */
async function assertOrphaned(store: Store, row: TrainRunRow): Promise<void> {
  if (row.queue_job_id) {
    if (await isJobHeld(store, row.queue_job_id))
      throw new TrainError(
        'AB_TRAIN_RUN_STATE',
        `run ${row.id} is being driven by a server worker; if that server died, its lease expires and another worker takes the run over`,
        { field: 'runId' },
        { status: 409 },
      );
    return; // a dead worker's lease: its driver record is stale whatever host it names
  }
  assertNoOtherDriver(row.id, row.run_dir, await readRunDriver(row.run_dir));
}

/**
 * Follows a run from the store, wherever it is driven: status changes, new metrics and new log
 * text, until it finishes. What the server's event stream and the CLI's `status --follow` read.
 */
export async function* watchRunIter(
  store: Store,
  runId: string,
  opts: { pollMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<RunEvent> {
  const pollMs = opts.pollMs ?? 1000;
  let lastStatus = '';
  let lastStep = -1;
  let logOffset = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const run = await getRun(store, runId);
    if (run.status !== lastStatus) {
      lastStatus = run.status;
      yield { type: 'status', runId, status: run.status, executorJobId: run.executorJobId };
    }
    const points = await listRunMetrics(store, runId, { afterStep: lastStep });
    if (points.length) {
      lastStep = points.at(-1)?.step ?? lastStep;
      yield { type: 'metrics', runId, points, totalSteps: run.totalSteps };
    }
    const text = await readFile(runLayout(run.runDir).runLog).catch(() => Buffer.alloc(0)); // no log yet
    if (text.length > logOffset) {
      yield { type: 'log', runId, text: text.subarray(logOffset).toString('utf8') };
      logOffset = text.length;
    }
    if (isFinished(run.status)) {
      yield { type: 'finished', run };
      return;
    }
    await sleep(pollMs, opts.signal);
  }
}
