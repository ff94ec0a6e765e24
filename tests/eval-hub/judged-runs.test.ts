import { expect, test } from 'vitest';
import type { Preflight, RunDetail, SamplePage, TaskInfo } from '../../src/eval/index.js';
import { answerIn } from '../eval/engine.js';
import { api, runAndWait, startJudgedHub } from './hub.js';

test('hub: built-in MT-Bench and arena-hard queued with an engine judge succeed; without a judge, preflight and the queue refuse', {
  timeout: 180_000,
}, async () => {
  const { base, judge, candidateEndpoint: cand, judgeEndpoint: judgeEp } = await startJudgedHub();
  for (const ep of [cand, judgeEp]) await api(base, 'POST', `/eval/endpoints/${ep.id}/probe`);
  judge.chats.length = 0;
  const mt = await api<TaskInfo>(base, 'POST', '/eval/tasks/import', { file: 'mt-bench' }, 201);
  const ah = await api<TaskInfo>(base, 'POST', '/eval/tasks/import', { file: 'arena-hard' }, 201);
  expect([mt, ah].map((t) => [t.name, t.outputType, t.source])).toEqual([
    ['mt_bench', 'judge', 'mt-bench'],
    ['arena_hard_v0.1', 'judge', 'arena-hard'],
  ]);

  const request = {
    targets: [{ endpointId: cand.id }],
    tasks: [mt.name, ah.name],
    settings: { limit: 1, maxTokens: 4, judgeMaxTokens: 3 },
  };
  // No judge: preflight refuses each judged task with the reason, and the queue refuses too.
  const refused = await api<Preflight>(base, 'POST', '/eval/runs/preflight', request);
  expect(refused.verdicts.map((v) => [v.task, v.isOk, v.reason])).toEqual([
    [
      'mt_bench',
      false,
      'task "mt_bench" is graded by an LLM judge and no judge endpoint was named; pick one with the judge picker (judgeEndpointId)',
    ],
    [
      'arena_hard_v0.1',
      false,
      'task "arena_hard_v0.1" is graded by an LLM judge and no judge endpoint was named; pick one with the judge picker (judgeEndpointId)',
    ],
  ]);
  const queued = await api<{ code: string; where: { field: string } }>(
    base,
    'POST',
    '/eval/runs',
    request,
    422,
  );
  expect(queued).toMatchObject({ code: 'AB_EVAL_JUDGE_MISSING', where: { field: 'judgeEndpointId' } });

  const judged = { ...request, judgeEndpointId: judgeEp.id };
  const ok = await api<Preflight>(base, 'POST', '/eval/runs/preflight', judged);
  expect(ok.verdicts.map((v) => v.isOk)).toEqual([true, true]);
  const jobs = await runAndWait(base, judged, 2);
  expect(jobs.map((j) => [j.task, j.status, j.judgeEndpointName, j.error])).toEqual([
    ['mt_bench', 'succeeded', 'engine-judge', null],
    ['arena_hard_v0.1', 'succeeded', 'engine-judge', null],
  ]);
  const [mtRun, ahRun] = await Promise.all(
    jobs.map((j) => api<RunDetail>(base, 'GET', `/eval/runs/${j.runId}`)),
  );
  // The judge's model and pinned max tokens are part of each run's contract.
  for (const run of [mtRun, ahRun])
    expect(run?.contract.judge).toMatchObject({ model: 'judge-engine', maxTokens: 3 });
  // MT-Bench: one question, both turns; the judge graded each.
  const mtSamples = await api<SamplePage>(base, 'GET', `/eval/runs/${mtRun?.id}/samples`);
  expect(mtSamples.items.map((i) => [i.id, i.turn])).toEqual([
    ['81:turn1', 1],
    ['81:turn2', 2],
  ]);
  // arena-hard: the documents came from the built-in loader, so the judge saw GPT-4's baseline
  // answer, once as B and once as A.
  const ahSamples = await api<SamplePage>(base, 'GET', `/eval/runs/${ahRun?.id}/samples`);
  const answer = ahSamples.items[0]?.response ?? '';
  const pairwise = judge.chats
    .map((c) => c.at(-1)?.content ?? '')
    .filter((p) => p.startsWith('<|User Prompt|>'));
  expect(pairwise).toHaveLength(2);
  const [first, second] = pairwise;
  const baseline = answerIn(first ?? '', 'B') ?? '';
  expect(baseline.length).toBeGreaterThan(100);
  expect([answerIn(first ?? '', 'A'), answerIn(second ?? '', 'A'), answerIn(second ?? '', 'B')]).toEqual([
    answer,
    baseline,
    answer,
  ]);
  expect(judge.chats).toHaveLength(4);
});
