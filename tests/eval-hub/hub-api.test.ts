import { expect, test } from 'vitest';
import type { Leaderboard, RunDetail, SamplePage } from '../../src/eval/index.js';
import { startEngine } from '../eval/engine.js';
import { startTestServer } from '../helpers/server.js';
import { api, runAndWait, writeToyTask } from './hub.js';

type Endpoint = { id: string; name: string; apiKeyEnv?: string };

test('queue a toy task on an endpoint, stream progress, read the run, its samples and the leaderboard; temperature splits contract groups', {
  timeout: 90_000,
}, async () => {
  const engine = await startEngine();
  const { base } = await startTestServer();
  const ep = await api<Endpoint>(
    base,
    'POST',
    '/eval/endpoints',
    { name: 'engine', baseUrl: engine.baseUrl, model: engine.model },
    201,
  );
  await api(base, 'POST', `/eval/endpoints/${ep.id}/probe`);
  const file = await writeToyTask();
  await api(base, 'POST', '/eval/tasks/import', { file }, 201);

  const preflight = await api<{ verdicts: { isOk: boolean }[] }>(base, 'POST', '/eval/runs/preflight', {
    targets: [{ endpointId: ep.id }],
    tasks: ['toy'],
  });
  expect(preflight.verdicts).toMatchObject([{ isOk: true, task: 'toy' }]);

  const [cold] = await runAndWait(base, { targets: [{ endpointId: ep.id }], tasks: ['toy'] }, 1);
  expect(cold?.status).toBe('succeeded');
  expect(cold?.progress).toMatchObject({ done: 4, total: 4 });
  const runId = cold?.runId as string;
  const detail = await api<RunDetail>(base, 'GET', `/eval/runs/${runId}`);
  expect(detail.primaryMetric).toBe('exact_match,none');
  expect(detail.contractFields).toContainEqual({ field: 'decoding.temperature', value: '0' });
  const samples = await api<SamplePage>(base, 'GET', `/eval/runs/${runId}/samples?q=2%2B3`);
  expect(samples.items).toHaveLength(1);
  expect(samples.items[0]?.prompt).toBe('Q: 2+3\nA:');

  const [hot] = await runAndWait(
    base,
    { targets: [{ endpointId: ep.id }], tasks: ['toy'], settings: { temperature: 0.7 } },
    1,
  );
  expect(hot?.status).toBe('succeeded');
  const board = await api<Leaderboard>(base, 'GET', '/eval/leaderboard');
  expect(board.groups).toHaveLength(2);
  const other = board.groups.find((g) => !g.isReference);
  expect(other?.differences.map((d) => d.field)).toEqual(['decoding.temperature']);
  expect(other?.statement).toMatch(/decoding\.temperature differs \(0 vs 0\.7\)/);

  const cmp = await api<{ comparable: boolean; statement: string; items: unknown[] }>(
    base,
    'GET',
    `/eval/compare?a=${runId}&b=${hot?.runId}`,
  );
  expect(cmp.comparable).toBe(false);
  expect(cmp.items).toHaveLength(4);

  // The API never returns a key, only the env var's name.
  const withKey = await api<Endpoint>(
    base,
    'POST',
    '/eval/endpoints',
    { name: 'keyed', baseUrl: engine.baseUrl, model: 'x', apiKeyEnv: 'SOME_KEY' },
    201,
  );
  expect(Object.keys(withKey).sort()).toEqual([
    'apiKeyEnv',
    'baseUrl',
    'capabilities',
    'createdAt',
    'id',
    'model',
    'name',
  ]);
});
