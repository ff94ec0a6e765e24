import { z } from 'zod';
import { CapabilitiesSchema } from './schemas.js';

/**
 * Wire schemas of the evaluation hub (issue 7): what the server validates and answers, and what
 * the web app imports as types. API keys never appear here (an endpoint names its env var).
 */

/** Settings a suite pins for one task; each one is recorded in the run's contract. */
export const PinnedSettingsSchema = z.object({
  limit: z.number().int().positive().max(100_000).optional(),
  maxTokens: z.number().int().positive().max(32_768).optional(),
  /** The judge's max new tokens, for judged tasks. */
  judgeMaxTokens: z.number().int().positive().max(32_768).optional(),
  temperature: z.number().min(0).max(2).optional(),
  numFewshot: z.number().int().min(0).max(64).optional(),
  seed: z.number().int().optional(),
});
export type PinnedSettings = z.infer<typeof PinnedSettingsSchema>;

export const SuiteItemSchema = PinnedSettingsSchema.extend({ task: z.string().min(1).max(300) });
export type SuiteItem = z.infer<typeof SuiteItemSchema>;

export const SuiteSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'letters, digits, ".", "_" and "-"'),
  description: z.string().max(2000).default(''),
  items: z.array(SuiteItemSchema).min(1).max(100),
});
export type Suite = z.infer<typeof SuiteSchema>;
export type SuiteInput = z.input<typeof SuiteSchema>;

export const TaskInfoSchema = z.object({
  name: z.string(),
  outputType: z.string(),
  version: z.string(),
  fewshot: z.number(),
  maxTokens: z.number(),
  temperature: z.number(),
  source: z.string(),
  createdAt: z.string(),
});
export type TaskInfo = z.infer<typeof TaskInfoSchema>;

export const ImportTaskInputSchema = z.object({
  /** A built-in task (`mt-bench`, `arena-hard`), or an lm-eval or Alignboard task YAML on the server's disk. */
  file: z.string().min(1).max(2000),
  /**
   * Where the task's data lives on disk (instead of the Hub id in the YAML); for a built-in, the
   * folder of its upstream files (default: the server's benchmarks directory).
   */
  datasetPath: z.string().min(1).max(2000).optional(),
});
export type ImportTaskInput = z.infer<typeof ImportTaskInputSchema>;

/** One thing to evaluate: a registry model (served by its bound endpoint) or an endpoint directly. */
export const RunTargetSchema = z.union([
  z.object({ modelId: z.string().min(1).max(100) }),
  z.object({ endpointId: z.string().min(1).max(100) }),
]);
export type RunTarget = z.infer<typeof RunTargetSchema>;

export const EnqueueRunsInputSchema = z
  .object({
    targets: z.array(RunTargetSchema).min(1).max(50),
    suite: z.string().min(1).max(200).optional(),
    tasks: z.array(z.string().min(1).max(300)).max(100).optional(),
    /** Settings for `tasks` (suites carry their own). */
    settings: PinnedSettingsSchema.optional(),
    /** The endpoint that grades judged tasks (MT-Bench, arena-hard); required when one is queued. */
    judgeEndpointId: z.string().min(1).max(100).optional(),
  })
  .refine((v) => v.suite !== undefined || (v.tasks?.length ?? 0) > 0, {
    message: 'name a suite or at least one task',
    path: ['tasks'],
  });
export type EnqueueRunsInput = z.infer<typeof EnqueueRunsInputSchema>;

/** What a queued eval job carries; parsed again when the worker takes it. */
export const EvalJobPayloadSchema = z.object({
  task: z.string(),
  endpointId: z.string(),
  modelId: z.string().nullable(),
  suite: z.string().nullable(),
  settings: PinnedSettingsSchema,
  // Jobs queued before judges could be named carry none.
  judgeEndpointId: z.string().nullable().default(null),
});
export type EvalJobPayload = z.infer<typeof EvalJobPayloadSchema>;

export const EvalProgressSchema = z.object({
  runId: z.string().nullable(),
  done: z.number(),
  failed: z.number(),
  total: z.number(),
  ratePerSec: z.number(),
  etaSec: z.number().nullable(),
});
export type EvalProgress = z.infer<typeof EvalProgressSchema>;

export const EvalJobSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  task: z.string(),
  endpointId: z.string(),
  endpointName: z.string().nullable(),
  modelId: z.string().nullable(),
  modelName: z.string().nullable(),
  judgeEndpointId: z.string().nullable(),
  judgeEndpointName: z.string().nullable(),
  suite: z.string().nullable(),
  runId: z.string().nullable(),
  progress: EvalProgressSchema.nullable(),
  error: z.string().nullable(),
  attempts: z.number(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type EvalJob = z.infer<typeof EvalJobSchema>;

/** The probe's verdict for one target × task, shown before a run starts. */
export const PreflightSchema = z.object({
  verdicts: z.array(
    z.object({
      target: z.string(),
      targetLabel: z.string(),
      task: z.string(),
      isOk: z.boolean(),
      reason: z.string(),
    }),
  ),
});
export type Preflight = z.infer<typeof PreflightSchema>;

export const BindingSchema = z.object({
  modelId: z.string(),
  modelName: z.string(),
  endpointId: z.string(),
  endpointName: z.string(),
  baselineModelId: z.string().nullable(),
});
export type Binding = z.infer<typeof BindingSchema>;

export const BindModelInputSchema = z.object({
  endpointId: z.string().min(1).max(100),
  baselineModelId: z.string().min(1).max(100).nullable().optional(),
});

export const MetricSummarySchema = z.object({
  mean: z.number(),
  stderr: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
  n: z.number(),
});

export const RunSummarySchema = z.object({
  samples: z.number(),
  metrics: z.record(z.string(), MetricSummarySchema),
  truncatedReasoning: z.number(),
  ratings: z
    .record(z.string(), z.object({ rating: z.number(), ci95: z.tuple([z.number(), z.number()]) }))
    .optional(),
  inconsistentVerdicts: z.number().optional(),
  ties: z.number().optional(),
  unreadableVerdicts: z.number().optional(),
});

export const ContractDifferenceSchema = z.object({ field: z.string(), a: z.unknown(), b: z.unknown() });

export const RunRowSchema = z.object({
  id: z.string(),
  taskName: z.string(),
  model: z.string(),
  modelId: z.string().nullable(),
  modelName: z.string().nullable(),
  endpointId: z.string(),
  jobId: z.string().nullable(),
  status: z.string(),
  total: z.number(),
  contractHash: z.string(),
  summary: RunSummarySchema.nullable(),
  createdAt: z.string(),
});
export type RunRow = z.infer<typeof RunRowSchema>;

/** One contract field in readable form: `decoding.temperature` → `0`. */
export const ContractFieldSchema = z.object({ field: z.string(), value: z.string() });

export const RunDetailSchema = RunRowSchema.extend({
  contract: z.record(z.string(), z.unknown()),
  contractFields: z.array(ContractFieldSchema),
  primaryMetric: z.string().nullable(),
  job: EvalJobSchema.nullable(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const SamplesQuerySchema = z.object({
  wrongOnly: z.enum(['true', 'false']).optional(),
  /** Only items scored differently in this other run. */
  flippedVs: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
  metric: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type SamplesQuery = z.input<typeof SamplesQuerySchema>;

export const SampleRowSchema = z.object({
  index: z.number(),
  id: z.string(),
  /** Multi-turn tasks: the turn this sample answered (1-based); null otherwise. */
  turn: z.number().nullable(),
  /** The rendered prompt (a later turn: the whole conversation before its answer); untrusted text. */
  prompt: z.string(),
  response: z.string(),
  extracted: z.record(z.string(), z.string()),
  target: z.string(),
  scores: z.record(z.string(), z.number()),
  score: z.number().nullable(),
  judgeRationale: z.string().nullable(),
});
export type SampleRow = z.infer<typeof SampleRowSchema>;

export const SamplePageSchema = z.object({ total: z.number(), items: z.array(SampleRowSchema) });
export type SamplePage = z.infer<typeof SamplePageSchema>;

export const LeaderboardQuerySchema = z.object({
  task: z.string().max(300).optional(),
  family: z.string().max(100).optional(),
  owner: z.string().max(200).optional(),
  tag: z.string().max(100).optional(),
  baseline: z.string().max(100).optional(),
});
export type LeaderboardQuery = z.input<typeof LeaderboardQuerySchema>;

export const LeaderboardCellSchema = z.object({
  runId: z.string(),
  metric: z.string(),
  score: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
  n: z.number(),
  /** Against the baseline model's run under the same contract: b − baseline with its paired interval. */
  delta: z
    .object({
      diff: z.number(),
      ci95: z.tuple([z.number(), z.number()]),
      pValue: z.number().nullable(),
      isSignificant: z.boolean(),
    })
    .nullable(),
});
export type LeaderboardCell = z.infer<typeof LeaderboardCellSchema>;

export const LeaderboardRowSchema = z.object({
  key: z.string(),
  label: z.string(),
  modelId: z.string().nullable(),
  family: z.string().nullable(),
  parameterCount: z.number().nullable(),
  owner: z.string().nullable(),
  tags: z.array(z.string()),
  /** By task name. */
  cells: z.record(z.string(), LeaderboardCellSchema),
});
export type LeaderboardRow = z.infer<typeof LeaderboardRowSchema>;

/**
 * Runs under one contract per task. The reference group holds each task's reference contract;
 * every other group holds one task under another contract and names what differs from it.
 */
export const ContractGroupSchema = z.object({
  id: z.string(),
  isReference: z.boolean(),
  tasks: z.array(z.object({ task: z.string(), contractHash: z.string() })),
  differences: z.array(ContractDifferenceSchema),
  statement: z.string().nullable(),
  rows: z.array(LeaderboardRowSchema),
});
export type ContractGroup = z.infer<typeof ContractGroupSchema>;

export const LeaderboardSchema = z.object({
  groups: z.array(ContractGroupSchema),
  baseline: z.string().nullable(),
});
export type Leaderboard = z.infer<typeof LeaderboardSchema>;

export const CompareQuerySchema = z.object({
  a: z.string().min(1).max(100),
  b: z.string().min(1).max(100),
});

export const ItemDiffSchema = z.object({
  id: z.string(),
  /** Scored differently on the primary metric. */
  isFlipped: z.boolean(),
  isSameAnswer: z.boolean(),
  prompt: z.string(),
  target: z.string(),
  a: z.object({ response: z.string(), extracted: z.string(), score: z.number() }),
  b: z.object({ response: z.string(), extracted: z.string(), score: z.number() }),
});

export const ComparisonSchema = z.object({
  a: RunRowSchema,
  b: RunRowSchema,
  comparable: z.boolean(),
  differences: z.array(ContractDifferenceSchema),
  statement: z.string().nullable(),
  metrics: z.array(
    z.object({
      metric: z.string(),
      a: z.number(),
      b: z.number(),
      paired: z.object({ diff: z.number(), ci95: z.tuple([z.number(), z.number()]), n: z.number() }),
      mcnemar: z.object({ onlyA: z.number(), onlyB: z.number(), pValue: z.number() }).nullable(),
    }),
  ),
  primaryMetric: z.string().nullable(),
  flippedCount: z.number(),
  /** Every shared item with both answers together, flipped ones first (at most 500). */
  items: z.array(ItemDiffSchema),
  /** What differs between the two registry models (spec, hyperparameters, datasets). */
  modelDifferences: z.array(
    z.object({ section: z.string(), field: z.string(), a: z.string(), b: z.string() }),
  ),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

export const EndpointViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  model: z.string(),
  apiKeyEnv: z.string().optional(),
  capabilities: CapabilitiesSchema.nullable(),
  createdAt: z.string(),
});
