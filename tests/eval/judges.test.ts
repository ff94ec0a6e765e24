import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { loadArenaHard } from '../../src/eval/load-arena-hard.js';
import type { Doc } from '../../src/eval/load-dataset.js';
import { loadMtBench } from '../../src/eval/load-mt-bench.js';
import { getRunDetail, listRunSamples } from '../../src/eval/run-detail.js';
import { evaluate, evaluateIter, prepareSamples } from '../../src/eval/run-eval.js';
import type { TaskSpec } from '../../src/eval/schemas.js';
import { listSampleRecords, summarizeRecords } from '../../src/eval/summarize-run.js';
import { createStore, type Store } from '../../src/store/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { answerIn, startEngine, startScriptedJudge } from './engine.js';
import { BENCHMARKS } from './shared-paths.js';

const MT_BENCH = path.join(BENCHMARKS, 'mt_bench');
const ARENA_HARD = path.join(BENCHMARKS, 'arena_hard_v0.1');

/** An engine endpoint (a tiny random model seeded `seed`, room for judge prompts) named for its role. */
async function startEndpoint(name: string, seed: number) {
  return { name, ...(await startEngine({ seed, modelName: `tiny-${seed}`, contextLength: 8192 })) };
}

async function tempStore(): Promise<Store> {
  const store = createStore({ databaseUrl: `sqlite:${path.join(await makeTempDir(), 'a.db')}` });
  await store.migrate();
  onTestFinished(() => store.close());
  return store;
}

/** Short tasks for a tiny model: few new tokens (they are part of the contract). */
const small = (task: TaskSpec, judgeMaxTokens = 3): TaskSpec => ({
  ...task,
  generation: { ...task.generation, maxTokens: 4 },
  judge: task.judge && { ...task.judge, maxTokens: judgeMaxTokens },
});

/** arena-hard questions with the shortest prompt + baseline, so judge prompts fit a tiny model quickly. */
function shortest(docs: Doc[], n: number): Doc[] {
  const len = (d: Doc) => String(d.prompt).length + String(d.baseline).length;
  return [...docs].sort((a, b) => len(a) - len(b)).slice(0, n);
}

test('loaders read the shared MT-Bench and arena-hard files in place', async () => {
  const mt = await loadMtBench({ dir: MT_BENCH });
  expect(mt.docs).toHaveLength(80);
  expect(mt.docs.every((d) => Array.isArray(d.turns) && d.turns.length === 2)).toBe(true);
  const guided = mt.docs.filter((d) => d.reference !== undefined);
  expect(guided.map((d) => d.category)).toEqual(
    Array.from({ length: 30 }, (_, i) => (i < 10 ? 'reasoning' : i < 20 ? 'math' : 'coding')),
  );
  // A reference answer per turn: the multi-turn math prompt shows both.
  expect(guided.every((d) => Array.isArray(d.reference) && d.reference.length === 2)).toBe(true);
  expect(mt.task.judge).toMatchObject({ mode: 'single', systemPrompt: 'You are a helpful assistant.' });
  expect(mt.task.judge?.referencePromptTemplate).toContain('[The Start of Reference Answer]');
  expect(mt.task.judge?.multiTurn?.systemPrompt).toContain('answer to the second user question');
  expect(mt.task.judge?.multiTurn?.referencePromptTemplate).toContain('{ref_answer_2}');
  // Two samples per question, each turn named in its id.
  const samples = await prepareSamples({ task: mt.task, docs: mt.docs, limit: 2 });
  expect(samples.map((x) => [x.index, x.id, x.turn?.number])).toEqual([
    [0, '81:turn1', 1],
    [1, '81:turn2', 2],
    [2, '82:turn1', 1],
    [3, '82:turn2', 2],
  ]);
  const ah = await loadArenaHard({ dir: ARENA_HARD });
  expect(ah.docs).toHaveLength(500);
  expect(ah.docs[0]).toMatchObject({ uid: '328c149ed45a41c0b9d6f14659e63599' });
  expect(String(ah.docs[0]?.baseline).length).toBeGreaterThan(100);
  await expect(loadArenaHard({ dir: ARENA_HARD, baselineModel: 'nobody' })).rejects.toMatchObject({
    code: 'AB_EVAL_DATASET_NOT_FOUND',
    where: { file: path.join(ARENA_HARD, 'model_answer_nobody.jsonl') },
  });
});

test('MT-Bench two turns, engine candidate and engine judge: turn 2 sees turn 1, each turn judged with its prompt', {
  timeout: 120_000,
}, async () => {
  const candidate = await startEndpoint('candidate', 1);
  const judge = await startEndpoint('judge', 2);
  const mt = await loadMtBench({ dir: MT_BENCH });
  // A general question and a math question (graded against the reference answers).
  const docs = [mt.docs[0], mt.docs.find((d) => d.category === 'math')] as Doc[];
  const [general, math] = docs as [Doc, Doc];
  const store = await tempStore();
  const out = await evaluate(
    { task: small(mt.task), docs, endpoint: candidate, judgeEndpoint: judge },
    { store, concurrency: { start: 2, max: 2 } },
  );
  expect(out.status).toBe('finished');
  const records = await listSampleRecords(store, out.runId);
  expect(records.map((r) => [r.id, r.turn])).toEqual([
    [`${general.question_id}:turn1`, 1],
    [`${general.question_id}:turn2`, 2],
    [`${math.question_id}:turn1`, 1],
    [`${math.question_id}:turn2`, 2],
  ]);
  // Turn 2 is asked after turn 1 and the candidate's own stored answer to it.
  const turnsOf = (d: Doc) => d.turns as string[];
  for (const [k, doc] of docs.entries()) {
    const [q1, q2] = turnsOf(doc);
    const a1 = records[2 * k]?.responses[0] ?? '';
    expect(a1.length).toBeGreaterThan(0);
    expect(candidate.chats).toContainEqual([{ role: 'user', content: q1 }]);
    expect(candidate.chats).toContainEqual([
      { role: 'user', content: q1 },
      { role: 'assistant', content: a1 },
      { role: 'user', content: q2 },
    ]);
  }
  // Besides the capability probe, one request per turn.
  expect(candidate.chats.filter((m) => docs.some((d) => m[0]?.content === turnsOf(d)[0]))).toHaveLength(4);
  // A random tiny judge writes no "[[N]]": each unreadable reply is counted, its sample unscored.
  const unreadable = records.filter((r) => r.judge?.score === null).length;
  expect(out.summary.unreadableVerdicts).toBe(unreadable);
  expect(out.summary.metrics.judge_score?.n ?? 0).toBe(records.length - unreadable);
  for (const r of records.filter((x) => x.judge?.score === null))
    expect(r.judge?.verdicts[0]).toMatch(/^unreadable: /);
  // The judge got one MT-Bench prompt per turn, with the system prompt that goes with it.
  expect(judge.chats).toHaveLength(4);
  const judged = (needle: string) => judge.chats.filter((m) => (m.at(-1)?.content ?? '').includes(needle));
  const [general1] = judged(`[Question]\n${turnsOf(general)[0]}\n`);
  expect(general1?.[0]).toEqual({ role: 'system', content: 'You are a helpful assistant.' });
  expect(general1?.[1]?.content).not.toContain('[The Start of Reference Answer]');
  expect(general1?.[1]?.content).toContain(
    `[The Start of Assistant's Answer]\n${records[0]?.responses[0]}\n`,
  );
  const [math1] = judged(`[Question]\n${turnsOf(math)[0]}\n`);
  expect(math1?.[1]?.content).toContain(
    `[The Start of Reference Answer]\n${(math.reference as string[])[0]}\n[The End of Reference Answer]`,
  );
  // Turn 2: the whole conversation, both answers, and for math both reference answers before it.
  const conversation = (doc: Doc, r: number) =>
    `### User:\n${turnsOf(doc)[0]}\n\n### Assistant A:\n${records[r]?.responses[0]}\n\n` +
    `### User:\n${turnsOf(doc)[1]}\n\n### Assistant A:\n${records[r + 1]?.responses[0]}\n\n`;
  const [general2] = judged(conversation(general, 0));
  expect(general2?.[0]?.content).toContain('answer to the second user question');
  expect(general2?.[1]?.content).not.toContain('<|The Start of Reference Answer|>');
  const [math2] = judged(conversation(math, 2));
  expect(math2?.[0]?.content).toContain('You will be given a reference answer');
  const mathPrompt = math2?.[1]?.content ?? '';
  const [ref1, ref2] = math.reference as string[];
  const refAt = mathPrompt.indexOf(
    `### User:\n${turnsOf(math)[0]}\n\n### Reference answer:\n${ref1}\n\n### User:\n${turnsOf(math)[1]}\n\n### Reference answer:\n${ref2}\n`,
  );
  expect(refAt).toBeGreaterThan(-1);
  expect(refAt).toBeLessThan(mathPrompt.indexOf(conversation(math, 2)));
  expect(judge.chats.every((m) => `${m[0]?.content}${m.at(-1)?.content}`.includes('Rating: [[5]]'))).toBe(
    true,
  );
});

test('arena-hard pairwise, engine candidate and engine judge: both orders judged, garbage counted', {
  timeout: 60_000,
}, async () => {
  const candidate = await startEndpoint('candidate', 1);
  const judge = await startEndpoint('judge', 2);
  const ah = await loadArenaHard({ dir: ARENA_HARD });
  const docs = shortest(ah.docs, 1);
  const store = await tempStore();
  const out = await evaluate(
    { task: small(ah.task), docs, endpoint: candidate, judgeEndpoint: judge },
    { store, concurrency: { start: 2, max: 2 } },
  );
  expect(out.status).toBe('finished');
  const records = await listSampleRecords(store, out.runId);
  // Position swap: each sample is judged twice, candidate as A then as B, baseline opposite.
  expect(judge.chats).toHaveLength(2);
  for (const r of records) {
    const doc = docs[r.index] as Doc;
    const seen = judge.chats
      .map((m) => m.at(-1)?.content ?? '')
      .filter((p) => p.includes(String(doc.prompt)))
      .map((p) => [answerIn(p, 'A'), answerIn(p, 'B')]);
    expect(seen.sort()).toEqual(
      [
        [r.responses[0], doc.baseline],
        [doc.baseline, r.responses[0]],
      ].sort(),
    );
  }
  const unreadable = records.reduce((n, r) => n + (r.judge?.unreadable ?? 0), 0);
  expect(out.summary.unreadableVerdicts).toBe(unreadable);
  // Samples with both verdicts unreadable have no outcome and take no part in the ratings.
  const scored = records.filter((r) => r.judge?.outcome !== null);
  expect(out.summary.metrics.win_rate?.n ?? 0).toBe(scored.length);
  expect(out.summary.ratings === undefined).toBe(scored.length === 0);
});

test('verdict handling with a scripted judge: swap, ties, inconsistency, unreadable; Bradley–Terry reproducible by seed', {
  timeout: 60_000,
}, async () => {
  const candidate = await startEndpoint('candidate', 1);
  const ah = await loadArenaHard({ dir: ARENA_HARD });
  const docs = shortest(ah.docs, 8);
  const baselines = new Set(docs.map((d) => String(d.baseline)));
  // Per question (by its position in `docs`): 0,1,2 candidate better; 3 baseline better; 4 tie;
  // 5 always "[[A>B]]" (position bias → inconsistent → tie); 6 garbage; 7 one garbage, one verdict.
  const judge = await startScriptedJudge((prompt) => {
    const q = docs.findIndex((d) => prompt.includes(`<|User Prompt|>\n${String(d.prompt)}\n`));
    const baselineIsA = baselines.has(answerIn(prompt, 'A') ?? '');
    const better = (who: 'candidate' | 'baseline') =>
      (who === 'baseline') === baselineIsA ? 'My final verdict: [[A>>B]]' : 'My final verdict: [[B>A]]';
    if (q <= 2) return better('candidate');
    if (q === 3) return better('baseline');
    if (q === 4) return 'Tie, relatively the same: [[A=B]]';
    if (q === 5) return '[[A>B]]';
    if (q === 6) return 'I cannot decide.';
    return baselineIsA ? '[[Z]]' : better('candidate');
  });
  const store = await tempStore();
  const out = await evaluate(
    { task: small(ah.task), docs, endpoint: candidate, judgeEndpoint: judge },
    { store, concurrency: { start: 4, max: 4 } },
  );
  const records = await listSampleRecords(store, out.runId);
  expect(records.map((r) => [r.judge?.outcome, r.judge?.isInconsistent, r.judge?.unreadable])).toEqual([
    [1, false, 0],
    [1, false, 0],
    [1, false, 0],
    [0, false, 0],
    [0.5, false, 0],
    [0.5, true, 0],
    [null, false, 2],
    [1, false, 1],
  ]);
  expect(out.summary).toMatchObject({ inconsistentVerdicts: 1, ties: 2, unreadableVerdicts: 3 });
  expect(out.summary.metrics.win_rate).toMatchObject({ n: 7, mean: 5 / 7 });
  const ratings = out.summary.ratings;
  expect(ratings?.baseline?.rating).toBe(1000);
  expect(ratings?.candidate?.rating).toBeGreaterThan(1000);
  const [lo, hi] = ratings?.candidate?.ci95 ?? [0, 0];
  expect(lo).toBeLessThanOrEqual(ratings?.candidate?.rating ?? 0);
  expect(hi).toBeGreaterThanOrEqual(ratings?.candidate?.rating ?? 0);
  // Same stored verdicts and seed → the same intervals; another seed resamples differently.
  expect(summarizeRecords(records).ratings).toEqual(ratings);
  expect(summarizeRecords(records, { seed: 7 }).ratings).toEqual(
    summarizeRecords(records, { seed: 7 }).ratings,
  );
  expect(summarizeRecords(records, { seed: 8 }).ratings?.candidate?.ci95).not.toEqual(
    summarizeRecords(records, { seed: 7 }).ratings?.candidate?.ci95,
  );
});

/** Which MT-Bench question and turn a judge prompt grades (turn 2 prompts show the conversation). */
function gradedTurn(prompt: string, docs: Doc[]): { q: number; turn: 1 | 2 } {
  const turn = prompt.includes('### Assistant A:') ? 2 : 1;
  const q = docs.findIndex((d) => prompt.includes(String((d.turns as string[])[0])));
  return { q, turn };
}

test('MT-Bench with a scripted judge: per-turn and average scores from "[[N]]", a refusal reported unscored', {
  timeout: 60_000,
}, async () => {
  const candidate = await startEndpoint('candidate', 1);
  const mt = await loadMtBench({ dir: MT_BENCH });
  const docs = [mt.docs[0], mt.docs.find((d) => d.category === 'math'), mt.docs[2]] as Doc[];
  // Ratings per question and turn; the third question's second turn is refused.
  const replies = [
    ['Fine. Rating: [[7]]', 'Weaker follow-up. Rating: [[4]]'],
    ['Compared with the reference it is wrong. Rating: [[2]]', 'Still wrong. Rating: [[3]]'],
    ['Rating: [[8.5]]', 'I cannot rate this conversation.'],
  ];
  const judge = await startScriptedJudge((prompt) => {
    const { q, turn } = gradedTurn(prompt, docs);
    return replies[q]?.[turn - 1] ?? 'no such question';
  });
  const store = await tempStore();
  const out = await evaluate(
    { task: small(mt.task), docs, endpoint: candidate, judgeEndpoint: judge },
    { store },
  );
  expect(out.status).toBe('finished');
  const records = await listSampleRecords(store, out.runId);
  expect(records.map((r) => [r.turn, r.judge?.score])).toEqual([
    [1, 7],
    [2, 4],
    [1, 2],
    [2, 3],
    [1, 8.5],
    [2, null],
  ]);
  // The refusal is reported with its text and takes no part in any mean.
  expect(records[5]?.judge?.verdicts).toEqual(['unreadable: I cannot rate this conversation.']);
  expect(records[5]?.scores).toEqual({});
  expect(out.summary.unreadableVerdicts).toBe(1);
  expect(out.summary.metrics.judge_score_turn_1).toMatchObject({ n: 3, mean: (7 + 2 + 8.5) / 3 });
  expect(out.summary.metrics.judge_score_turn_2).toMatchObject({ n: 2, mean: (4 + 3) / 2 });
  // FastChat's MT-Bench average: the mean over every scored turn.
  expect(out.summary.metrics.judge_score).toMatchObject({ n: 5, mean: (7 + 4 + 2 + 3 + 8.5) / 5 });
  // The run page: per-turn metrics beside the average, each sample's turn, and a second turn's prompt
  // as the conversation it was asked in.
  const detail = await getRunDetail(store, out.runId);
  expect(detail.primaryMetric).toBe('judge_score');
  expect(Object.keys(detail.summary?.metrics ?? {}).sort()).toEqual([
    'judge_score',
    'judge_score_turn_1',
    'judge_score_turn_2',
  ]);
  const page = await listRunSamples(store, out.runId, {});
  expect(page.items.map((i) => [i.id, i.turn, i.score])).toEqual(
    records.map((r) => [r.id, r.turn, r.scores.judge_score ?? null]),
  );
  const [q1, q2] = (docs[0] as Doc).turns as string[];
  expect(page.items[0]?.prompt).toBe(q1);
  expect(page.items[1]?.prompt).toBe(`user: ${q1}\n\nassistant: ${records[0]?.responses[0]}\n\nuser: ${q2}`);
  expect(page.items[1]?.response).toBe(records[1]?.responses[0]);
});

test('MT-Bench resumed after a stop between turn 1 and turn 2: turn 1 is neither asked nor judged again', {
  timeout: 60_000,
}, async () => {
  const candidate = await startEndpoint('candidate', 1);
  const mt = await loadMtBench({ dir: MT_BENCH });
  const docs = [mt.docs[0]] as Doc[];
  const [q1, q2] = (docs[0] as Doc).turns as string[];
  const judged: (1 | 2)[] = [];
  const judge = await startScriptedJudge((prompt) => {
    const { turn } = gradedTurn(prompt, docs);
    judged.push(turn);
    return turn === 1 ? 'Rating: [[6]]' : 'Rating: [[9]]';
  });
  const store = await tempStore();
  const req = { task: small(mt.task), docs, endpoint: candidate, judgeEndpoint: judge };
  // No response cache: only the stored samples may spare work.
  const opts = { store, useCache: false, concurrency: { start: 1, max: 1 } };
  const controller = new AbortController();
  let runId = '';
  await expect(
    (async () => {
      for await (const e of evaluateIter(req, { ...opts, signal: controller.signal })) {
        if (e.type === 'started') runId = e.runId;
        if (e.type === 'sample' && e.index === 0) controller.abort(new Error('stopped after turn 1'));
      }
    })(),
  ).rejects.toThrow('stopped after turn 1');
  const first = await listSampleRecords(store, runId);
  expect(first.map((r) => r.turn)).toEqual([1]);
  const answer1 = first[0]?.responses[0] ?? '';
  expect(judged).toEqual([1]);
  candidate.chats.length = 0;
  const out = await evaluate({ ...req, runId }, opts);
  expect(out.status).toBe('finished');
  expect(candidate.chats.filter((m) => m[0]?.content === q1)).toEqual([
    [
      { role: 'user', content: q1 },
      { role: 'assistant', content: answer1 },
      { role: 'user', content: q2 },
    ],
  ]);
  expect(judged).toEqual([1, 2]);
  const records = await listSampleRecords(store, runId);
  expect(records.map((r) => [r.turn, r.judge?.score])).toEqual([
    [1, 6],
    [2, 9],
  ]);
  expect(records[0]).toEqual(first[0]);
  expect(out.summary.metrics.judge_score).toMatchObject({ n: 2, mean: 7.5 });
});
