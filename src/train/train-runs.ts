// Training runs as stored rows: reading them back (run, list, metrics) and the small updates the
// driver makes. Offsets are bigint in the table, so PostgreSQL hands them back as strings.
import { z } from 'zod';
import { getEvalJob } from '../eval/index.js';
import type { Database, Store } from '../store/index.js';
import { TrainError } from './errors.js';
import { readFileFrom } from './executors/cluster-job.js';
import { parseRecipe } from './recipe.js';
import {
  type EvaluationJobState,
  EvaluationRequestSchema,
  type MetricPoint,
  type RunEvaluation,
  type RunPreflight,
  RunPreflightSchema,
  type RunStatus,
  RunStatusSchema,
  type TrainRun,
} from './run-schemas.js';

export type TrainRunRow = Database['train_runs'];

const NumbersSchema = z.record(z.string(), z.unknown());
const numbersOf = (value: unknown): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(NumbersSchema.parse(value)))
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
};

/** The preflight report stored with the run. */
export function runPreflightOf(row: TrainRunRow): RunPreflight {
  return RunPreflightSchema.parse(JSON.parse(row.preflight));
}

/** The evaluations a run requested, each queued job with its current state from the job queue. */
async function runEvaluations(store: Store, row: TrainRunRow): Promise<RunEvaluation[]> {
  const requests = z.array(EvaluationRequestSchema).parse(JSON.parse(row.evaluations ?? '[]'));
  const out: RunEvaluation[] = [];
  for (const r of requests) {
    const jobs: EvaluationJobState[] = [];
    for (const id of r.jobIds) {
      // A job removed from the queue has no state left to show; the id stays in `jobIds`.
      const job = await getEvalJob(store, id).catch(() => null);
      if (job) jobs.push({ id, task: job.task, status: job.status, evalRunId: job.runId, error: job.error });
    }
    out.push({ ...r, jobs });
  }
  return out;
}

async function toRun(store: Store, row: TrainRunRow): Promise<TrainRun> {
  const recipe = parseRecipe(row.recipe, row.recipe_file ?? '<recipe>').recipe;
  return {
    id: row.id,
    name: row.name,
    algorithm: row.algorithm,
    engine: row.engine,
    executor: row.executor,
    status: RunStatusSchema.parse(row.status),
    recipe: row.recipe,
    recipeFile: row.recipe_file,
    recipeHash: row.recipe_hash,
    baseModel: recipe.base_model,
    datasets: recipe.datasets.map((d) => ({ name: d.name, version: d.version, role: d.role })),
    preflight: runPreflightOf(row),
    isOverride: Number(row.is_override) === 1,
    runDir: row.run_dir,
    executorJobId: row.executor_job_id,
    totalSteps: row.total_steps === null ? null : Number(row.total_steps),
    lastStep: row.last_step === null ? null : Number(row.last_step),
    metricsSummary: row.metrics_summary ? numbersOf(JSON.parse(row.metrics_summary)) : null,
    registeredModelId: row.registered_model_id,
    evaluations: await runEvaluations(store, row),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

export async function getRunRow(store: Store, id: string): Promise<TrainRunRow> {
  const row = await store.db.selectFrom('train_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row)
    throw new TrainError(
      'AB_TRAIN_RUN_NOT_FOUND',
      `no training run "${id}"`,
      { field: 'runId' },
      { status: 404 },
    );
  return row;
}

export async function getRun(store: Store, id: string): Promise<TrainRun> {
  return toRun(store, await getRunRow(store, id));
}

export async function listRuns(
  store: Store,
  opts: { status?: RunStatus; limit?: number } = {},
): Promise<TrainRun[]> {
  let q = store.db
    .selectFrom('train_runs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(opts.limit ?? 100);
  if (opts.status) q = q.where('status', '=', opts.status);
  const runs: TrainRun[] = [];
  for (const row of await q.execute()) runs.push(await toRun(store, row));
  return runs;
}

/** Metrics of a run by step, from step `afterStep` on (exclusive). */
export async function listRunMetrics(
  store: Store,
  runId: string,
  opts: { afterStep?: number } = {},
): Promise<MetricPoint[]> {
  const rows = await store.db
    .selectFrom('train_metrics')
    .select(['step', 'metrics'])
    .where('run_id', '=', runId)
    .where('step', '>', opts.afterStep ?? -1)
    .orderBy('step')
    .execute();
  return rows.map((r) => ({ step: Number(r.step), metrics: numbersOf(JSON.parse(r.metrics)) }));
}

export async function updateRun(
  store: Store,
  id: string,
  set: Partial<Omit<TrainRunRow, 'id' | 'created_at'>>,
  opts: { onlyIfStatus?: RunStatus[] } = {},
): Promise<boolean> {
  let q = store.db
    .updateTable('train_runs')
    .set({ ...set, updated_at: new Date().toISOString() })
    .where('id', '=', id);
  if (opts.onlyIfStatus) q = q.where('status', 'in', opts.onlyIfStatus);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

const MetricLineSchema = z.object({ step: z.number().int().nonnegative() }).catchall(z.unknown());

/**
 * Reads the metrics file's complete new lines from the run's stored offset, writes one row per
 * step (a step written twice, as after a resume, keeps its first row) and advances the offset.
 */
export async function ingestMetrics(
  store: Store,
  run: TrainRunRow,
  metricsFile: string,
): Promise<{ points: MetricPoint[]; totalSteps: number | null }> {
  const offset = Number(run.metrics_offset);
  const bytes = await readFileFrom(metricsFile, offset);
  if (!bytes) return { points: [], totalSteps: null }; // the trainer has not written a step yet
  const end = bytes.lastIndexOf(0x0a) + 1; // an unfinished last line waits for the next read
  if (end === 0) return { points: [], totalSteps: null };
  const points: MetricPoint[] = [];
  let totalSteps: number | null = null;
  for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    let parsed: z.infer<typeof MetricLineSchema>;
    try {
      parsed = MetricLineSchema.parse(JSON.parse(line));
    } catch {
      continue; // the contract's reader skips a line that is not a metrics object
    }
    const { step, total_steps, ...rest } = parsed;
    if (typeof total_steps === 'number') totalSteps = total_steps;
    points.push({ step, metrics: numbersOf(rest) });
  }
  for (let i = 0; i < points.length; i += 500)
    await store.db
      .insertInto('train_metrics')
      .values(
        points
          .slice(i, i + 500)
          .map((p) => ({ run_id: run.id, step: p.step, metrics: JSON.stringify(p.metrics) })),
      )
      .onConflict((oc) => oc.columns(['run_id', 'step']).doNothing())
      .execute();
  const last = points.at(-1);
  await updateRun(store, run.id, {
    metrics_offset: offset + end,
    ...(last ? { last_step: Math.max(last.step, Number(run.last_step ?? 0)) } : {}),
    ...(totalSteps !== null ? { total_steps: totalSteps } : {}),
  });
  run.metrics_offset = offset + end;
  return { points, totalSteps };
}
