import { expect, test } from 'vitest';
import { loadConfig } from '../../src/common/config.js';
import type { EvalJob, RunDetail, SamplePage } from '../../src/eval/index.js';
import { buildServer } from '../../src/server/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startFakeOpenAI } from './fake-openai.js';
import { api, readEvents, writeToyTask } from './hub.js';

test('the queue survives a server restart mid-run: the same run resumes and completes, nothing done twice', {
  timeout: 60_000,
}, async () => {
  const dataDir = await makeTempDir();
  const config = loadConfig({ ALIGNBOARD_DATA_DIR: dataDir, ALIGNBOARD_PORT: '0' });
  // Answers the first 3 items at once, then holds every request until released.
  const fake = await startFakeOpenAI((p) => (p.includes('1+1') ? '2' : 'x'), { answerFirst: 3 });
  const rows = Array.from({ length: 8 }, (_, i) => ({ q: `${i}+1`, a: String(i + 1) }));
  const file = await writeToyTask('restartable', rows);

  const first = await buildServer({ config, logger: false });
  const base1 = await first.listen({ host: '127.0.0.1', port: 0 });
  const ep = await api<{ id: string }>(
    base1,
    'POST',
    '/eval/endpoints',
    { name: 'fake', baseUrl: fake.baseUrl, model: 'fake' },
    201,
  );
  await api(base1, 'POST', '/eval/tasks/import', { file }, 201);
  const progressed = readEvents(
    `${base1}/api/eval/events`,
    (e) => e.event === 'progress' && (e.data as { progress: { done: number } }).progress.done >= 3,
  );
  await new Promise((r) => setTimeout(r, 100));
  const { jobs } = await api<{ jobs: EvalJob[] }>(
    base1,
    'POST',
    '/eval/runs',
    { targets: [{ endpointId: ep.id }], tasks: ['restartable'] },
    201,
  );
  const jobId = jobs[0]?.id as string;
  await progressed;
  const before = await api<EvalJob>(base1, 'GET', `/eval/jobs/${jobId}`);
  expect(before.status).toBe('running');
  const runId = before.runId as string;
  expect(runId).toBeTruthy();
  await first.close(); // graceful stop: the running job goes back to the queue

  fake.release();
  const second = await buildServer({ config, logger: false });
  try {
    const base2 = await second.listen({ host: '127.0.0.1', port: 0 });
    let job: EvalJob | undefined;
    await expect
      .poll(
        async () => {
          job = await api<EvalJob>(base2, 'GET', `/eval/jobs/${jobId}`);
          return job.status;
        },
        {
          timeout: 30_000,
          interval: 200,
        },
      )
      .toBe('succeeded');
    expect(job?.runId).toBe(runId);
    expect(job?.attempts).toBe(2);
    const run = await api<RunDetail>(base2, 'GET', `/eval/runs/${runId}`);
    expect(run).toMatchObject({ status: 'finished', total: 8, summary: { samples: 8 } });
    const samples = await api<SamplePage>(base2, 'GET', `/eval/runs/${runId}/samples?limit=100`);
    expect(samples.items.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Only one run exists: the restart resumed it rather than starting over.
    expect((await api<unknown[]>(base2, 'GET', '/eval/runs')).length).toBe(1);
  } finally {
    await second.close();
  }
});
