import path from 'node:path';
import { z } from 'zod';
import { EvaluationError } from './errors.js';
import type { Doc } from './load-dataset.js';
import { readBenchmarkRows } from './read-benchmark-rows.js';
import { type TaskSpec, TaskSpecSchema } from './schemas.js';

const QuestionSchema = z.object({
  question_id: z.number().int(),
  category: z.string(),
  turns: z.array(z.string()).min(1),
});
const ReferenceSchema = z.object({
  question_id: z.number().int(),
  choices: z.array(z.object({ turns: z.array(z.string()).min(1) })).min(1),
});
const JudgePromptSchema = z.object({
  name: z.string(),
  type: z.enum(['single', 'pairwise']),
  system_prompt: z.string(),
  prompt_template: z.string(),
  output_format: z.string(),
});

/** FastChat's NEED_REF_CATS: categories graded against the GPT-4 reference answer. */
const NEEDS_REFERENCE = new Set(['math', 'reasoning', 'coding']);
/** FastChat's single-grading verdict, "Rating: [[5]]" (`one_score_pattern` in fastchat/llm_judge/common.py). */
const RATING_PATTERN = '\\[\\[(\\d+\\.?\\d*)\\]\\]';

export interface LoadMtBenchOptions {
  /** Folder with FastChat's `question.jsonl`, `judge_prompts.jsonl`, `reference_answer_gpt-4.jsonl`. */
  dir: string;
  /** Candidate's max new tokens (FastChat: 1024). */
  maxTokens?: number;
  /** Judge's max tokens (FastChat: 2048). */
  judgeMaxTokens?: number;
}

/**
 * MT-Bench (lm-sys/FastChat `fastchat/llm_judge/data/mt_bench`) as a judged two-turn task, as
 * FastChat's `gen_model_answer` and `gen_judgment` run it: the candidate answers turn 1, then turn
 * 2 with its own turn-1 answer in the conversation. Each turn is graded 1–10 on its own: turn 1
 * with `single-v1`, turn 2 with `single-v1-multi-turn` (the whole conversation shown, the second
 * answer graded); math, reasoning and coding use `single-math-v1` and `single-math-v1-multi-turn`
 * with the GPT-4 reference answers of both turns. Decoding is greedy for candidate and judge, so a
 * run is reproducible.
 */
export async function loadMtBench(opts: LoadMtBenchOptions): Promise<{ task: TaskSpec; docs: Doc[] }> {
  const file = (name: string) => path.join(opts.dir, name);
  const questions = await readBenchmarkRows(file('question.jsonl'), QuestionSchema);
  const prompts = await readBenchmarkRows(file('judge_prompts.jsonl'), JudgePromptSchema);
  const references = await readBenchmarkRows(file('reference_answer_gpt-4.jsonl'), ReferenceSchema);
  const prompt = (name: string) => {
    const p = prompts.find((x) => x.name === name);
    if (!p)
      throw new EvaluationError('AB_EVAL_TASK_INVALID', `judge prompt "${name}" is missing`, {
        file: file('judge_prompts.jsonl'),
      });
    return p;
  };
  const single = prompt('single-v1');
  const math = prompt('single-math-v1');
  const singleMultiTurn = prompt('single-v1-multi-turn');
  const mathMultiTurn = prompt('single-math-v1-multi-turn');
  const refById = new Map(references.map((r) => [r.question_id, r.choices[0]?.turns]));
  const docs: Doc[] = questions.map((q) => {
    const reference = NEEDS_REFERENCE.has(q.category) ? refById.get(q.question_id) : undefined;
    return {
      question_id: q.question_id,
      category: q.category,
      turns: q.turns,
      ...(reference !== undefined && { reference }),
    };
  });
  const task = TaskSpecSchema.parse({
    format: 'alignboard-task/1',
    name: 'mt_bench',
    outputType: 'judge',
    dataset: { path: opts.dir, testSplit: 'question' },
    docToText: 'turns',
    multiTurn: true,
    idField: 'question_id',
    chat: { enabled: true },
    generation: { temperature: 0, maxTokens: opts.maxTokens ?? 1024 },
    metrics: [{ metric: 'judge_score' }],
    judge: {
      mode: 'single',
      systemPrompt: single.system_prompt,
      promptTemplate: single.prompt_template,
      referencePromptTemplate: math.prompt_template,
      referenceSystemPrompt: math.system_prompt,
      verdictPattern: RATING_PATTERN,
      temperature: 0,
      maxTokens: opts.judgeMaxTokens ?? 2048,
      referenceField: 'reference',
      multiTurn: {
        systemPrompt: singleMultiTurn.system_prompt,
        promptTemplate: singleMultiTurn.prompt_template,
        referencePromptTemplate: mathMultiTurn.prompt_template,
        referenceSystemPrompt: mathMultiTurn.system_prompt,
      },
    },
  });
  return { task, docs };
}
