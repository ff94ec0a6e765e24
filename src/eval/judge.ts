import { excerpt } from '../common/errors.js';
import type { EvalSample } from './build-samples.js';
import type { EndpointClient } from './endpoint-client.js';
import { EvaluationError } from './errors.js';
import { compilePythonRegex } from './python-regex.js';
import type { Judge, TaskSpec } from './schemas.js';

export interface JudgeOutcome {
  /** Single grading: the 1–10 rating, or null when the verdict could not be read. */
  score: number | null;
  /** Pairwise: 1 candidate wins, 0 baseline wins, 0.5 tie (or inconsistent across the swap). */
  outcome: number | null;
  verdicts: string[];
  isInconsistent: boolean;
  /** Judge replies whose verdict could not be read (no match of the pattern, or an unknown label). */
  unreadable: number;
}

/** Why a task cannot run as asked: it is judged (MT-Bench, arena-hard, `outputType: judge`) and no judge was named. */
export function missingJudge(task: TaskSpec, hasJudge: boolean): string | null {
  return task.outputType === 'judge' && !hasJudge
    ? `task "${task.name}" is graded by an LLM judge and no judge endpoint was named`
    : null;
}

/** Refuses a judged task without a judge before anything is asked; `field` is how the caller names the judge. */
export function requireJudgeEndpoint(task: TaskSpec, hasJudge: boolean, field: string): void {
  const why = missingJudge(task, hasJudge);
  if (why)
    throw new EvaluationError(
      'AB_EVAL_JUDGE_MISSING',
      `${why}; name one with ${field}`,
      { field },
      { status: 422 },
    );
}

/** FastChat-style `{name}` placeholders (Python str.format), as the MT-Bench judge prompts use. */
export function formatPrompt(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{|\}\}|\{(\w+)\}/g, (m, name: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    return values[name as string] ?? m;
  });
}

function verdictOf(text: string, judge: Judge): string | null {
  const m = compilePythonRegex(judge.verdictPattern, '', 'judge.verdictPattern').exec(text);
  return m?.[1] ?? null;
}

/** Maps a pairwise verdict to "A wins" (1), "B wins" (0) or tie (0.5): [[A]], [[A>>B]], [[A=B]], [[C]]… */
function pairScore(v: string | null): number | null {
  if (v === null) return null;
  const t = v.replace(/\s/g, '');
  if (t === 'A' || t === 'A>B' || t === 'A>>B') return 1;
  if (t === 'B' || t === 'B>A' || t === 'B>>A') return 0;
  if (t === 'C' || t === 'A=B' || t === 'B=A' || t.toLowerCase() === 'tie') return 0.5;
  return null;
}

/** `{ref_answer_1}`, `{ref_answer_2}`, …: a reference answer per turn, or one for a single turn. */
function referenceValues(reference: unknown): Record<string, string> {
  const list = Array.isArray(reference) ? reference : [reference ?? ''];
  return Object.fromEntries(list.map((r, k) => [`ref_answer_${k + 1}`, String(r)]));
}

/**
 * Judges one answer. Single: the judge rates it (1–10), with the reference answer when the
 * sample has one; a later turn of a multi-turn sample is rated with `judge.multiTurn`, which
 * shows the whole conversation (`sample.messages` then holds the earlier turns and answers).
 * Pairwise: judged twice, candidate as A then as B; verdicts that disagree after the swap count
 * as a tie.
 */
export async function judgeSample(
  client: EndpointClient,
  judge: Judge,
  sample: EvalSample,
  answer: string,
  retry: <T>(fn: () => Promise<T>) => Promise<T>,
  signal?: AbortSignal,
): Promise<JudgeOutcome> {
  const question = sample.messages.filter((m) => m.role === 'user').at(-1)?.content ?? sample.prompt;
  const reference = judge.referenceField ? sample.doc[judge.referenceField] : undefined;
  const ask = async (content: string, systemPrompt = judge.systemPrompt) => {
    const messages = [
      ...(systemPrompt ? [{ role: 'system' as const, content: systemPrompt }] : []),
      { role: 'user' as const, content },
    ];
    const r = await retry(() =>
      client.chat(messages, { temperature: judge.temperature, maxTokens: judge.maxTokens }, signal),
    );
    return r.text;
  };
  if (judge.mode === 'single') {
    const turn = sample.turn?.number ?? 1;
    const prompts = turn > 1 ? judge.multiTurn : judge;
    if (!prompts)
      throw new EvaluationError(
        'AB_EVAL_TASK_INVALID',
        `sample "${sample.id}" is turn ${turn} of a conversation but the judge has no multi-turn prompt`,
        { field: 'judge.multiTurn' },
      );
    const guided = reference !== undefined ? prompts.referencePromptTemplate : undefined;
    const questions = sample.messages.filter((m) => m.role === 'user').map((m) => m.content);
    const answers = [...sample.messages.filter((m) => m.role === 'assistant').map((m) => m.content), answer];
    const conversation = Object.fromEntries([
      ...questions.map((q, k) => [`question_${k + 1}`, q]),
      ...answers.map((a, k) => [`answer_${k + 1}`, a]),
    ]);
    const text = await ask(
      formatPrompt(guided ?? prompts.promptTemplate, {
        ...conversation,
        ...referenceValues(reference),
        question,
        answer,
      }),
      guided !== undefined ? (prompts.referenceSystemPrompt ?? prompts.systemPrompt) : prompts.systemPrompt,
    );
    const v = verdictOf(text, judge);
    const score = v !== null && Number.isFinite(Number(v)) ? Number(v) : null;
    return {
      score,
      outcome: null,
      verdicts: [score !== null ? (v as string) : `unreadable: ${excerpt(text, 60)}`],
      isInconsistent: false,
      unreadable: score === null ? 1 : 0,
    };
  }
  const baseline = String(judge.baselineField ? (sample.doc[judge.baselineField] ?? '') : '');
  const values = { question, ...referenceValues(reference) };
  const first = verdictOf(
    await ask(formatPrompt(judge.promptTemplate, { ...values, answer_a: answer, answer_b: baseline })),
    judge,
  );
  const second = verdictOf(
    await ask(formatPrompt(judge.promptTemplate, { ...values, answer_a: baseline, answer_b: answer })),
    judge,
  );
  const s1 = pairScore(first);
  const s2 = pairScore(second);
  const swapped = s2 === null ? null : 1 - s2;
  let outcome: number | null;
  let isInconsistent = false;
  if (s1 === null || swapped === null) outcome = s1 ?? swapped;
  else if (Math.sign(s1 - 0.5) === Math.sign(swapped - 0.5)) outcome = (s1 + swapped) / 2;
  else {
    outcome = 0.5;
    isInconsistent = s1 !== 0.5 || swapped !== 0.5;
  }
  return {
    score: null,
    outcome,
    verdicts: [first ?? 'unreadable', second ?? 'unreadable'],
    isInconsistent,
    unreadable: (s1 === null ? 1 : 0) + (s2 === null ? 1 : 0),
  };
}
