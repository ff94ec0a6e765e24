import { expect, test } from 'vitest';
import { type JobEvent, watchJobIter } from '../../src/train/executors/cluster-job.js';
import { createRayExecutor } from '../../src/train/executors/ray-executor.js';
import { startFakeRay } from '../helpers/fake-ray.js';
import { makeTempDir } from '../helpers/temp-dir.js';

async function drain(events: AsyncGenerator<JobEvent>): Promise<JobEvent[]> {
  const all: JobEvent[] = [];
  for await (const e of events) all.push(e);
  return all;
}

test('Ray Jobs: submit with entrypoint and runtime env, follow to success with logs, re-attach by id', {
  timeout: 20_000,
}, async () => {
  const ray = await startFakeRay();
  const dir = await makeTempDir();
  const executor = createRayExecutor({
    address: ray.address,
    headers: { authorization: 'Bearer ray-secret' },
  });
  const { jobId } = await executor.submit({
    name: 'online dpo',
    command: [
      process.execPath,
      '-e',
      'console.log("cwd=" + process.cwd()); console.log("run=" + process.env.ALIGNBOARD_RUN)',
    ],
    workdir: dir,
    logFile: 'unused-by-ray',
    env: { ALIGNBOARD_RUN: 'r42' },
    resources: { cpusPerTask: 2, gpusPerNode: 1, memoryMb: 1024 },
  });
  expect(jobId).toMatch(/^alignboard-online-dpo-[0-9a-f]{8}$/);
  const job = ray.jobs.get(jobId);
  expect(job?.metadata).toEqual({ name: 'online dpo', created_by: 'alignboard' });
  expect(job?.runtimeEnv).toEqual({ env_vars: { ALIGNBOARD_RUN: 'r42' } });
  expect(ray.headers.at(-1)?.authorization).toBe('Bearer ray-secret');

  const events = await drain(
    watchJobIter(createRayExecutor({ address: ray.address }), jobId, { pollMs: 50 }),
  );
  expect(events.at(-1)).toMatchObject({
    type: 'finished',
    status: { state: 'succeeded', schedulerState: 'SUCCEEDED', exitCode: 0 },
  });
  const log = events.flatMap((e) => (e.type === 'log' ? [e.text] : [])).join('');
  expect(log).toBe(`cwd=${dir}\nrun=r42\n`);
});

test('Ray Jobs: stop shows as cancelled; a failed entrypoint is failed with its exit code; unknown ids are remote errors', {
  timeout: 20_000,
}, async () => {
  const ray = await startFakeRay();
  const dir = await makeTempDir();
  const executor = createRayExecutor({ address: ray.address });
  const long = await executor.submit({ name: 'long', command: ['sleep', '30'], workdir: dir, logFile: '' });
  const seen: JobEvent[] = [];
  for await (const e of watchJobIter(executor, long.jobId, { pollMs: 50 })) {
    seen.push(e);
    if (e.type === 'state' && e.status.state === 'running') await executor.cancel(long.jobId);
  }
  expect(seen.at(-1)).toMatchObject({
    type: 'finished',
    status: { state: 'cancelled', schedulerState: 'STOPPED' },
  });

  const bad = await executor.submit({
    name: 'bad',
    command: ['sh', '-c', 'exit 7'],
    workdir: dir,
    logFile: '',
  });
  const events = await drain(watchJobIter(executor, bad.jobId, { pollMs: 50 }));
  expect(events.at(-1)).toMatchObject({ type: 'finished', status: { state: 'failed', exitCode: 7 } });

  await expect(executor.status('nope')).rejects.toMatchObject({
    code: 'AB_TRAIN_EXECUTOR_REMOTE',
    detail: { httpStatus: 404 },
  });
  const down = createRayExecutor({ address: 'http://127.0.0.1:9', timeoutMs: 2000 });
  await expect(down.status('x')).rejects.toMatchObject({ code: 'AB_TRAIN_EXECUTOR_UNAVAILABLE' });
});
