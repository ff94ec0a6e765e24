import { open } from 'node:fs/promises';
import { sleep } from '../../common/async.js';

/** What a cluster executor runs: one launch command with its resources. */
export interface ClusterJobSpec {
  /** Shown in the scheduler's queue; sanitised to letters, digits, `.`, `_` and `-`. */
  name: string;
  /** argv of the launch command (an engine's CLI, `accelerate launch …`, the embedded trainer). */
  command: string[];
  /** Working directory on the cluster side. */
  workdir: string;
  env?: Record<string, string>;
  /** File that receives stdout and stderr (Slurm) — for Ray the job server keeps the log. */
  logFile: string;
  resources?: ClusterResources;
}

export interface ClusterResources {
  nodes?: number;
  gpusPerNode?: number;
  cpusPerTask?: number;
  memoryMb?: number;
  timeLimitMinutes?: number;
  partition?: string;
}

export type JobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';

export interface JobStatus {
  state: JobState;
  exitCode?: number;
  /** The scheduler's own words (Slurm's Reason, Ray's message). */
  reason?: string;
  /** The scheduler's state name, e.g. `TIMEOUT`, `STOPPED`. */
  schedulerState: string;
}

export const isTerminal = (state: JobState): boolean =>
  state === 'succeeded' || state === 'failed' || state === 'cancelled';

/**
 * A scheduler that runs launch commands: a local process, Slurm, Ray Jobs. Job ids are the scheduler's own,
 * so a run that stored its id can re-attach after an Alignboard restart: nothing lives only
 * in this process.
 */
export interface ClusterExecutor {
  readonly kind: 'local' | 'slurm' | 'ray';
  submit(spec: ClusterJobSpec, opts?: { signal?: AbortSignal }): Promise<{ jobId: string }>;
  status(jobId: string, opts?: { signal?: AbortSignal }): Promise<JobStatus>;
  cancel(jobId: string, opts?: { signal?: AbortSignal }): Promise<void>;
  /** Log text from byte `offset` on, and the offset to ask from next time. */
  readLog(
    jobId: string,
    offset: number,
    opts?: { signal?: AbortSignal },
  ): Promise<{ text: string; offset: number }>;
}

export type JobEvent =
  | { type: 'state'; jobId: string; status: JobStatus }
  | { type: 'log'; jobId: string; text: string }
  | { type: 'finished'; jobId: string; status: JobStatus };

/**
 * Follows a submitted job to its end: yields each state change and each new piece of log,
 * polling every `pollMs`. Works the same for a job submitted now or one re-attached by id.
 */
export async function* watchJobIter(
  executor: ClusterExecutor,
  jobId: string,
  opts: { pollMs?: number; logOffset?: number; signal?: AbortSignal } = {},
): AsyncGenerator<JobEvent> {
  const { pollMs = 1000, signal } = opts;
  let offset = opts.logOffset ?? 0;
  let last = '';
  for (;;) {
    signal?.throwIfAborted();
    const status = await executor.status(jobId, { signal });
    const log = await executor.readLog(jobId, offset, { signal });
    offset = log.offset;
    if (log.text) yield { type: 'log', jobId, text: log.text };
    const key = `${status.state}/${status.schedulerState}`;
    if (key !== last) {
      last = key;
      yield { type: 'state', jobId, status };
    }
    if (isTerminal(status.state)) {
      // The scheduler may flush the last lines after it reports the end.
      const tail = await executor.readLog(jobId, offset, { signal });
      if (tail.text) yield { type: 'log', jobId, text: tail.text };
      yield { type: 'finished', jobId, status };
      return;
    }
    await sleep(pollMs, signal);
  }
}

/** The bytes of `file` from `offset` to its end; undefined while the file does not exist yet. */
export async function readFileFrom(file: string, offset: number): Promise<Buffer | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.alloc(Math.max(0, size - offset));
    if (bytes.length > 0) await handle.read(bytes, 0, bytes.length, offset);
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Bytes up to the last complete UTF-8 character, so a log chunk never splits one. */
export function completeUtf8Length(buf: Buffer): number {
  let i = buf.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((buf[i] as number) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buf.length;
  const lead = buf[i] as number;
  const need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return need > continuation ? i : buf.length;
}

/** A log chunk read at `offset`: its whole characters, and the offset the next read starts from. */
export function logChunk(bytes: Buffer, offset: number): { text: string; offset: number } {
  const usable = completeUtf8Length(bytes);
  return { text: bytes.subarray(0, usable).toString('utf8'), offset: offset + usable };
}
