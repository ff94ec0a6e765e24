/**
 * eval — evaluation of models behind OpenAI-compatible endpoints: tasks in Alignboard's format
 * and the declarative subset of lm-evaluation-harness YAML, prompts rendered as lm-eval renders
 * them, answer extraction and metrics, LLM judges, pinned evaluation contracts that refuse unfair
 * comparisons, and statistics (bootstrap intervals, paired tests, Bradley–Terry).
 */
export { applyFilter } from './apply-filters.js';
export {
  assertComparable,
  buildContract,
  type ContractDifference,
  describeDifferences,
  diffContracts,
  EVAL_HARNESS_VERSION,
  type EvalContract,
  hashContract,
} from './build-contract.js';
export { buildSamples, type ChatMessage, type EvalSample } from './build-samples.js';
export { type ResolveTaskOptions, resolveTask } from './builtin-tasks.js';
export {
  compareRuns,
  getRun,
  listRuns,
  type MetricComparison,
  type RunComparison,
  type RunInfo,
} from './compare-runs.js';
export { type Decoding, EndpointClient, type EndpointTarget } from './endpoint-client.js';
export {
  addEndpoint,
  ensureEndpoint,
  getEndpoint,
  listEndpoints,
  probeAndSaveEndpoint,
  resolveEndpointTarget,
} from './endpoints.js';
export { EndpointError, EvaluationError, NetworkError } from './errors.js';
// The evaluation hub (issue 7): tasks and suites, bindings, queued runs, leaderboard, run pages
export {
  applySettings,
  bindModel,
  getHubTask,
  getSuite,
  importHubTask,
  listBindingRows,
  listBindings,
  listHubTasks,
  listSuites,
  saveSuite,
} from './hub-catalog.js';
export {
  EVAL_JOB_KIND,
  enqueueRuns,
  getEvalJob,
  listEvalJobs,
  preflightRuns,
  progressFromEvent,
  runEvalJob,
} from './hub-runs.js';
export {
  type Binding,
  BindingSchema,
  BindModelInputSchema,
  CompareQuerySchema,
  type Comparison,
  ComparisonSchema,
  type ContractGroup,
  EndpointViewSchema,
  type EnqueueRunsInput,
  EnqueueRunsInputSchema,
  type EvalJob,
  EvalJobSchema,
  type EvalProgress,
  type ImportTaskInput,
  ImportTaskInputSchema,
  type Leaderboard,
  type LeaderboardCell,
  type LeaderboardQuery,
  LeaderboardQuerySchema,
  type LeaderboardRow,
  LeaderboardSchema,
  type PinnedSettings,
  type Preflight,
  PreflightSchema,
  type RunDetail,
  RunDetailSchema,
  type RunRow,
  RunRowSchema,
  type SamplePage,
  SamplePageSchema,
  type SampleRow,
  type SamplesQuery,
  SamplesQuerySchema,
  type Suite,
  SuiteSchema,
  type TaskInfo,
  TaskInfoSchema,
} from './hub-schemas.js';
export { type ImportLmEvalTaskOptions, importLmEvalTask } from './import-lm-eval-task.js';
export { formatPrompt, type JudgeOutcome, judgeSample, requireJudgeEndpoint } from './judge.js';
export { buildLeaderboard } from './leaderboard.js';
export { type LoadArenaHardOptions, loadArenaHard } from './load-arena-hard.js';
export { type DatasetRef, type Doc, hashDocs, loadDatasetSplit, readDatasetFile } from './load-dataset.js';
export { type LoadMtBenchOptions, loadMtBench } from './load-mt-bench.js';
export { type LoadTaskOptions, loadTask } from './load-task.js';
export { checkPromptLogprobs, probeEndpoint } from './probe-endpoint.js';
export { PythonRandom } from './python-random.js';
export {
  checkRegression,
  compareHubRuns,
  getRunDetail,
  listRunSamples,
  type Regression,
} from './run-detail.js';
export {
  checkCapabilities,
  type EvalEvent,
  type EvalRequest,
  evaluate,
  evaluateIter,
  type RunOptions,
  requiredCapability,
  type SampleRecord,
} from './run-eval.js';
export { listHubRuns } from './run-rows.js';
export {
  type Capabilities,
  CapabilitiesSchema,
  type Endpoint,
  type EndpointInput,
  EndpointInputSchema,
  EndpointSchema,
  type Judge,
  JudgeSchema,
  type TaskSpec,
  type TaskSpecInput,
  TaskSpecSchema,
} from './schemas.js';
export { choiceScores, exactMatch } from './score-metrics.js';
export {
  type Battle,
  bootstrap,
  bradleyTerry,
  bradleyTerryWithIntervals,
  impliedWinRate,
  type McNemar,
  type MetricSummary,
  mcnemar,
  type PairedDiff,
  pairedBootstrap,
  type Rating,
  summarizeMetric,
  wilsonInterval,
} from './statistics.js';
export { stripReasoning } from './strip-reasoning.js';
export { listSampleRecords, type RunSummary, summarizeRecords, summarizeRun } from './summarize-run.js';
