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
export { EndpointError, EvaluationError, NetworkError } from './errors.js';
export { type ImportLmEvalTaskOptions, importLmEvalTask } from './import-lm-eval-task.js';
export { type DatasetRef, type Doc, hashDocs, loadDatasetSplit, readDatasetFile } from './load-dataset.js';
export { type LoadTaskOptions, loadTask } from './load-task.js';
export { PythonRandom } from './python-random.js';
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
