// Wire shapes of training runs: the server validates and serializes with these, the web app takes
// their types through `import type`.
import { z } from 'zod';

export const RUN_STATUSES = [
  'queued',
  'submitted',
  'running',
  'registering',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const isFinished = (s: RunStatus): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled';

export const PreflightCheckSchema = z.object({
  check: z.enum(['dataset_accepted', 'field_consumption', 'format_fit', 'truncation']),
  dataset: z.string(),
  passed: z.boolean(),
  message: z.string(),
  field: z.string().optional(),
});

/** The preflight report as runs keep it; per-field consumption details stay in the data domain's views. */
export const RunPreflightSchema = z.object({
  passed: z.boolean(),
  overridden: z.boolean(),
  recipeHash: z.string(),
  checks: z.array(PreflightCheckSchema),
});
export type RunPreflight = z.infer<typeof RunPreflightSchema>;

/** An evaluation suite the recipe asked for on completion, and what became of the request. */
export const EvaluationRequestSchema = z.object({
  suite: z.string(),
  status: z.enum(['queued', 'recorded', 'failed']),
  jobIds: z.array(z.string()).default([]),
  note: z.string(),
});
export type EvaluationRequest = z.infer<typeof EvaluationRequestSchema>;

/** A queued evaluation job as the run shows it: its state read from the job queue when asked. */
export const EvaluationJobStateSchema = z.object({
  id: z.string(),
  task: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  /** The evaluation run the job produced (its results and samples), once it started. */
  evalRunId: z.string().nullable(),
  error: z.string().nullable(),
});
export type EvaluationJobState = z.infer<typeof EvaluationJobStateSchema>;

export const RunEvaluationSchema = EvaluationRequestSchema.extend({
  jobs: z.array(EvaluationJobStateSchema),
});
export type RunEvaluation = z.infer<typeof RunEvaluationSchema>;

export const TrainRunSchema = z.object({
  id: z.string(),
  name: z.string(),
  algorithm: z.string(),
  engine: z.string(),
  executor: z.string(),
  status: RunStatusSchema,
  recipe: z.string(),
  recipeFile: z.string().nullable(),
  recipeHash: z.string(),
  baseModel: z.string(),
  datasets: z.array(z.object({ name: z.string(), version: z.string(), role: z.string() })),
  preflight: RunPreflightSchema,
  isOverride: z.boolean(),
  runDir: z.string(),
  executorJobId: z.string().nullable(),
  totalSteps: z.number().nullable(),
  lastStep: z.number().nullable(),
  metricsSummary: z.record(z.string(), z.number()).nullable(),
  registeredModelId: z.string().nullable(),
  evaluations: z.array(RunEvaluationSchema),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type TrainRun = z.infer<typeof TrainRunSchema>;

export const TrainRunListSchema = z.object({ runs: z.array(TrainRunSchema) });

export const MetricPointSchema = z.object({ step: z.number(), metrics: z.record(z.string(), z.number()) });
export type MetricPoint = z.infer<typeof MetricPointSchema>;
export const RunMetricsSchema = z.object({ runId: z.string(), points: z.array(MetricPointSchema) });

export const StartRunInputSchema = z.object({
  /** Recipe YAML. */
  recipe: z.string().min(1).max(200_000),
  /** Run despite a failed preflight; recorded in the run and the lineage. */
  override: z.boolean().default(false),
});
export type StartRunInput = z.input<typeof StartRunInputSchema>;

/** What a run's event stream carries (SSE on the server, progress bars in the CLI). */
export type RunEvent =
  | { type: 'status'; runId: string; status: RunStatus; executorJobId: string | null }
  | { type: 'log'; runId: string; text: string }
  | { type: 'metrics'; runId: string; points: MetricPoint[]; totalSteps: number | null }
  | { type: 'finished'; run: TrainRun };
