import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseAt } from '../../common/errors.js';
import { requestJson } from '../../common/remote.js';
import type { ClusterExecutor, JobState } from './cluster-job.js';
import { shellJoin, shellQuote } from './shell-quote.js';

export interface RayExecutorOptions {
  /** The Ray dashboard's job server, e.g. `http://head:8265`. */
  address: string;
  /** Extra headers, e.g. an `authorization` header for a managed cluster. Never logged. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Ray's JobStatus values (ray.job_submission.JobStatus) mapped onto ours. */
const STATE_MAP: Record<string, JobState> = {
  PENDING: 'pending',
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  STOPPED: 'cancelled',
};

const SubmitReplySchema = z.object({ submission_id: z.string().optional(), job_id: z.string().nullish() });
const JobDetailsSchema = z.object({
  status: z.string(),
  message: z.string().nullish(),
  driver_exit_code: z.number().int().nullish(),
});
const LogsReplySchema = z.object({ logs: z.string() });
const CODES = { http: 'AB_TRAIN_EXECUTOR_REMOTE', network: 'AB_TRAIN_EXECUTOR_UNAVAILABLE' };

/**
 * Runs launch commands through the Ray Jobs REST API (`/api/jobs/`): submit with an
 * entrypoint and runtime environment, poll status, read logs, stop. Job ids are Ray
 * submission ids, so a restarted Alignboard re-attaches by id.
 */
export function createRayExecutor(opts: RayExecutorOptions): ClusterExecutor {
  const base = opts.address.replace(/\/+$/, '');
  const call = (
    path: string,
    operation: string,
    init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
  ) =>
    requestJson(`${base}${path}`, {
      operation,
      codes: CODES,
      timeoutMs: opts.timeoutMs ?? 30_000,
      ...init,
      ...(opts.headers && { headers: opts.headers }),
    });
  const jobPath = (jobId: string) => `/api/jobs/${encodeURIComponent(jobId)}`;

  return {
    kind: 'ray',

    async submit(spec, { signal } = {}) {
      const r = spec.resources ?? {};
      const submissionId = `alignboard-${spec.name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60)}-${randomBytes(4).toString('hex')}`;
      const body = {
        // The entrypoint is a shell command; run it from the job's working directory.
        entrypoint: `cd ${shellQuote(spec.workdir)} && exec ${shellJoin(spec.command)}`,
        submission_id: submissionId,
        runtime_env: { env_vars: spec.env ?? {} },
        metadata: { name: spec.name, created_by: 'alignboard' },
        ...(r.cpusPerTask && { entrypoint_num_cpus: r.cpusPerTask }),
        ...(r.gpusPerNode && { entrypoint_num_gpus: r.gpusPerNode }),
        ...(r.memoryMb && { entrypoint_memory: r.memoryMb * 1024 * 1024 }),
      };
      // No retry: a lost reply to a submit might have started the job; the id makes it findable.
      const reply = await requestJson(`${base}/api/jobs/`, {
        operation: 'Ray submit job',
        method: 'POST',
        body,
        retries: 0,
        codes: CODES,
        ...(opts.headers && { headers: opts.headers }),
        ...(signal && { signal }),
      });
      const parsed = parseAt(SubmitReplySchema, reply, { file: `${base}/api/jobs/` });
      return { jobId: parsed.submission_id ?? submissionId };
    },

    async status(jobId, { signal } = {}) {
      const details = parseAt(JobDetailsSchema, await call(jobPath(jobId), 'Ray job status', { signal }), {
        file: `${base}${jobPath(jobId)}`,
      });
      return {
        state: STATE_MAP[details.status] ?? 'unknown',
        schedulerState: details.status,
        ...(details.driver_exit_code != null && { exitCode: details.driver_exit_code }),
        ...(details.message && { reason: details.message }),
      };
    },

    async cancel(jobId, { signal } = {}) {
      await call(`${jobPath(jobId)}/stop`, 'Ray stop job', { method: 'POST', signal });
    },

    async readLog(jobId, offset, { signal } = {}) {
      const { logs } = parseAt(
        LogsReplySchema,
        await call(`${jobPath(jobId)}/logs`, 'Ray job logs', { signal }),
        { file: `${base}${jobPath(jobId)}/logs` },
      );
      const bytes = Buffer.from(logs, 'utf8');
      return { text: bytes.subarray(offset).toString('utf8'), offset: bytes.length };
    },
  };
}
