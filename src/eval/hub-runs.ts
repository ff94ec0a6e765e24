import { parseAt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import { getModel } from '../registry/index.js';
import { enqueueJob, getJob, type Job, type JobContext, listJobs, type Store } from '../store/index.js';
import { loadBuiltinDocs } from './builtin-tasks.js';
import { getEndpoint, resolveEndpointTarget } from './endpoints.js';
import { EvaluationError } from './errors.js';
import { applySettings, getHubTask, getSuite } from './hub-catalog.js';
import {
  type EnqueueRunsInput,
  type EvalJob,
  type EvalJobPayload,
  EvalJobPayloadSchema,
  type EvalProgress,
  EvalProgressSchema,
  type PinnedSettings,
  type Preflight,
  type RunTarget,
} from './hub-schemas.js';
import { missingJudge, requireJudgeEndpoint } from './judge.js';
import { checkCapabilities, type EvalEvent, evaluateIter, requiredCapability } from './run-eval.js';
import type { Endpoint, TaskSpec } from './schemas.js';

export const EVAL_JOB_KIND = 'eval-run';

interface ResolvedTarget {
  key: string;
  label: string;
  endpointId: string;
  modelId: string | null;
}

async function resolveTarget(store: Store, t: RunTarget): Promise<ResolvedTarget> {
  if ('endpointId' in t) {
    const e = await getEndpoint(store, t.endpointId);
    return { key: `endpoint:${e.id}`, label: e.name, endpointId: e.id, modelId: null };
  }
  const model = await getModel(store, t.modelId);
  const binding = await store.db
    .selectFrom('eval_bindings')
    .select('endpoint_id')
    .where('model_id', '=', model.id)
    .executeTakeFirst();
  if (!binding)
    throw new EvaluationError(
      'AB_EVAL_MODEL_UNBOUND',
      `model "${model.name}@${model.version}" is not bound to an endpoint; bind it on the run page (PUT /api/eval/models/${model.id}/binding)`,
      { field: 'modelId' },
      { status: 409 },
    );
  return {
    key: model.id,
    label: `${model.name}@${model.version}`,
    endpointId: binding.endpoint_id,
    modelId: model.id,
  };
}

async function expand(
  store: Store,
  input: Pick<EnqueueRunsInput, 'suite' | 'tasks' | 'settings'>,
): Promise<{ task: string; settings: PinnedSettings; suite: string | null }[]> {
  if (input.suite) {
    const suite = await getSuite(store, input.suite);
    return suite.items.map(({ task, ...settings }) => ({ task, settings, suite: suite.name }));
  }
  return (input.tasks ?? []).map((task) => ({ task, settings: input.settings ?? {}, suite: null }));
}

const JUDGE_FIELD = 'judgeEndpointId';

/** Why the named judge cannot grade a judged task: none named, or its probe found no chat API. */
function judgeRefusal(task: TaskSpec, judge: Endpoint | null): string | null {
  const missing = missingJudge(task, judge !== null);
  if (missing) return `${missing}; pick one with the judge picker (${JUDGE_FIELD})`;
  if (task.outputType === 'judge' && judge?.capabilities && !judge.capabilities.chat)
    return `judge endpoint "${judge.name}" has no chat API, which judging needs`;
  return null;
}

/** The probe's verdict for every target × task, before anything is queued. */
export async function preflightRuns(store: Store, input: EnqueueRunsInput): Promise<Preflight> {
  const items = await expand(store, input);
  const judge = input.judgeEndpointId ? await getEndpoint(store, input.judgeEndpointId) : null;
  const verdicts: Preflight['verdicts'] = [];
  for (const t of input.targets) {
    const target = await resolveTarget(store, t);
    const endpoint = await getEndpoint(store, target.endpointId);
    for (const item of items) {
      const task = await getHubTask(store, item.task);
      const need = requiredCapability(task);
      const base = { target: target.key, targetLabel: target.label, task: item.task };
      const refusal = judgeRefusal(task, judge);
      if (refusal) {
        verdicts.push({ ...base, isOk: false, reason: refusal });
        continue;
      }
      if (!endpoint.capabilities) {
        verdicts.push({
          ...base,
          isOk: true,
          reason: `not probed yet; probed when the run starts (needs ${need.key})`,
        });
        continue;
      }
      try {
        checkCapabilities(task, endpoint.capabilities, endpoint.name);
        verdicts.push({ ...base, isOk: true, reason: `${endpoint.name} provides ${need.key}` });
      } catch (err) {
        verdicts.push({ ...base, isOk: false, reason: (err as Error).message });
      }
    }
  }
  return { verdicts };
}

/** Queues one job per target × task (a suite expands into its tasks with their pinned settings). */
export async function enqueueRuns(store: Store, input: EnqueueRunsInput): Promise<EvalJob[]> {
  const items = await expand(store, input);
  const judge = input.judgeEndpointId ? await getEndpoint(store, input.judgeEndpointId) : null;
  for (const item of items)
    requireJudgeEndpoint(await getHubTask(store, item.task), judge !== null, JUDGE_FIELD);
  const targets = [];
  for (const t of input.targets) targets.push(await resolveTarget(store, t));
  const jobs: EvalJob[] = [];
  for (const target of targets) {
    for (const item of items) {
      const payload: EvalJobPayload = {
        task: item.task,
        endpointId: target.endpointId,
        modelId: target.modelId,
        suite: item.suite,
        settings: item.settings,
        judgeEndpointId: judge?.id ?? null,
      };
      const job = await enqueueJob(store, { kind: EVAL_JOB_KIND, payload, maxAttempts: 3 });
      jobs.push(await toEvalJob(store, job));
    }
  }
  return jobs;
}

/** The latest snapshot: the final one in the job's result, else the last one its lease stored. */
function progressOf(job: Job): EvalProgress | null {
  const final = EvalProgressSchema.safeParse((job.result as { progress?: unknown } | null)?.progress);
  if (final.success) return final.data;
  const r = EvalProgressSchema.safeParse(job.progress);
  return r.success ? r.data : null;
}

/** A job as the run page shows it, with endpoint and model names. */
export async function toEvalJob(store: Store, job: Job): Promise<EvalJob> {
  const p = parseAt(EvalJobPayloadSchema, job.payload, { field: `jobs.${job.id}.payload` });
  const endpoint = await getEndpoint(store, p.endpointId).catch(() => null);
  const judge = p.judgeEndpointId ? await getEndpoint(store, p.judgeEndpointId).catch(() => null) : null;
  const model = p.modelId ? await getModel(store, p.modelId).catch(() => null) : null;
  const link = await store.db
    .selectFrom('eval_run_links')
    .select('run_id')
    .where('job_id', '=', job.id)
    .executeTakeFirst();
  const progress = progressOf(job);
  return {
    id: job.id,
    status: job.status,
    task: p.task,
    endpointId: p.endpointId,
    endpointName: endpoint?.name ?? null,
    modelId: p.modelId,
    modelName: model ? `${model.name}@${model.version}` : null,
    judgeEndpointId: p.judgeEndpointId,
    judgeEndpointName: judge?.name ?? null,
    suite: p.suite,
    runId: link?.run_id ?? progress?.runId ?? null,
    progress,
    error: job.error,
    attempts: job.attempts,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

export async function listEvalJobs(store: Store, opts: { limit?: number } = {}): Promise<EvalJob[]> {
  const jobs = await listJobs(store, { kind: EVAL_JOB_KIND, limit: opts.limit ?? 50 });
  const out: EvalJob[] = [];
  for (const j of jobs) out.push(await toEvalJob(store, j));
  return out;
}

export async function getEvalJob(store: Store, id: string): Promise<EvalJob> {
  const job = await getJob(store, id);
  if (!job || job.kind !== EVAL_JOB_KIND)
    throw new EvaluationError(
      'AB_EVAL_JOB_NOT_FOUND',
      `no evaluation job "${id}"`,
      { field: 'jobId' },
      { status: 404 },
    );
  return toEvalJob(store, job);
}

/** Progress of a job as a snapshot, from an event of its run. */
export function progressFromEvent(e: EvalEvent, prev: EvalProgress | null): EvalProgress | null {
  const base = prev ?? { runId: null, done: 0, failed: 0, total: 0, ratePerSec: 0, etaSec: null };
  if (e.type === 'started') return { ...base, runId: e.runId, done: e.done, total: e.total };
  if (e.type === 'sample')
    return {
      runId: e.runId,
      done: e.done,
      failed: e.failed,
      total: e.total,
      ratePerSec: e.ratePerSec,
      etaSec: e.etaSec,
    };
  if (e.type === 'sample-failed') return { ...base, failed: base.failed + 1 };
  if (e.type === 'finished') return { ...base, runId: e.runId, done: e.summary.samples, etaSec: 0 };
  return null;
}

/**
 * The `eval-run` job: evaluates one task on one endpoint. The run is linked to its job at
 * start, so a job taken over after a restart resumes the same run (finished samples are kept
 * under their idempotent keys) instead of starting again.
 */
export async function runEvalJob(
  store: Store,
  job: Job,
  ctx: JobContext & {
    log?: Logger;
    onEvent?: (jobId: string, e: EvalEvent) => void;
    env?: NodeJS.ProcessEnv;
  },
): Promise<{ runId: string; status: string; progress: EvalProgress | null }> {
  const log = ctx.log ?? silentLogger;
  const p = parseAt(EvalJobPayloadSchema, job.payload, { field: `jobs.${job.id}.payload` });
  const task = applySettings(await getHubTask(store, p.task), p.settings);
  const endpoint = await getEndpoint(store, p.endpointId);
  const judge = p.judgeEndpointId ? await getEndpoint(store, p.judgeEndpointId) : null;
  const docs = await loadBuiltinDocs(task);
  const model = p.modelId ? await getModel(store, p.modelId) : null;
  const link = await store.db
    .selectFrom('eval_run_links')
    .select('run_id')
    .where('job_id', '=', job.id)
    .executeTakeFirst();
  let progress: EvalProgress | null = null;
  let finished: { runId: string; status: string } | null = null;
  for await (const e of evaluateIter(
    {
      task,
      endpoint: {
        ...resolveEndpointTarget(endpoint, ctx.env),
        id: endpoint.id,
        capabilities: endpoint.capabilities,
      },
      ...(judge && { judgeEndpoint: resolveEndpointTarget(judge, ctx.env) }),
      ...(docs && { docs }),
      ...(p.settings.limit !== undefined && { limit: p.settings.limit }),
      ...(link && { runId: link.run_id }),
      chatTemplateHash: task.chat.enabled ? (model?.chatTemplate?.hash ?? null) : null,
    },
    { store, log, signal: ctx.signal },
  )) {
    if (e.type === 'started' && !link) {
      await store.db
        .insertInto('eval_run_links')
        .values({
          run_id: e.runId,
          job_id: job.id,
          model_id: p.modelId,
          suite: p.suite,
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.column('run_id').doNothing())
        .execute();
    }
    progress = progressFromEvent(e, progress) ?? progress;
    if (progress) ctx.reportProgress(progress);
    ctx.onEvent?.(job.id, e);
    if (e.type === 'finished') finished = { runId: e.runId, status: e.status };
  }
  if (!finished) throw new Error('evaluateIter ended without a finished event');
  return { ...finished, progress };
}
