import { randomUUID } from 'node:crypto';
import { AlignboardError } from '../common/errors.js';
import { LOCAL_HOST, processState } from '../common/local-process.js';
import type { Logger } from '../common/logger.js';
import { silentLogger } from '../common/logger.js';
import type { Store } from './create-store.js';
import type { JobsTable } from './schema.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  isCancelRequested: boolean;
  progress: unknown;
  result: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toJob(row: JobsTable): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: parse(row.payload),
    status: row.status as JobStatus,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    isCancelRequested: Number(row.cancel_requested) === 1,
    progress: parse(row.progress),
    result: parse(row.result),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export async function enqueueJob(
  store: Store,
  input: { kind: string; payload: unknown; id?: string; maxAttempts?: number },
): Promise<Job> {
  const now = new Date().toISOString();
  const row: JobsTable = {
    id: input.id ?? randomUUID(),
    kind: input.kind,
    payload: JSON.stringify(input.payload),
    status: 'queued',
    attempts: 0,
    max_attempts: input.maxAttempts ?? 3,
    lease_owner: null,
    lease_expires_at: null,
    cancel_requested: 0,
    progress: null,
    result: null,
    error: null,
    created_at: now,
    started_at: null,
    finished_at: null,
    updated_at: now,
  };
  await store.db.insertInto('jobs').values(row).execute();
  return toJob(row);
}

export async function getJob(store: Store, id: string): Promise<Job | undefined> {
  const row = await store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toJob(row);
}

export async function listJobs(
  store: Store,
  opts: { kind?: string; status?: JobStatus; limit?: number } = {},
): Promise<Job[]> {
  let q = store.db
    .selectFrom('jobs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(opts.limit ?? 100);
  if (opts.kind) q = q.where('kind', '=', opts.kind);
  if (opts.status) q = q.where('status', '=', opts.status);
  return (await q.execute()).map(toJob);
}

/** A worker's lease owner: host and PID, so a worker on the same host can tell that it died. */
function workerOwner(): string {
  return `worker ${LOCAL_HOST} ${process.pid} ${randomUUID().slice(0, 8)}`;
}

/** True when `owner` is a worker on this host whose process is gone (killed, crashed). */
function isDeadLocalOwner(owner: string | null): boolean {
  const m = owner ? /^worker (\S+) (\d+) [0-9a-f]{8}$/.exec(owner) : null;
  return m !== null && processState(m[1] as string, Number(m[2])) === 'dead';
}

/** A running job of `kinds` whose lease has not expired but whose worker died on this host. */
async function findOrphanedJob(store: Store, kinds: string[], now: string) {
  const held = await store.db
    .selectFrom('jobs')
    .select(['id', 'status', 'lease_expires_at', 'lease_owner'])
    .where('kind', 'in', kinds)
    .where('status', '=', 'running')
    .where('cancel_requested', '=', 0)
    .where('lease_expires_at', '>=', now)
    .where('lease_owner', 'like', `worker ${LOCAL_HOST} %`)
    .orderBy('created_at')
    .execute();
  return held.find((j) => isDeadLocalOwner(j.lease_owner));
}

/**
 * Takes the oldest job that is queued, or running under an expired lease or a lease whose
 * worker on this host is dead (a SIGKILLed server need not wait out its lease), for `owner`.
 * A compare-and-set on the row makes two workers never take the same job, on SQLite and
 * PostgreSQL alike.
 */
export async function claimNextJob(
  store: Store,
  opts: { owner: string; kinds: string[]; leaseMs: number },
): Promise<Job | undefined> {
  if (opts.kinds.length === 0) return undefined;
  for (let tries = 0; tries < 5; tries++) {
    const now = new Date().toISOString();
    const candidate = await store.db
      .selectFrom('jobs')
      .select(['id', 'status', 'lease_expires_at'])
      .where('kind', 'in', opts.kinds)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'queued'),
          // A dead worker's job whose cancel was asked for is not worth taking over.
          eb.and([
            eb('status', '=', 'running'),
            eb('lease_expires_at', '<', now),
            eb('cancel_requested', '=', 0),
          ]),
        ]),
      )
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst()
      .then((c) => c ?? findOrphanedJob(store, opts.kinds, now));
    if (!candidate) return undefined;
    const expires = new Date(Date.now() + opts.leaseMs).toISOString();
    const taken = await store.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        lease_owner: opts.owner,
        lease_expires_at: expires,
        attempts: eb('attempts', '+', 1),
        started_at: eb.fn.coalesce('started_at', eb.val(now)),
        updated_at: now,
      }))
      .where('id', '=', candidate.id)
      .where('status', '=', candidate.status)
      .where((eb) =>
        candidate.lease_expires_at === null
          ? eb('lease_expires_at', 'is', null)
          : eb('lease_expires_at', '=', candidate.lease_expires_at),
      )
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return getJob(store, candidate.id);
  }
  return undefined;
}

/** True while a worker that may be alive holds the job: running under a lease not yet expired. */
export async function isJobHeld(store: Store, id: string): Promise<boolean> {
  const row = await store.db
    .selectFrom('jobs')
    .select(['status', 'lease_owner', 'lease_expires_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row?.status !== 'running' || row.lease_expires_at === null) return false;
  return row.lease_expires_at >= new Date().toISOString() && !isDeadLocalOwner(row.lease_owner);
}

/** Extends the lease and stores progress; false when the job is no longer this owner's. */
export async function renewJobLease(
  store: Store,
  id: string,
  owner: string,
  leaseMs: number,
  progress?: unknown,
): Promise<boolean> {
  const now = new Date();
  const res = await store.db
    .updateTable('jobs')
    .set({
      lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
      updated_at: now.toISOString(),
      ...(progress !== undefined && { progress: JSON.stringify(progress) }),
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function finishJob(
  store: Store,
  id: string,
  owner: string,
  outcome: { status: 'succeeded' | 'failed' | 'cancelled' | 'queued'; result?: unknown; error?: string },
): Promise<void> {
  const now = new Date().toISOString();
  const isFinal = outcome.status !== 'queued';
  await store.db
    .updateTable('jobs')
    .set({
      status: outcome.status,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
      ...(isFinal && { finished_at: now }),
      ...(outcome.result !== undefined && { result: JSON.stringify(outcome.result) }),
      ...(outcome.error !== undefined && { error: outcome.error }),
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

/** A queued job is cancelled at once; a running one is asked to stop (its worker aborts it). */
export async function cancelJob(store: Store, id: string): Promise<Job | undefined> {
  const now = new Date().toISOString();
  await store.db
    .updateTable('jobs')
    .set({ status: 'cancelled', finished_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .execute();
  await store.db
    .updateTable('jobs')
    .set({ cancel_requested: 1, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute();
  return getJob(store, id);
}

export interface JobContext {
  signal: AbortSignal;
  /** Stores a progress snapshot (persisted with the next lease renewal) and forwards it live. */
  reportProgress(progress: unknown): void;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<unknown>;

export interface JobWorkerOptions {
  store: Store;
  handlers: Record<string, JobHandler>;
  /** Unique per process; a restarted process gets a new one and takes over expired leases. */
  owner?: string;
  leaseMs?: number;
  pollMs?: number;
  log?: Logger;
  /** Live progress for SSE subscribers in this process. */
  onProgress?: (jobId: string, progress: unknown) => void;
  onFinished?: (job: Job) => void;
}

/**
 * Runs jobs one at a time until `stop()` is called. A job's handler must be resumable (each
 * finished unit written under an idempotent key): after a crash the lease expires and any
 * worker takes the job over; on a graceful stop the job goes straight back to the queue.
 * Handler errors fail the job after `max_attempts`; until then it is re-queued.
 */
export function startJobWorker(opts: JobWorkerOptions): { stop(): Promise<void>; wake(): void } {
  const { store, handlers } = opts;
  const owner = opts.owner ?? workerOwner();
  const leaseMs = opts.leaseMs ?? 30_000;
  const pollMs = opts.pollMs ?? 1000;
  const log = opts.log ?? silentLogger;
  const stopping = new AbortController();
  let wakeUp: (() => void) | undefined;

  async function runOne(job: Job): Promise<void> {
    const handler = handlers[job.kind] as JobHandler;
    const jobAbort = new AbortController();
    let latest: unknown;
    const heartbeat = setInterval(
      () => {
        void (async () => {
          const mine = await renewJobLease(store, job.id, owner, leaseMs, latest);
          const current = await getJob(store, job.id);
          if (!mine || current?.isCancelRequested)
            jobAbort.abort(new Error(mine ? 'cancelled' : 'lease lost'));
        })().catch((err: unknown) => log.warn({ err, jobId: job.id }, 'lease renewal failed'));
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    const signal = AbortSignal.any([jobAbort.signal, stopping.signal]);
    try {
      const result = await handler(job, {
        signal,
        reportProgress(progress) {
          latest = progress;
          opts.onProgress?.(job.id, progress);
        },
      });
      await finishJob(store, job.id, owner, { status: 'succeeded', result });
      log.info({ jobId: job.id, kind: job.kind }, 'job succeeded');
    } catch (err) {
      const current = await getJob(store, job.id);
      if (stopping.signal.aborted) {
        // Graceful shutdown: hand the job back so the next process resumes it at once.
        await finishJob(store, job.id, owner, { status: 'queued' });
        log.info({ jobId: job.id }, 'job returned to the queue');
      } else if (current?.isCancelRequested) {
        await finishJob(store, job.id, owner, { status: 'cancelled', error: 'cancelled by request' });
      } else {
        const message = err instanceof Error ? err.message : String(err);
        const isLast = !current || current.attempts >= current.maxAttempts;
        // Expected failures (bad task, missing capability) fail again on a retry; outages may not.
        const isExpected =
          err instanceof AlignboardError && (err as { isRetryable?: boolean }).isRetryable !== true;
        await finishJob(store, job.id, owner, {
          status: isLast || isExpected ? 'failed' : 'queued',
          error: message,
        });
        log.warn({ jobId: job.id, err }, 'job failed');
      }
    } finally {
      clearInterval(heartbeat);
      const final = await getJob(store, job.id);
      if (final && final.status !== 'running') opts.onFinished?.(final);
    }
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const job = await claimNextJob(store, { owner, kinds: Object.keys(handlers), leaseMs }).catch(
        (err: unknown) => {
          log.error({ err }, 'job claim failed');
          return undefined;
        },
      );
      if (job) {
        await runOne(job);
        continue;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stopping.signal.removeEventListener('abort', done);
          wakeUp = undefined;
          resolve();
        };
        const timer = setTimeout(done, pollMs);
        wakeUp = done;
        stopping.signal.addEventListener('abort', done, { once: true });
      });
    }
  })();

  return {
    async stop() {
      stopping.abort(new Error('worker stopping'));
      await loop;
    },
    wake() {
      wakeUp?.();
    },
  };
}
