/**
 * train — the training pipeline: YAML recipes with a content hash, preflight gates (accepted
 * dataset versions, the field-consumption check with the recipe's template, tokenizer and
 * max_length, format fit, truncation impact), sequence packing, and SFT / reward model / DPO /
 * online DPO / PPO on the embedded engine with atomic checkpoints and resume. Trained models are
 * registered with lineage, bound to their endpoint on the engine API that serves registry models,
 * and the recipe's evaluation suites are queued for them (`requestEvaluations`). Runs: persisted
 * in `train_runs` / `train_metrics`, started after preflight (`startRun`), driven on an executor
 * (inline, a local child process, Slurm, Ray) by `driveRunIter` — which re-attaches to a stored
 * executor job id after a restart — cancelled and resumed; the embedded trainer behind the
 * command contract is `execTrainerIter`. Online DPO and PPO sample the live policy through an
 * OpenAI-compatible server the caller passes (`ServePolicy`; the shells pass the engine API's).
 *
 * Does not own: datasets and their gate (data), models and lineage (registry), the numerics
 * (engine). Other engines and executors (TRL, OpenRLHF, verl, Slurm, Ray) plug into the
 * interfaces here.
 */

export {
  cancelRun,
  createRunExecutor,
  createTrainJobHandler,
  type DriveRunOptions,
  driveRun,
  driveRunIter,
  resumeRun,
  watchRunIter,
} from './drive-run.js';
export type { ServedPolicy, ServePolicy } from './embedded/served-sampler.js';
export { TRAIN_ERROR_CODES, TrainError, type TrainErrorCode } from './errors.js';
export { execTrainerIter, FINAL_METRICS_FILE } from './exec-trainer.js';
export {
  lowerBoundL1,
  lowerBoundL2,
  type Packing,
  type PackingReport,
  packBestFitDecreasing,
  packBestFitDecreasingNaive,
  packFirstFitDecreasing,
  packingReport,
  packPadding,
  packPaddingFree,
  packSequences,
  sortDecreasing,
} from './pack-sequences.js';
export {
  assertPreflight,
  type PreflightCheck,
  type PreflightOptions,
  type PreflightReport,
  preflight,
} from './preflight.js';
export {
  ALGORITHMS,
  type Algorithm,
  canonicalJson,
  EXECUTORS,
  type ExecutorKind,
  type ExecutorOptions,
  hashRecipe,
  type LoadedRecipe,
  loadRecipe,
  PACKING_STRATEGIES,
  type PackingStrategy,
  parseRecipe,
  RECIPE_ENGINES,
  type Recipe,
  type RecipeEngine,
  type RecipeInput,
  RecipeSchema,
} from './recipe.js';
export { type RegisterTrainedModelInput, registerTrainedModel } from './register-trained-model.js';
export { engineEndpointName, repointEngineEndpoints } from './request-evaluations.js';
export {
  type EvaluationJobState,
  EvaluationJobStateSchema,
  type EvaluationRequest,
  EvaluationRequestSchema,
  isFinished,
  type MetricPoint,
  MetricPointSchema,
  RUN_STATUSES,
  type RunEvaluation,
  RunEvaluationSchema,
  type RunEvent,
  RunMetricsSchema,
  type RunPreflight,
  RunPreflightSchema,
  type RunStatus,
  RunStatusSchema,
  type StartRunInput,
  StartRunInputSchema,
  type TrainRun,
  TrainRunListSchema,
  TrainRunSchema,
} from './run-schemas.js';
export {
  defaultCliCommand,
  launchFor,
  preflightRecipe,
  queueRun,
  runLayout,
  type StartRunOptions,
  startRun,
  TRAIN_JOB_KIND,
  type TrainDeps,
} from './start-run.js';
export {
  type TrainEmbeddedOptions,
  type TrainEvent,
  type TrainExamples,
  type TrainResult,
  train,
  trainIter,
} from './train-embedded.js';
export { getRun, listRunMetrics, listRuns } from './train-runs.js';
export { readTrainingExamples, writeTrainingExamples } from './training-examples.js';
