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
  spec: string | null;
  files: string;
  card: string | null;
  training: string | null;
  curves: string | null;
  chat_template: string | null;
  chat_template_hash: string | null;
  generation: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
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

export interface Database {
  meta: MetaTable;
  registry_models: RegistryModelsTable;
  registry_evaluations: RegistryEvaluationsTable;
  data_contracts: DataContractsTable;
  data_versions: DataVersionsTable;
}
