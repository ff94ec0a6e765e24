import path from 'node:path';
import { z } from 'zod';
import { EvaluationError } from './errors.js';
import type { Doc } from './load-dataset.js';
import { readBenchmarkRows } from './read-benchmark-rows.js';
import { type TaskSpec, TaskSpecSchema } from './schemas.js';

const QuestionSchema = z.object({ uid: z.string(), cluster: z.string().optional(), prompt: z.string() });
const AnswerSchema = z.object({
  uid: z.string(),
  model: z.string(),
  messages: z
    .array(
      z.object({
        role: z.string(),
        content: z.union([z.string(), z.object({ answer: z.string() })]),
      }),
    )
    .min(2),
});

/**
 * The arena-hard-v0.1 judge (lmarena/arena-hard-auto `config/judge_config.yaml`, Apache-2.0):
 * the judge answers the prompt itself, then compares, then gives one of five labelled verdicts.
 */
const ARENA_HARD_SYSTEM_PROMPT = `Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user prompt displayed below. You will be given assistant A's answer and assistant B's answer. Your job is to evaluate which assistant's answer is better.

Begin your evaluation by generating your own answer to the prompt. You must provide your answers before judging any answers.

When evaluating the assistants' answers, compare both assistants' answers with your answer. You must identify and correct any mistakes or inaccurate information.

Then consider if the assistant's answers are helpful, relevant, and concise. Helpful means the answer correctly responds to the prompt or follows the instructions. Note when user prompt has any ambiguity or more than one interpretation, it is more helpful and appropriate to ask for clarifications or more information from the user than providing an answer based on assumptions. Relevant means all parts of the response closely connect or are appropriate to what is being asked. Concise means the response is clear and not verbose or excessive.

Then consider the creativity and novelty of the assistant's answers when needed. Finally, identify any missing important information in the assistants' answers that would be beneficial to include when responding to the user prompt.

After providing your explanation, you must output only one of the following choices as your final verdict with a label:

1. Assistant A is significantly better: [[A>>B]]
2. Assistant A is slightly better: [[A>B]]
3. Tie, relatively the same: [[A=B]]
4. Assistant B is slightly better: [[B>A]]
5. Assistant B is significantly better: [[B>>A]]

Example output: "My final verdict is tie: [[A=B]]".`;

/** Upstream's `<|User Prompt|>` template, with our placeholder names (question, answer_a, answer_b). */
const ARENA_HARD_PROMPT_TEMPLATE = `<|User Prompt|>
{question}

<|The Start of Assistant A's Answer|>
{answer_a}
<|The End of Assistant A's Answer|>

<|The Start of Assistant B's Answer|>
{answer_b}
<|The End of Assistant B's Answer|>`;

export interface LoadArenaHardOptions {
  /** Folder with arena-hard-auto's `question.jsonl` and `model_answer_<model>.jsonl` files. */
  dir: string;
  /** Whose answers are the baseline (upstream default: gpt-4-0314). */
  baselineModel?: string;
  maxTokens?: number;
  judgeMaxTokens?: number;
}

/**
 * arena-hard-v0.1 as a judged task: each candidate answer is compared with the baseline model's
 * answer in both orders (position swap), verdicts `[[A>>B]]`…`[[B>>A]]`; Bradley–Terry ratings
 * anchor the baseline at 1000. Each document holds `uid`, `prompt` and the baseline `baseline`.
 */
export async function loadArenaHard(opts: LoadArenaHardOptions): Promise<{ task: TaskSpec; docs: Doc[] }> {
  const baselineModel = opts.baselineModel ?? 'gpt-4-0314';
  const questionFile = path.join(opts.dir, 'question.jsonl');
  const answerFile = path.join(opts.dir, `model_answer_${baselineModel}.jsonl`);
  const questions = await readBenchmarkRows(questionFile, QuestionSchema);
  const answers = await readBenchmarkRows(answerFile, AnswerSchema);
  const baselineOf = new Map(
    answers.map((a) => {
      const last = a.messages.at(-1)?.content;
      return [a.uid, typeof last === 'string' ? last : (last?.answer ?? '')];
    }),
  );
  const docs: Doc[] = questions.map((q, i) => {
    const baseline = baselineOf.get(q.uid);
    if (baseline === undefined)
      throw new EvaluationError(
        'AB_EVAL_DATASET_INVALID',
        `question "${q.uid}" has no answer from baseline model "${baselineModel}"`,
        { file: questionFile, line: i + 1, field: 'uid' },
      );
    return { uid: q.uid, cluster: q.cluster ?? '', prompt: q.prompt, baseline };
  });
  const task = TaskSpecSchema.parse({
    format: 'alignboard-task/1',
    name: 'arena_hard_v0.1',
    outputType: 'judge',
    dataset: { path: opts.dir, testSplit: 'question' },
    docToText: 'prompt',
    idField: 'uid',
    chat: { enabled: true },
    generation: { temperature: 0, maxTokens: opts.maxTokens ?? 4096 },
    metrics: [{ metric: 'win_rate' }],
    judge: {
      mode: 'pairwise',
      systemPrompt: ARENA_HARD_SYSTEM_PROMPT,
      promptTemplate: ARENA_HARD_PROMPT_TEMPLATE,
      verdictPattern: '\\[\\[([AB<>=]+)\\]\\]',
      temperature: 0,
      maxTokens: opts.judgeMaxTokens ?? 4096,
      baselineField: 'baseline',
    },
  });
  return { task, docs };
}
