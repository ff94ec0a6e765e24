/**
 * data — dataset formats (TRL, OpenAI, LLaMA-Factory, OpenRLHF, RAG), reading (JSONL, JSON,
 * CSV, Parquet; gzip, zstd; shard folders) in constant memory, versioned contracts, the
 * field-consumption check, inspection reports, the intake gate and version diffs.
 * Owns the `data_contracts` and `data_versions` tables. Does not own training (which calls
 * `requireAcceptedVersion` and `checkFieldConsumption`) or model files (it only reads a
 * model folder's tokenizer and chat template).
 */
export {
  type CheckDatasetOptions,
  type CheckEvent,
  type CheckResult,
  checkDataset,
  checkDatasetIter,
} from './check-dataset.js';
export {
  type CheckFieldConsumptionOptions,
  type ConsumptionReport,
  type ConsumptionSample,
  type ConsumptionStatus,
  checkFieldConsumption,
  type FieldConsumption,
} from './check-field-consumption.js';
export {
  type Contract,
  type ContractInput,
  ContractSchema,
  expectedPart,
  type FieldSpec,
  type GateMetric,
  type GateRule,
  GateRuleSchema,
  type LoadedContract,
  loadContract,
  parseContract,
  type RenderPart,
} from './contract.js';
export { type ContractViolation, checkRoles, compileContract } from './contract-checks.js';
export {
  type ConvertDatasetOptions,
  type ConvertEvent,
  convertDataset,
  convertDatasetIter,
} from './convert-dataset.js';
export {
  type DataVersion,
  type DataVersionSummary,
  getContract,
  getDataVersion,
  latestAcceptedVersion,
  listContracts,
  listDatasets,
  listDataVersions,
  requireAcceptedVersion,
  saveContract,
} from './dataset-versions.js';
export { diffReports, type ReportDiff } from './diff-reports.js';
export { diffVersions } from './diff-versions.js';
export { ContractError, DATA_ERROR_CODES, DataError, type DataErrorCode } from './errors.js';
export {
  DEFAULT_GATE_RULES,
  evaluateGate,
  type GateDecision,
  type GateReason,
  resolveGateRules,
  type VersionStatus,
} from './evaluate-gate.js';
export { type ExampleRow, type Finding, FindingSchema, type Severity } from './findings.js';
export {
  convertRow,
  detectFormat,
  detectRowFormat,
  type Example,
  FORMAT_IDS,
  type FormatDetection,
  type FormatId,
  type FormatOptions,
  type Message,
  type RagDocument,
  type Turns,
  toExample,
} from './formats.js';
export {
  type FieldReport,
  type InspectEvent,
  type InspectionReport,
  type InspectOptions,
  inspectDataset,
  inspectDatasetIter,
  type LengthStats,
  metricsOf,
} from './inspect-dataset.js';
export {
  hashContent,
  type IntakeEvent,
  type IntakeOptions,
  intakeDataset,
  intakeDatasetIter,
} from './intake-dataset.js';
export {
  type Compression,
  detectFileKind,
  type FileKind,
  listDataFiles,
  type RowIssue,
  type RowItem,
  readRowsIter,
} from './read-rows.js';
export { readVersionRows } from './read-version-rows.js';
export { type RenderedExample, renderExample, type SidePart } from './render-example.js';
export { describeContract, loadTrainingTemplate, resolveContract } from './resolve-inputs.js';
export {
  ConsumptionReportSchema,
  ContractSummarySchema,
  type DataSourceInput,
  DataSourceInputSchema,
  DatasetListSchema,
  DataVersionSchema,
  DataVersionSummarySchema,
  InspectionReportSchema,
  type IntakeInput,
  IntakeInputSchema,
  StoredContractSchema,
  VersionDiffSchema,
  VersionRowsSchema,
} from './schemas.js';
export {
  loadChatTemplate,
  loadTokenizer,
  renderChatTemplate,
  type TokenCounter,
  type TrainingTemplate,
} from './training-template.js';
