import path from 'node:path';
import { expect, test } from 'vitest';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { ValidationError } from '../common/errors.js';
import { createStore, type Store } from './index.js';
import { cancelJob, claimNextJob, enqueueJob, getJob, type Job, startJobWorker } from './job-queue.js';

async function openStore(): Promise<Store> {
  const dir = await makeTempDir();
  const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'ab.db')}` });
  await store.migrate();
  return store;
}

function waitFor(predicate: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = async () => {
      if (await predicate()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not reached in time'));
      setTimeout(check, 20);
    };
    void check();
  });
}

test('a worker runs a queued job to success, storing its result and progress events', async () => {
  const store = await openStore();
  const progress: unknown[] = [];
  const finished: Job[] = [];
  const worker = startJobWorker({
    store,
    pollMs: 20,
    handlers: {
      double: async (job, ctx) => {
        ctx.reportProgress({ done: 1 });
        return { value: (job.payload as { n: number }).n * 2 };
      },
    },
    onProgress: (_id, p) => progress.push(p),
    onFinished: (job) => finished.push(job),
  });
  try {
    const job = await enqueueJob(store, { kind: 'double', payload: { n: 21 } });
    worker.wake();
    await waitFor(async () => (await getJob(store, job.id))?.status === 'succeeded');
    expect(await getJob(store, job.id)).toMatchObject({
      status: 'succeeded',
      result: { value: 42 },
      attempts: 1,
    });
    expect(progress).toEqual([{ done: 1 }]);
    expect(finished.map((j) => j.id)).toEqual([job.id]);
  } finally {
    await worker.stop();
    await store.close();
  }
});

test('a job whose worker died is taken over after its lease expires and resumes', async () => {
  const store = await openStore();
  try {
    const job = await enqueueJob(store, { kind: 'count', payload: {} });
    // A worker that claims the job and then dies without renewing its lease.
    const dead = await claimNextJob(store, { owner: 'dead-worker', kinds: ['count'], leaseMs: 100 });
    expect(dead?.id).toBe(job.id);
    expect(await claimNextJob(store, { owner: 'other', kinds: ['count'], leaseMs: 100 })).toBeUndefined();
    let runs = 0;
    const worker = startJobWorker({
      store,
      pollMs: 20,
      handlers: {
        count: async () => {
          runs++;
          return 'resumed';
        },
      },
    });
    try {
      await waitFor(async () => (await getJob(store, job.id))?.status === 'succeeded');
      expect(runs).toBe(1);
      expect(await getJob(store, job.id)).toMatchObject({ attempts: 2, result: 'resumed' });
    } finally {
      await worker.stop();
    }
  } finally {
    await store.close();
  }
});

test('a graceful stop returns the running job to the queue; cancel stops a running job; expected errors fail at once', async () => {
  const store = await openStore();
  try {
    const slow = await enqueueJob(store, { kind: 'slow', payload: {} });
    const handlers = {
      slow: (_job: Job, ctx: { signal: AbortSignal }) =>
        new Promise<never>((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        ),
      bad: async () => {
        throw new ValidationError('AB_TEST_BAD_TASK', 'bad task');
      },
    };
    const first = startJobWorker({ store, pollMs: 20, leaseMs: 300, handlers });
    await waitFor(async () => (await getJob(store, slow.id))?.status === 'running');
    await first.stop();
    expect(await getJob(store, slow.id)).toMatchObject({ status: 'queued', attempts: 1 });

    const second = startJobWorker({ store, pollMs: 20, leaseMs: 300, handlers });
    try {
      await waitFor(async () => (await getJob(store, slow.id))?.status === 'running');
      await cancelJob(store, slow.id);
      await waitFor(async () => (await getJob(store, slow.id))?.status === 'cancelled');

      const bad = await enqueueJob(store, { kind: 'bad', payload: {} });
      second.wake();
      await waitFor(async () => (await getJob(store, bad.id))?.status === 'failed');
      expect(await getJob(store, bad.id)).toMatchObject({ attempts: 1, error: 'bad task' });
    } finally {
      await second.stop();
    }
    const queued = await enqueueJob(store, { kind: 'none', payload: {} });
    expect(await cancelJob(store, queued.id)).toMatchObject({ status: 'cancelled' });
  } finally {
    await store.close();
  }
});

test('two workers never take the same job', async () => {
  const store = await openStore();
  try {
    for (let i = 0; i < 20; i++) await enqueueJob(store, { kind: 'once', payload: { i } });
    const seen: number[] = [];
    const handlers = {
      once: async (job: Job) => {
        seen.push((job.payload as { i: number }).i);
        await new Promise((r) => setTimeout(r, 5));
      },
    };
    const a = startJobWorker({ store, pollMs: 10, handlers });
    const b = startJobWorker({ store, pollMs: 10, handlers });
    await waitFor(
      async () =>
        seen.length === 20 &&
        (await store.db.selectFrom('jobs').select('id').where('status', '!=', 'succeeded').execute())
          .length === 0,
    );
    await Promise.all([a.stop(), b.stop()]);
    expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  } finally {
    await store.close();
  }
});
