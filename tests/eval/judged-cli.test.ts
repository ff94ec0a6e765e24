import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import type { RunSummary, SampleRecord } from '../../src/eval/index.js';
import { impliedWinRate } from '../../src/eval/statistics.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { answerIn, startEngine, startScriptedJudge } from './engine.js';
import { BENCHMARKS } from './shared-paths.js';

interface RunFiles {
  summary: { id: string; judge: { name: string; model: string } | null; summary: RunSummary };
  records: SampleRecord[];
}

/** A fresh data dir with the endpoints registered through the CLI, and a runner of `eval run`. */
async function cliWith(endpoints: { name: string; baseUrl: string; model: string }[]) {
  const dataDir = await makeTempDir();
  // Built-ins find their upstream files here; the shared data is read in place.
  const env = { ALIGNBOARD_DATA_DIR: dataDir, ALIGNBOARD_BENCHMARKS_DIR: BENCHMARKS };
  for (const e of endpoints) {
    const res = await runCli(
      ['eval', 'endpoint', 'add', e.name, '--base-url', e.baseUrl, '--model', e.model],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
  }
  const out = path.join(dataDir, 'out');
  return {
    env,
    /** `eval run` on two documents with few tokens; returns its output and the files it wrote. */
    async run(task: string, judge: string | null, extra: string[] = []) {
      const res = await runCli(
        [
          'eval',
          'run',
          '--endpoint',
          'candidate',
          '--task',
          task,
          ...(judge ? ['--judge', judge] : []),
          '--limit',
          '2',
          '--max-tokens',
          '4',
          '--judge-max-tokens',
          '3',
          '--out',
          out,
          ...extra,
        ],
        env,
      );
      expect(res.code, res.stderr).toBe(0);
      const runId = /^run (\S+) finished/m.exec(res.stdout)?.[1] ?? '';
      const dir = path.join(out, runId);
      const files: RunFiles = {
        summary: JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')),
        records: (await readFile(path.join(dir, 'samples.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as SampleRecord),
      };
      return { ...res, runId, ...files };
    },
  };
}

const line = (stdout: string, label: string) => stdout.split('\n').find((l) => l.startsWith(`  ${label}\t`));
const interval = (m: { mean: number; stderr: number; ci95: [number, number] } | undefined) =>
  m && `${m.mean.toFixed(4)} ± ${m.stderr.toFixed(4)}  [${m.ci95[0].toFixed(4)}, ${m.ci95[1].toFixed(4)}]`;

test('eval run --task mt-bench --judge: engine candidate and engine judge, both turns judged; refused without --judge; another judge model is not compared', {
  timeout: 240_000,
}, async () => {
  const candidate = await startEngine({ seed: 1, modelName: 'cand', contextLength: 8192 });
  const judge = await startEngine({ seed: 2, modelName: 'judge-engine', contextLength: 8192 });
  // Rates turn 1 a 7 and turn 2 (its prompt shows the conversation) a 4.
  const scripted = await startScriptedJudge(
    (prompt) => (prompt.includes('### Assistant A:') ? 'Rating: [[4]]' : 'Rating: [[7]]'),
    'judge-scripted',
  );
  const cli = await cliWith([
    { name: 'candidate', baseUrl: candidate.baseUrl, model: candidate.model },
    { name: 'engine-judge', baseUrl: judge.baseUrl, model: judge.model },
    { name: 'scripted-judge', baseUrl: scripted.baseUrl, model: scripted.model },
  ]);

  const refused = await runCli(['eval', 'run', '--endpoint', 'candidate', '--task', 'mt-bench'], cli.env);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('AB_EVAL_JUDGE_MISSING');
  expect(refused.stderr).toContain(
    'field "--judge": task "mt_bench" is graded by an LLM judge and no judge endpoint was named; name one with --judge',
  );
  expect(candidate.chats).toHaveLength(0);

  const byEngine = await cli.run('mt-bench', 'engine-judge');
  // Two questions, two turns each; each turn judged once by the engine judge.
  expect(byEngine.records.map((r) => [r.id, r.turn])).toEqual([
    ['81:turn1', 1],
    ['81:turn2', 2],
    ['82:turn1', 1],
    ['82:turn2', 2],
  ]);
  expect(judge.chats).toHaveLength(4);
  expect(judge.chats.filter((m) => (m.at(-1)?.content ?? '').includes('### Assistant A:'))).toHaveLength(2);
  expect(byEngine.summary.judge).toEqual({ name: 'engine-judge', model: 'judge-engine' });
  expect(byEngine.stdout).toContain('judged by engine-judge (judge-engine)');
  // A random tiny judge rarely writes "[[N]]": whatever it did, the unreadable count is printed.
  const unreadable = byEngine.records.filter((r) => r.judge?.score === null).length;
  expect(byEngine.summary.summary.unreadableVerdicts).toBe(unreadable);
  expect(byEngine.stdout).toContain(`  unreadable judge verdicts ${unreadable}\n`);

  const byScript = await cli.run('mt-bench', 'scripted-judge');
  const m = byScript.summary.summary.metrics;
  expect(m.judge_score_turn_1).toMatchObject({ n: 2, mean: 7 });
  expect(m.judge_score_turn_2).toMatchObject({ n: 2, mean: 4 });
  expect(m.judge_score).toMatchObject({ n: 4, mean: 5.5 });
  for (const k of ['judge_score_turn_1', 'judge_score_turn_2', 'judge_score'])
    expect(line(byScript.stdout, k)).toBe(`  ${k}\t${interval(m[k])}`);

  // The same candidate, task and settings, graded by another judge model: refused, naming it.
  const cmp = await runCli(['eval', 'compare', byEngine.runId, byScript.runId], cli.env);
  expect(cmp.code).toBe(2);
  expect(cmp.stderr).toContain('AB_EVAL_INCOMPARABLE');
  expect(cmp.stderr).toContain('judge.model differs ("judge-engine" vs "judge-scripted")');
  expect(cmp.stderr).not.toMatch(/(decoding|dataset|prompt|chat)\.\w+ differs/);
});

test('eval run --task arena-hard --judge: both orders judged by the engine; the win rate printed with its Bradley–Terry interval', {
  timeout: 240_000,
}, async () => {
  const candidate = await startEngine({ seed: 1, modelName: 'cand', contextLength: 8192 });
  const judge = await startEngine({ seed: 2, modelName: 'judge-engine', contextLength: 8192 });
  // The shorter answer wins: a 4-token candidate beats GPT-4's baseline in both orders.
  const scripted = await startScriptedJudge((prompt) =>
    (answerIn(prompt, 'A') ?? '').length < (answerIn(prompt, 'B') ?? '').length
      ? 'My final verdict: [[A>B]]'
      : 'My final verdict: [[B>A]]',
  );
  const cli = await cliWith([
    { name: 'candidate', baseUrl: candidate.baseUrl, model: candidate.model },
    { name: 'engine-judge', baseUrl: judge.baseUrl, model: judge.model },
    { name: 'scripted-judge', baseUrl: scripted.baseUrl, model: scripted.model },
  ]);

  const byEngine = await cli.run('arena-hard', 'engine-judge');
  expect(byEngine.records).toHaveLength(2);
  // Position swap: per question, the candidate's answer once as A and once as B.
  expect(judge.chats).toHaveLength(4);
  for (const r of byEngine.records) {
    const answer = r.responses[0] ?? '';
    const slots = judge.chats
      .map((c) => c.at(-1)?.content ?? '')
      .filter((p) => answerIn(p, 'A') === answer || answerIn(p, 'B') === answer)
      .map((p) => (answerIn(p, 'A') === answer ? 'A' : 'B'));
    expect(slots.sort()).toEqual(['A', 'B']);
  }
  expect(byEngine.summary.summary.unreadableVerdicts).toBe(
    byEngine.records.reduce((n, r) => n + (r.judge?.unreadable ?? 0), 0),
  );

  const byScript = await cli.run('arena-hard', 'scripted-judge');
  const s = byScript.summary.summary;
  expect(s.metrics.win_rate).toMatchObject({ n: 2, mean: 1 });
  expect(s).toMatchObject({ ties: 0, inconsistentVerdicts: 0, unreadableVerdicts: 0 });
  const rating = s.ratings?.candidate;
  expect(rating?.rating).toBeGreaterThan(1000);
  expect(s.ratings?.baseline?.rating).toBe(1000);
  const w = impliedWinRate(rating ?? { rating: 0, ci95: [0, 0] });
  expect(w.winRate).toBeGreaterThan(0.5);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  expect(line(byScript.stdout, 'win rate vs baseline (Bradley–Terry)')).toBe(
    `  win rate vs baseline (Bradley–Terry)\t${pct(w.winRate)}  [${pct(w.ci95[0])}, ${pct(w.ci95[1])}]  rating ${rating?.rating.toFixed(0)} [${rating?.ci95[0].toFixed(0)}, ${rating?.ci95[1].toFixed(0)}], baseline 1000`,
  );
  expect(byScript.stdout).toContain('  ties 0, inconsistent after swap 0\n');
});
