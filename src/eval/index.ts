/**
 * eval — evaluation of models behind OpenAI-compatible endpoints: tasks in Alignboard's format
 * and the declarative subset of lm-evaluation-harness YAML, prompts rendered as lm-eval renders
 * them, answer extraction and metrics, LLM judges, pinned evaluation contracts that refuse unfair
 * comparisons, and statistics (bootstrap intervals, paired tests, Bradley–Terry).
 */
export { AdaptiveLimiter, type ConcurrencyOptions } from './adaptive-limiter.js';
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
  getEndpoint,
  listEndpoints,
  probeAndSaveEndpoint,
  resolveEndpointTarget,
} from './endpoints.js';
export { EndpointError, EvaluationError, NetworkError } from './errors.js';
export { type ImportLmEvalTaskOptions, importLmEvalTask } from './import-lm-eval-task.js';
export { formatPrompt, type JudgeOutcome, judgeSample } from './judge.js';
export { type DatasetRef, type Doc, hashDocs, loadDatasetSplit, readDatasetFile } from './load-dataset.js';
export { type LoadArenaHardOptions, loadArenaHard } from './load-arena-hard.js';
export { type LoadTaskOptions, loadTask } from './load-task.js';
export { type LoadMtBenchOptions, loadMtBench } from './load-mt-bench.js';
export { checkPromptLogprobs, probeEndpoint } from './probe-endpoint.js';
export { PythonRandom } from './python-random.js';
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
