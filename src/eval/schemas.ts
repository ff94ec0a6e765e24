import { z } from 'zod';

/** A document field as lm-eval spells it: a Jinja template, a column name, a literal index or list. */
export const DocFieldSchema = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]);
export type DocField = z.infer<typeof DocFieldSchema>;

export const FilterStepSchema = z.discriminatedUnion('function', [
  z.object({
    function: z.literal('regex'),
    pattern: z.string(),
    groupSelect: z.number().int().default(0),
    fallback: z.string().default('[invalid]'),
  }),
  z.object({ function: z.literal('take_first') }),
  z.object({ function: z.literal('majority_vote') }),
  z.object({ function: z.literal('lowercase') }),
  z.object({ function: z.literal('strip') }),
]);
export type FilterStep = z.infer<typeof FilterStepSchema>;

export const FilterSchema = z.object({ name: z.string(), steps: z.array(FilterStepSchema) });
export type Filter = z.infer<typeof FilterSchema>;

export const MetricSchema = z.discriminatedUnion('metric', [
  z.object({
    metric: z.literal('exact_match'),
    ignoreCase: z.boolean().default(false),
    ignorePunctuation: z.boolean().default(false),
    regexesToIgnore: z.array(z.string()).default([]),
  }),
  z.object({ metric: z.literal('acc') }),
  z.object({ metric: z.literal('acc_norm') }),
  z.object({ metric: z.literal('judge_score') }),
  z.object({ metric: z.literal('win_rate') }),
]);
export type Metric = z.infer<typeof MetricSchema>;

export const GenerationSchema = z.object({
  until: z.array(z.string()).default([]),
  temperature: z.number().min(0).default(0),
  topP: z.number().min(0).max(1).optional(),
  maxTokens: z.number().int().positive().default(256),
  seed: z.number().int().optional(),
});
export type Generation = z.infer<typeof GenerationSchema>;

export const JudgeSchema = z.object({
  /** `single`: grade one answer 1–10 (MT-Bench); `pairwise`: compare with a baseline, both orders. */
  mode: z.enum(['single', 'pairwise']),
  /** System prompt and user prompt template (Jinja over question, answer, reference, answer_a, answer_b). */
  systemPrompt: z.string().default(''),
  promptTemplate: z.string(),
  /** Template used instead when the sample has a reference answer (math, reasoning). */
  referencePromptTemplate: z.string().optional(),
  /** System prompt that goes with `referencePromptTemplate`; `systemPrompt` when absent. */
  referenceSystemPrompt: z.string().optional(),
  /** Regex with one group that pulls the verdict out of the judge's text. */
  verdictPattern: z.string(),
  temperature: z.number().min(0).default(0),
  maxTokens: z.number().int().positive().default(512),
  /** Field of each document holding the baseline answer (pairwise). */
  baselineField: z.string().optional(),
  /** Field holding a reference answer (single grading of math/reasoning): a string, or one per turn. */
  referenceField: z.string().optional(),
  /**
   * Single grading of a later turn of a multi-turn task (MT-Bench `single-v1-multi-turn`): the
   * template shows the whole conversation (`{question_1}`, `{answer_1}`, `{question_2}`, …) and
   * asks for a grade of the last answer; `referencePromptTemplate` adds `{ref_answer_1}`, … .
   */
  multiTurn: z
    .object({
      systemPrompt: z.string().default(''),
      promptTemplate: z.string(),
      referencePromptTemplate: z.string().optional(),
      referenceSystemPrompt: z.string().optional(),
    })
    .optional(),
});
export type Judge = z.infer<typeof JudgeSchema>;

export const ReasoningSchema = z.object({
  strip: z.boolean().default(false),
  openTag: z.string().default('<think>'),
  closeTag: z.string().default('</think>'),
});
export type Reasoning = z.infer<typeof ReasoningSchema>;

/** The judged benchmarks built in (`--task mt-bench`), read from their upstream files. */
export const BuiltinTaskNameSchema = z.enum(['mt-bench', 'arena-hard']);
export type BuiltinTaskName = z.infer<typeof BuiltinTaskNameSchema>;

/**
 * Alignboard's task format (YAML, `format: alignboard-task/1`). lm-evaluation-harness YAML is
 * imported into this same shape, so everything downstream sees one kind of task.
 */
export const TaskSpecSchema = z.object({
  format: z.literal('alignboard-task/1'),
  name: z.string().min(1),
  version: z.string().default('1'),
  outputType: z.enum(['generate_until', 'multiple_choice', 'loglikelihood', 'judge']),
  dataset: z.object({
    /** A local file or folder (`<split>.jsonl|json|parquet`), or a Hub dataset id. */
    path: z.string(),
    name: z.string().nullable().default(null),
    revision: z.string().optional(),
    testSplit: z.string(),
    fewshotSplit: z.string().nullable().default(null),
  }),
  description: z.string().default(''),
  docToText: DocFieldSchema,
  docToTarget: DocFieldSchema.optional(),
  docToChoice: DocFieldSchema.optional(),
  /** Field of each document that names it; defaults to the row index. */
  idField: z.string().optional(),
  /**
   * `docToText` gives a list of user turns (MT-Bench). Each turn is a sample of its own, asked
   * after the earlier turns and the model's own answers to them.
   */
  multiTurn: z.boolean().optional(),
  fewshot: z
    .object({
      n: z.number().int().min(0).default(0),
      sampler: z.enum(['default', 'first_n']).default('default'),
      seed: z.number().int().default(1234),
      /** Fixed examples (lm-eval `fewshot_config.samples`) instead of the few-shot split. */
      samples: z.array(z.record(z.string(), z.unknown())).optional(),
      delimiter: z.string().default('\n\n'),
      asMultiturn: z.boolean().default(false),
    })
    .prefault({}),
  targetDelimiter: z.string().default(' '),
  /** Send through the chat endpoint (the server applies the model's chat template). */
  chat: z.object({ enabled: z.boolean().default(false), systemPrompt: z.string().default('') }).prefault({}),
  generation: GenerationSchema.prefault({}),
  filters: z.array(FilterSchema).default([{ name: 'none', steps: [{ function: 'take_first' }] }]),
  metrics: z.array(MetricSchema).min(1),
  repeats: z.number().int().positive().default(1),
  reasoning: ReasoningSchema.prefault({}),
  judge: JudgeSchema.optional(),
  /** Set on a built-in task: its documents are read by its loader from `dataset.path`. */
  builtin: BuiltinTaskNameSchema.optional(),
});
export type TaskSpec = z.infer<typeof TaskSpecSchema>;
export type TaskSpecInput = z.input<typeof TaskSpecSchema>;

/** An OpenAI-compatible endpoint as registered: the key is named (env var), never stored. */
export const EndpointInputSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'letters, digits, ".", "_" and "-"'),
  baseUrl: z
    .string()
    .url()
    .refine((u) => !/\/$/.test(u), 'no trailing slash (write "http://host:8000/v1")'),
  model: z.string().min(1),
  /** Name of the environment variable holding the API key. */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as OPENAI_API_KEY')
    .optional(),
});
export type EndpointInput = z.infer<typeof EndpointInputSchema>;

export const CapabilitiesSchema = z.object({
  chat: z.boolean(),
  completions: z.boolean(),
  generatedLogprobs: z.boolean(),
  /** Prompt-token log-probabilities through `echo` that pass the sanity checks. */
  promptLogprobs: z.boolean(),
  promptLogprobsReason: z.string().nullable(),
  maxContext: z.number().int().nullable(),
  server: z.enum(['vllm', 'tgi', 'llama.cpp', 'ollama', 'openai', 'alignboard', 'unknown']),
  models: z.array(z.string()),
  probedAt: z.string(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const EndpointSchema = EndpointInputSchema.extend({
  id: z.string(),
  capabilities: CapabilitiesSchema.nullable(),
  createdAt: z.string(),
});
export type Endpoint = z.infer<typeof EndpointSchema>;
