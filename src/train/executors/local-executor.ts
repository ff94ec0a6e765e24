import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { AlignboardError } from '../../common/errors.js';
import { isPidAlive } from '../../common/local-process.js';
import { type ClusterExecutor, type JobStatus, logChunk, readFileFrom } from './cluster-job.js';

export class LocalExecutorError extends AlignboardError {}

// The wrapper writes the command's output to the log and writes its exit code beside it, so
// the outcome survives this process: a restarted Alignboard reads it from the files. It also
// watches the process that submitted the job (the driver) and stops the command's group when
// that process dies, so a SIGKILLed driver leaves no orphan training on the run's folder; the
// next driver finds the job ended and resubmits it from the last checkpoint.
const WRAPPER = [
  'log="$1"; driver="$2"; shift 2',
  '"$@" >"$log" 2>&1 &',
  'child=$!',
  'while kill -0 "$child" 2>/dev/null; do',
  '  if ! kill -0 "$driver" 2>/dev/null; then trap "" TERM; kill -TERM 0; break; fi',
  '  sleep 0.2',
  'done',
  'wait "$child"; code=$?',
  'echo $code >"$log.exit.tmp"; mv "$log.exit.tmp" "$log.exit"',
].join('\n');

/** `<pid>:<log file>`: both halves are needed to re-attach after a restart. */
function parseJobId(jobId: string): { pid: number; logFile: string } {
  const m = /^(\d+):(.+)$/.exec(jobId);
  if (!m)
    throw new LocalExecutorError('AB_TRAIN_EXECUTOR_INPUT', `"${jobId}" is not a local job id (pid:log)`, {
      field: 'executorJobId',
    });
  return { pid: Number(m[1]), logFile: m[2] as string };
}

const readText = (file: string) => readFile(file, 'utf8').catch(() => undefined); // absent: not written yet

/**
 * Runs launch commands as detached child processes of this machine, in their own process
 * group, with output in the job's log file, for as long as the submitting process lives. The
 * job id is `<pid>:<log file>`, so the state, log and exit code are found again after an
 * Alignboard restart, like a scheduler's.
 */
export function createLocalExecutor(): ClusterExecutor {
  return {
    kind: 'local',

    async submit(spec) {
      // A resumed run reuses its log file: outcome files of the job before must not answer for this one.
      await rm(`${spec.logFile}.exit`, { force: true });
      await rm(`${spec.logFile}.cancelled`, { force: true });
      await writeFile(spec.logFile, '');
      const child = spawn(
        '/bin/sh',
        ['-c', WRAPPER, 'sh', spec.logFile, String(process.pid), ...spec.command],
        {
          cwd: spec.workdir,
          env: { ...process.env, ...spec.env },
          detached: true,
          stdio: 'ignore',
        },
      );
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid as number));
        child.once('error', (err) =>
          reject(
            new LocalExecutorError(
              'AB_TRAIN_EXECUTOR_UNAVAILABLE',
              `cannot start "${spec.command[0]}": ${err.message}`,
              {},
              { status: 503, cause: err },
            ),
          ),
        );
      });
      child.unref(); // its files carry the outcome past this process; the wrapper ends the job with it
      return { jobId: `${pid}:${spec.logFile}` };
    },

    async status(jobId): Promise<JobStatus> {
      const { pid, logFile } = parseJobId(jobId);
      const exit = await readText(`${logFile}.exit`);
      const isCancelled = (await readText(`${logFile}.cancelled`)) !== undefined;
      if (exit !== undefined) {
        const code = Number(exit.trim());
        if (isCancelled && code !== 0)
          return { state: 'cancelled', schedulerState: 'CANCELLED', exitCode: code };
        return code === 0
          ? { state: 'succeeded', schedulerState: 'EXITED', exitCode: 0 }
          : { state: 'failed', schedulerState: 'EXITED', exitCode: code };
      }
      if (isPidAlive(pid)) return { state: 'running', schedulerState: 'RUNNING' };
      if (isCancelled) return { state: 'cancelled', schedulerState: 'CANCELLED' };
      return { state: 'failed', schedulerState: 'LOST', reason: 'the process ended without an exit code' };
    },

    async cancel(jobId) {
      const { pid, logFile } = parseJobId(jobId);
      await writeFile(`${logFile}.cancelled`, new Date().toISOString());
      try {
        process.kill(-pid, 'SIGTERM'); // the whole group: the wrapper and the trainer
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: already gone
      }
    },

    async readLog(jobId, offset) {
      const { logFile } = parseJobId(jobId);
      const bytes = await readFileFrom(logFile, offset);
      return bytes ? logChunk(bytes, offset) : { text: '', offset }; // no file: not started writing yet
    },
  };
}
