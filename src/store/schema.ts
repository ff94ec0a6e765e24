/**
 * Table types of the Alignboard database. Timestamps are ISO-8601 text and JSON is text, so
 * the same rows and queries work on SQLite and PostgreSQL. Each migration that adds a table
 * adds its row type here.
 */
export interface MetaTable {
  key: string;
  value: string;
}

/** One model version (src/registry). Counts are bigint: PostgreSQL returns them as strings. */
export interface RegistryModelsTable {
  id: string;
  name: string;
  version: string;
  owner: string | null;
  /** JSON array of strings. */
  tags: string;
  notes: string;
  status: string;
  location: string;
  source_kind: string;
  family: string | null;
  architecture: string | null;
  /** 0 or 1. */
  is_adapter: number;
  parameter_count: number | string | null;
  size_bytes: number | string | null;
  base_model_id: string | null;
  base_model_external: string | null;
  base_model_relation: string | null;
  chat_template_hash: string | null;
  /** Lowercased searchable fields, kept in step by the registry on every write. */
  search_text: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** The bulky JSON of a registry model, one row per model (kept apart so catalog scans stay narrow). */
export interface RegistryModelDetailsTable {
  model_id: string;
  spec: string | null;
  files: string;
  card: string | null;
  training: string | null;
  curves: string | null;
  chat_template: string | null;
  generation: string | null;
}

/** An evaluation result attached to a registry model. */
export interface RegistryEvaluationsTable {
  id: string;
  model_id: string;
  name: string;
  /** JSON object of metric name to number. */
  metrics: string;
  contract_hash: string | null;
  details: string | null;
  created_at: string;
}

/** A data contract version (src/data); `text` is the YAML as submitted, `hash` its sha256. */
export interface DataContractsTable {
  name: string;
  version: number;
  hash: string;
  text: string;
  created_at: string;
}

/** A content-addressed dataset version and its intake result (src/data). JSON columns are text. */
export interface DataVersionsTable {
  id: string;
  dataset: string;
  content_hash: string;
  source: string;
  size_bytes: number | string;
  rows: number | string;
  format: string | null;
  contract_name: string | null;
  contract_version: number | null;
  /** accepted | quarantined | rejected */
  status: string;
  reasons: string;
  report: string;
  consumption: string | null;
  diff: string | null;
  previous_id: string | null;
  created_at: string;
  updated_at: string;
}

/** A fetched paper (src/papers), keyed by its arXiv id without version. JSON columns are text. */
export interface PapersItemsTable {
  arxiv_id: string;
  version: number;
  title: string;
  abstract: string;
  /** JSON array of names. */
  authors: string;
  /** JSON array of arXiv categories. */
  categories: string;
  primary_category: string | null;
  /** new | cross | replace | replace-cross | hf */
  announce_type: string;
  /** JSON array: arxiv-rss, arxiv-api, hf. */
  sources: string;
  hf_upvotes: number | null;
  published_at: string | null;
  /** The feed day (YYYY-MM-DD) the paper was first seen on. */
  announced_on: string;
  url: string;
  first_seen_at: string;
  updated_at: string;
}

/** One day's paper digest; `id` is the day (YYYY-MM-DD in the schedule's time zone). */
export interface PapersDigestsTable {
  id: string;
  /** building | posted | failed */
  status: string;
  language: string;
  /** JSON array of what is missing (a source down, a summary failed). */
  problems: string;
  header_message_ids: string | null;
  claimed_at: string;
  created_at: string;
  updated_at: string;
  posted_at: string | null;
}

/** A paper in a digest: rank, score, reasons (JSON), summary and delivery state. */
export interface PapersDigestEntriesTable {
  digest_id: string;
  arxiv_id: string;
  version: number;
  rank: number;
  score: number;
  reasons: string;
  summary: string | null;
  summary_language: string | null;
  /** ok | wrong-language | failed */
  summary_status: string;
  summary_error: string | null;
  message_ids: string | null;
  posted_at: string | null;
}

/** A reader's 👍, 👎 or "more like this" on a paper. */
export interface PapersFeedbackTable {
  id: string;
  arxiv_id: string;
  /** like | dislike | more */
  kind: string;
  source: string;
  created_at: string;
}

/** The team's interest profile as JSON text. */
export interface PapersProfilesTable {
  id: string;
  profile: string;
  updated_at: string;
}

/** A notification delivery (src/notify outbox), idempotent by `dedupe_key`. */
export interface NotifyDeliveriesTable {
  id: string;
  dedupe_key: string;
  /** telegram | slack | webhook */
  channel: string;
  /** A chat id or a webhook origin; never a token or a full webhook URL. */
  target: string;
  event: string;
  /** pending | sent | failed */
  status: string;
  attempts: number;
  error_code: string | null;
  last_error: string | null;
  /** JSON receipt (message ids, parts). */
  receipt: string | null;
  summary: string;
  created_at: string;
  updated_at: string;
}

/** A registered OpenAI-compatible endpoint (src/eval); the key is an env var name, never the key. */
export interface EvalEndpointsTable {
  id: string;
  name: string;
  base_url: string;
  model: string;
  api_key_env: string | null;
  /** JSON of the last capability probe. */
  capabilities: string | null;
  created_at: string;
  updated_at: string;
}

/** One evaluation run with its pinned contract (JSON) and, once finished, its summary (JSON). */
export interface EvalRunsTable {
  id: string;
  task_name: string;
  task_spec: string;
  endpoint_id: string;
  model: string;
  contract: string;
  contract_hash: string;
  status: string;
  total: number;
  summary: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

/** One finished sample of a run (JSON record), written as it completes. */
export interface EvalSamplesTable {
  run_id: string;
  sample_index: number;
  sample_id: string;
  record: string;
  created_at: string;
}

/** Responses keyed by a hash of the full request. */
export interface EvalCacheTable {
  key: string;
  response: string;
  created_at: string;
}

/** A queued unit of long work (src/store/job-queue.ts). JSON columns are text; 0/1 booleans. */
export interface JobsTable {
  id: string;
  kind: string;
  payload: string;
  /** queued | running | succeeded | failed | cancelled */
  status: string;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
  cancel_requested: number;
  progress: string | null;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** An imported task (src/eval hub): the parsed spec as JSON, and where it came from. */
export interface EvalTasksTable {
  name: string;
  spec: string;
  source: string;
  created_at: string;
}

/** A named group of tasks with pinned settings (JSON items). */
export interface EvalSuitesTable {
  name: string;
  description: string;
  items: string;
  created_at: string;
}

/** A registry model bound to the endpoint that serves it, and its baseline model. */
export interface EvalBindingsTable {
  model_id: string;
  endpoint_id: string;
  baseline_model_id: string | null;
  created_at: string;
}

/** The job that ran an evaluation run, and the registry model it evaluated. */
export interface EvalRunLinksTable {
  run_id: string;
  job_id: string;
  model_id: string | null;
  suite: string | null;
  created_at: string;
}

/** A notification channel; `config` is JSON without secrets (they are named by env var). */
export interface NotifyChannelsTable {
  id: string;
  name: string;
  kind: string;
  config: string;
  created_at: string;
}

/** Who hears about which event type, for one model, one owner, or everything (both null). */
export interface NotifySubscriptionsTable {
  id: string;
  channel_id: string;
  event_type: string;
  model_id: string | null;
  owner: string | null;
  created_at: string;
}

/** An event raised (JSON payload), kept so a failed delivery can be retried with the same message. */
export interface NotifyEventsTable {
  id: string;
  type: string;
  model_id: string | null;
  owner: string | null;
  payload: string;
  created_at: string;
}

/** An external evaluation report uploaded against a model. */
export interface NotifyReportsTable {
  id: string;
  model_id: string;
  file_name: string;
  content: string;
  note: string;
  uploaded_by: string | null;
  created_at: string;
}

/** A training run (src/train); JSON columns are text, offsets are bigint (strings on PostgreSQL). */
export interface TrainRunsTable {
  id: string;
  name: string;
  algorithm: string;
  /** The recipe's YAML as given; `recipe_hash` is over its canonical form. */
  recipe: string;
  recipe_file: string | null;
  recipe_hash: string;
  engine: string;
  executor: string;
  status: string;
  /** JSON PreflightReport. */
  preflight: string;
  /** 0 or 1: the run went ahead despite a failed preflight. */
  is_override: number;
  run_dir: string;
  queue_job_id: string | null;
  /** The scheduler's job id (Slurm job, Ray submission, local pid) for re-attaching. */
  executor_job_id: string | null;
  log_offset: number | string;
  metrics_offset: number | string;
  total_steps: number | null;
  last_step: number | null;
  /** JSON: last step's metrics merged with the final ones. */
  metrics_summary: string | null;
  registered_model_id: string | null;
  /** JSON: evaluation suites requested on completion and what became of each. */
  evaluations: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** One step's metrics of a training run (JSON object of numbers). */
export interface TrainMetricsTable {
  run_id: string;
  step: number;
  metrics: string;
}

export interface Database {
  jobs: JobsTable;
  train_runs: TrainRunsTable;
  train_metrics: TrainMetricsTable;
  eval_endpoints: EvalEndpointsTable;
  eval_runs: EvalRunsTable;
  eval_samples: EvalSamplesTable;
  eval_cache: EvalCacheTable;
  meta: MetaTable;
  registry_models: RegistryModelsTable;
  registry_model_details: RegistryModelDetailsTable;
  registry_evaluations: RegistryEvaluationsTable;
  data_contracts: DataContractsTable;
  data_versions: DataVersionsTable;
  papers_items: PapersItemsTable;
  papers_digests: PapersDigestsTable;
  papers_digest_entries: PapersDigestEntriesTable;
  papers_feedback: PapersFeedbackTable;
  papers_profiles: PapersProfilesTable;
  notify_deliveries: NotifyDeliveriesTable;
  eval_tasks: EvalTasksTable;
  eval_suites: EvalSuitesTable;
  eval_bindings: EvalBindingsTable;
  eval_run_links: EvalRunLinksTable;
  notify_channels: NotifyChannelsTable;
  notify_subscriptions: NotifySubscriptionsTable;
  notify_events: NotifyEventsTable;
  notify_reports: NotifyReportsTable;
}
