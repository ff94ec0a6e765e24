import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { type JobEvent, watchJobIter } from '../../src/train/executors/cluster-job.js';
import { createSlurmExecutor, renderSbatchScript } from '../../src/train/executors/slurm-executor.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('the sbatch script carries resources, quoted environment and the exec line', () => {
  const script = renderSbatchScript({
    name: 'dpo run #7',
    command: ['accelerate', 'launch', 'train.py', '--note', "it's $HOME"],
    workdir: '/scratch/run7',
    logFile: '/scratch/run7/log.txt',
    env: { HF_HOME: '/cache/hf', WANDB_MODE: 'offline' },
    resources: {
      nodes: 2,
      gpusPerNode: 8,
      cpusPerTask: 16,
      memoryMb: 512_000,
      timeLimitMinutes: 1530,
      partition: 'a100',
    },
  });
  expect(script.split('\n')).toEqual([
    '#!/bin/bash',
    '#SBATCH --job-name=dpo_run_7',
    '#SBATCH --output=/scratch/run7/log.txt',
    '#SBATCH --chdir=/scratch/run7',
    '#SBATCH --partition=a100',
    '#SBATCH --nodes=2',
    '#SBATCH --ntasks-per-node=1',
    '#SBATCH --gpus-per-node=8',
    '#SBATCH --cpus-per-task=16',
    '#SBATCH --mem=512000M',
    '#SBATCH --time=1-01:30:00',
    'set -euo pipefail',
    'export HF_HOME=/cache/hf',
    'export WANDB_MODE=offline',
    `exec accelerate launch train.py --note 'it'\\''s $HOME'`,
    '',
  ]);
  expect(() =>
    renderSbatchScript({ name: 'x', command: ['true'], workdir: '/', logFile: '/l', env: { 'A-B': '1' } }),
  ).toThrowError(expect.objectContaining({ code: 'AB_TRAIN_EXECUTOR_INPUT', where: { field: 'env.A-B' } }));
});

// Real Slurm: .ci/run starts a one-node cluster (scripts/slurm-local.sh) and exports SLURM_CONF.
const slurmConf = process.env.SLURM_CONF;
if (!slurmConf) {
  const message = 'SLURM_CONF not set: start a local cluster with scripts/slurm-local.sh start';
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** SLURM TESTS SKIPPED: ${message} ***\n`);
}

async function drain(events: AsyncGenerator<JobEvent>): Promise<JobEvent[]> {
  const all: JobEvent[] = [];
  for await (const e of events) all.push(e);
  return all;
}

describe.runIf(slurmConf)('Slurm executor on a real cluster', () => {
  test('a job is tracked to completion with its log streamed; a restarted executor re-attaches', {
    timeout: 60_000,
  }, async () => {
    const dir = await makeTempDir();
    const executor = createSlurmExecutor({ slurmConf });
    const script =
      'for (let i = 1; i <= 3; i++) { console.log("step " + i + " loss " + (1 / i).toFixed(3)); } console.log("완료");';
    const { jobId } = await executor.submit({
      name: 'alignboard-test',
      command: [process.execPath, '-e', script],
      workdir: dir,
      logFile: path.join(dir, 'job.log'),
      env: { ALIGNBOARD_RUN: 'r1' },
    });
    expect(jobId).toMatch(/^\d+$/);

    // A new executor (as after an Alignboard restart) knows the job by id alone.
    const reattached = createSlurmExecutor({ slurmConf });
    const events = await drain(watchJobIter(reattached, jobId, { pollMs: 200 }));
    const last = events.at(-1);
    expect(last).toMatchObject({
      type: 'finished',
      status: { state: 'succeeded', schedulerState: 'COMPLETED', exitCode: 0 },
    });
    const log = events.flatMap((e) => (e.type === 'log' ? [e.text] : [])).join('');
    expect(log).toBe('step 1 loss 1.000\nstep 2 loss 0.500\nstep 3 loss 0.333\n완료\n');
    expect(await readFile(path.join(dir, 'job.log'), 'utf8')).toBe(log);
  });

  test('a failing command is reported failed with its exit code', { timeout: 60_000 }, async () => {
    const dir = await makeTempDir();
    const executor = createSlurmExecutor({ slurmConf });
    const { jobId } = await executor.submit({
      name: 'alignboard-fail',
      command: [process.execPath, '-e', 'console.error("bad config"); process.exit(3)'],
      workdir: dir,
      logFile: path.join(dir, 'job.log'),
    });
    const events = await drain(watchJobIter(executor, jobId, { pollMs: 200 }));
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: { state: 'failed', exitCode: 3 } });
    expect(events.some((e) => e.type === 'log' && e.text.includes('bad config'))).toBe(true);
  });

  test('scancel cancels a running job and it shows as cancelled', { timeout: 60_000 }, async () => {
    const dir = await makeTempDir();
    const executor = createSlurmExecutor({ slurmConf });
    const { jobId } = await executor.submit({
      name: 'alignboard-long',
      command: ['sleep', '300'],
      workdir: dir,
      logFile: path.join(dir, 'job.log'),
    });
    const watch = watchJobIter(executor, jobId, { pollMs: 200 });
    const seen: JobEvent[] = [];
    for await (const e of watch) {
      seen.push(e);
      if (e.type === 'state' && e.status.state === 'running') await executor.cancel(jobId);
    }
    expect(seen.some((e) => e.type === 'state' && e.status.state === 'running')).toBe(true);
    expect(seen.at(-1)).toMatchObject({
      type: 'finished',
      status: { state: 'cancelled', schedulerState: 'CANCELLED' },
    });
  });
});
