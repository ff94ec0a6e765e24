import { spawn } from 'node:child_process';
import { AlignboardError } from '../../common/errors.js';
import {
  type ClusterExecutor,
  type ClusterJobSpec,
  type JobState,
  type JobStatus,
  logChunk,
  readFileFrom,
} from './cluster-job.js';
import { shellJoin, shellQuote } from './shell-quote.js';

export interface SlurmExecutorOptions {
  /** Run Slurm's commands on a login node over SSH; absent means on this machine. */
  ssh?: { host: string; user?: string; port?: number; identityFile?: string };
  /** `SLURM_CONF` for the commands, e.g. a local test cluster's configuration. */
  slurmConf?: string;
  /** Limit for one Slurm command (sbatch, squeue…), in ms. */
  commandTimeoutMs?: number;
}

/** Slurm's job states (`man squeue`, JOB STATE CODES) mapped onto ours. */
const STATE_MAP: Record<string, JobState> = {
  PENDING: 'pending',
  CONFIGURING: 'pending',
  REQUEUED: 'pending',
  RESIZING: 'pending',
  SUSPENDED: 'pending',
  RUNNING: 'running',
  COMPLETING: 'running',
  STAGE_OUT: 'running',
  COMPLETED: 'succeeded',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
  TIMEOUT: 'failed',
  NODE_FAIL: 'failed',
  OUT_OF_MEMORY: 'failed',
  BOOT_FAIL: 'failed',
  DEADLINE: 'failed',
  PREEMPTED: 'failed',
};

export class SlurmError extends AlignboardError {}

/** `#SBATCH` values may not contain newlines; names are kept to a safe alphabet. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || 'alignboard';
}

/** Slurm's `--time` format, `D-HH:MM:SS`. */
function formatTimeLimit(minutes: number): string {
  const total = Math.ceil(minutes);
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d}-${pad(h)}:${pad(m)}:00`;
}

/**
 * The batch script for one launch command: resources as `#SBATCH` lines, environment as
 * quoted exports, and the command itself, exec'd so Slurm's signals reach it directly.
 */
export function renderSbatchScript(spec: ClusterJobSpec): string {
  const r = spec.resources ?? {};
  const lines = ['#!/bin/bash', `#SBATCH --job-name=${safeName(spec.name)}`];
  lines.push(`#SBATCH --output=${spec.logFile}`, `#SBATCH --chdir=${spec.workdir}`);
  if (r.partition) lines.push(`#SBATCH --partition=${safeName(r.partition)}`);
  if (r.nodes) lines.push(`#SBATCH --nodes=${r.nodes}`, '#SBATCH --ntasks-per-node=1');
  if (r.gpusPerNode) lines.push(`#SBATCH --gpus-per-node=${r.gpusPerNode}`);
  if (r.cpusPerTask) lines.push(`#SBATCH --cpus-per-task=${r.cpusPerTask}`);
  if (r.memoryMb) lines.push(`#SBATCH --mem=${r.memoryMb}M`);
  if (r.timeLimitMinutes) lines.push(`#SBATCH --time=${formatTimeLimit(r.timeLimitMinutes)}`);
  lines.push('set -euo pipefail');
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new SlurmError(
        'AB_TRAIN_EXECUTOR_INPUT',
        `environment variable name "${key}" is not valid in a shell`,
        {
          field: `env.${key}`,
        },
      );
    }
    lines.push(`export ${key}=${shellQuote(value)}`);
  }
  lines.push(`exec ${shellJoin(spec.command)}`, '');
  return lines.join('\n');
}

/**
 * Runs launch commands as Slurm batch jobs: `sbatch` to submit (script on stdin), `squeue`,
 * then `scontrol show job`, then `sacct` to track, `scancel` to cancel — on this machine or
 * on a login node over SSH.
 */
export function createSlurmExecutor(opts: SlurmExecutorOptions = {}): ClusterExecutor {
  const timeoutMs = opts.commandTimeoutMs ?? 30_000;
  const logFiles = new Map<string, string>();

  function runSlurm(
    argv: string[],
    stdin?: string,
    signal?: AbortSignal,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    let file = argv[0] as string;
    let args = argv.slice(1);
    const env = { ...process.env, ...(opts.slurmConf && { SLURM_CONF: opts.slurmConf }) };
    if (opts.ssh) {
      const { host, user, port, identityFile } = opts.ssh;
      const remote = `${opts.slurmConf ? `SLURM_CONF=${shellQuote(opts.slurmConf)} ` : ''}${shellJoin(argv)}`;
      args = [
        '-o',
        'BatchMode=yes',
        ...(port ? ['-p', String(port)] : []),
        ...(identityFile ? ['-i', identityFile] : []),
      ];
      args.push(user ? `${user}@${host}` : host, '--', remote);
      file = 'ssh';
    }
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { env, signal, timeout: timeoutMs, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', (err) =>
        reject(
          new SlurmError(
            'AB_TRAIN_EXECUTOR_UNAVAILABLE',
            `cannot run "${argv[0]}": ${err.message}`,
            {},
            { status: 503, cause: err },
          ),
        ),
      );
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      // EPIPE when the command exits before reading its input; its exit code says why.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
  }

  async function logFileOf(jobId: string, signal?: AbortSignal): Promise<string | undefined> {
    const known = logFiles.get(jobId);
    if (known) return known;
    const shown = await runSlurm(['scontrol', 'show', 'job', '-o', jobId], undefined, signal);
    const path = /(?:^|\s)StdOut=(\S+)/.exec(shown.stdout)?.[1];
    if (path) logFiles.set(jobId, path);
    return path;
  }

  return {
    kind: 'slurm',

    async submit(spec, { signal } = {}) {
      const script = renderSbatchScript(spec);
      const res = await runSlurm(['sbatch', '--parsable'], script, signal);
      const jobId = res.stdout.trim().split(';')[0] ?? '';
      if (res.code !== 0 || !/^\d+$/.test(jobId)) {
        throw new SlurmError(
          'AB_TRAIN_EXECUTOR_SUBMIT',
          `sbatch refused job "${spec.name}": ${res.stderr.trim() || res.stdout.trim()}`,
          {},
          { status: 502 },
        );
      }
      logFiles.set(jobId, spec.logFile);
      return { jobId };
    },

    async status(jobId, { signal } = {}): Promise<JobStatus> {
      const queued = await runSlurm(['squeue', '-h', '-j', jobId, '-o', '%T|%r'], undefined, signal);
      const [qState, qReason] = queued.stdout.trim().split('|');
      if (queued.code === 0 && qState) {
        return {
          state: STATE_MAP[qState] ?? 'unknown',
          schedulerState: qState,
          ...(qReason && qReason !== 'None' && { reason: qReason }),
        };
      }
      // Left the queue: scontrol still knows it for MinJobAge seconds, sacct for longer.
      const shown = await runSlurm(['scontrol', 'show', 'job', '-o', jobId], undefined, signal);
      const sState = /(?:^|\s)JobState=(\S+)/.exec(shown.stdout)?.[1];
      if (shown.code === 0 && sState) {
        const exit = /(?:^|\s)ExitCode=(\d+):(\d+)/.exec(shown.stdout);
        const reason = /(?:^|\s)Reason=(\S+)/.exec(shown.stdout)?.[1];
        return {
          state: STATE_MAP[sState] ?? 'unknown',
          schedulerState: sState,
          ...(exit && { exitCode: Number(exit[1]) }),
          ...(reason && reason !== 'None' && { reason }),
        };
      }
      const acct = await runSlurm(
        ['sacct', '-j', jobId, '-n', '-P', '-X', '-o', 'State,ExitCode'],
        undefined,
        signal,
      );
      const [aState = '', aExit = ''] = acct.stdout.trim().split('\n')[0]?.split('|') ?? [];
      const word = aState.split(' ')[0] ?? '';
      if (acct.code === 0 && word) {
        return {
          state: STATE_MAP[word] ?? 'unknown',
          schedulerState: word,
          exitCode: Number(aExit.split(':')[0]),
        };
      }
      return { state: 'unknown', schedulerState: 'UNKNOWN', reason: (shown.stderr || acct.stderr).trim() };
    },

    async cancel(jobId, { signal } = {}) {
      const res = await runSlurm(['scancel', jobId], undefined, signal);
      if (res.code !== 0) {
        throw new SlurmError(
          'AB_TRAIN_EXECUTOR_CANCEL',
          `scancel ${jobId} failed: ${res.stderr.trim()}`,
          {},
          { status: 502 },
        );
      }
    },

    async readLog(jobId, offset, { signal } = {}) {
      const file = await logFileOf(jobId, signal);
      if (!file) return { text: '', offset };
      let bytes: Buffer | undefined;
      if (opts.ssh) {
        const res = await runSlurm(['tail', '-c', `+${offset + 1}`, file], undefined, signal);
        bytes = Buffer.from(res.code === 0 ? res.stdout : '', 'utf8');
      } else {
        bytes = await readFileFrom(file, offset);
        if (!bytes) return { text: '', offset }; // The job has not started writing yet.
      }
      return logChunk(bytes, offset);
    },
  };
}
