import type { Logger } from '../common/logger.js';
import {
  checkRegression,
  EVAL_JOB_KIND,
  type EvalJob,
  type EvalProgress,
  getEvalJob,
  getRunDetail,
  progressFromEvent,
  runEvalJob,
} from '../eval/index.js';
import { type NotifyEventInput, publishEvent } from '../notify/index.js';
import { getModel } from '../registry/index.js';
import { type Job, type Store, startJobWorker } from '../store/index.js';
import { EventBus } from './event-bus.js';

/** What the run page's event stream carries. */
export type HubEvent =
  | { type: 'progress'; jobId: string; status: 'running'; progress: EvalProgress }
  | { type: 'job'; job: EvalJob };

export interface EvalWorker {
  bus: EventBus<HubEvent>;
  wake(): void;
  /** Stops taking jobs, hands a running one back to the queue, ends every event stream. */
  close(): Promise<void>;
}

/**
 * The evaluation worker of this server process: takes `eval-run` jobs from the persisted queue,
 * streams their progress to the event bus, and raises run-finished, run-failed and regression
 * events for notification. More processes can run workers against the same store.
 */
export function startEvalWorker(opts: {
  store: Store;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  leaseMs?: number;
  pollMs?: number;
}): EvalWorker {
  const { store } = opts;
  const log = opts.log.child({ domain: 'eval-worker' });
  const bus = new EventBus<HubEvent>();
  const pending = new Set<Promise<void>>();
  const progressByJob = new Map<string, EvalProgress | null>();

  async function announce(job: Job): Promise<void> {
    const view = await getEvalJob(store, job.id);
    bus.publish({ type: 'job', job: view });
    progressByJob.delete(job.id);
    await raiseEvents(view);
  }

  async function raiseEvents(job: EvalJob): Promise<void> {
    const events: NotifyEventInput[] = [];
    const facts = (extra: [string, string][]): [string, string][] => [
      ['task', job.task],
      ['model', job.modelName ?? job.endpointName ?? job.endpointId],
      // A judged score means little without its judge.
      ...(job.judgeEndpointId
        ? [['judge', job.judgeEndpointName ?? job.judgeEndpointId] as [string, string]]
        : []),
      ...extra,
    ];
    const owner = job.modelId ? ((await getRunOwner(job)) ?? null) : null;
    if (job.status === 'failed') {
      events.push({
        type: 'run-failed',
        modelId: job.modelId,
        owner,
        title: `Evaluation failed: ${job.task} on ${job.modelName ?? job.endpointName ?? job.endpointId}`,
        facts: facts([['error', job.error ?? 'unknown']]),
      });
    }
    if (job.status === 'succeeded' && job.runId) {
      const run = await getRunDetail(store, job.runId);
      const metric = run.primaryMetric;
      const s = metric ? run.summary?.metrics[metric] : undefined;
      events.push({
        type: 'run-finished',
        modelId: job.modelId,
        owner,
        title: `Evaluation finished: ${job.task} on ${job.modelName ?? job.endpointName ?? job.endpointId}`,
        facts: facts(
          s && metric
            ? [[metric, `${s.mean.toFixed(3)} [${s.ci95[0].toFixed(3)}, ${s.ci95[1].toFixed(3)}] n=${s.n}`]]
            : [],
        ),
      });
      const regression = await checkRegression(store, job.runId);
      if (regression) {
        events.push({
          type: 'regression',
          modelId: regression.modelId,
          owner: regression.owner,
          title: `Regression: ${regression.modelName} is worse than its baseline on ${regression.task}`,
          facts: [
            ['metric', regression.metric],
            [
              'difference',
              `${regression.diff.toFixed(3)} [${regression.ci95[0].toFixed(3)}, ${regression.ci95[1].toFixed(3)}]`,
            ],
            ['p-value', regression.pValue === null ? 'n/a' : regression.pValue.toPrecision(3)],
            ['run', regression.runId],
            ['baseline run', regression.baselineRunId],
          ],
        });
      }
    }
    for (const e of events) await publishEvent(store, e, { log, ...(opts.env && { env: opts.env }) });
  }

  async function getRunOwner(job: EvalJob): Promise<string | null> {
    const m = job.modelId ? await getModel(store, job.modelId).catch(() => null) : null;
    return m?.owner ?? null;
  }

  const worker = startJobWorker({
    store,
    log,
    ...(opts.leaseMs !== undefined && { leaseMs: opts.leaseMs }),
    ...(opts.pollMs !== undefined && { pollMs: opts.pollMs }),
    handlers: {
      [EVAL_JOB_KIND]: (job, ctx) =>
        runEvalJob(store, job, {
          ...ctx,
          log,
          ...(opts.env && { env: opts.env }),
          onEvent(jobId, e) {
            const progress = progressFromEvent(e, progressByJob.get(jobId) ?? null);
            progressByJob.set(jobId, progress);
            if (progress) bus.publish({ type: 'progress', jobId, status: 'running', progress });
          },
        }),
    },
    onFinished(job) {
      if (job.kind !== EVAL_JOB_KIND) return;
      const p: Promise<void> = announce(job)
        .catch((err: unknown) => log.error({ err, jobId: job.id }, 'job announcement failed'))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
  });

  return {
    bus,
    wake: () => worker.wake(),
    async close() {
      await worker.stop();
      await Promise.all([...pending]);
      bus.close();
    },
  };
}
