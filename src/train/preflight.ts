// Preflight: the gates a recipe passes before any compute. Every dataset version must be accepted
// by the intake gate; the field-consumption check runs with the recipe's exact template,
// tokenizer and max_length; the data's shape must fit the algorithm; truncation is reported.
import {
  type ConsumptionReport,
  checkFieldConsumption,
  type FormatId,
  getContract,
  getDataVersion,
  loadChatTemplate,
  loadTokenizer,
  type RowItem,
  readRowsIter,
  type TrainingTemplate,
  toExample,
} from '../data/index.js';
import type { Store } from '../store/index.js';
import { TrainError } from './errors.js';
import type { Algorithm, LoadedRecipe } from './recipe.js';

export interface PreflightCheck {
  check: 'dataset_accepted' | 'field_consumption' | 'format_fit' | 'truncation';
  dataset: string;
  passed: boolean;
  message: string;
  /** The field at fault, when one is. */
  field?: string;
}

export interface PreflightReport {
  passed: boolean;
  /** True when the run goes ahead despite failures; recorded in the run and the lineage. */
  overridden: boolean;
  recipeHash: string;
  checks: PreflightCheck[];
  consumption: Record<string, ConsumptionReport>;
}

export interface PreflightOptions {
  store: Store;
  /** The base model's folder: its chat template and tokenizer. */
  modelDir: string;
  /** Rows read per dataset for the consumption check. */
  sampleRows?: number;
  override?: boolean;
}

const KINDS_FOR: Record<Algorithm, string[]> = {
  sft: ['prompt_completion', 'language_modeling'],
  rm: ['preference'],
  dpo: ['preference'],
  online_dpo: ['prompt_only', 'prompt_completion', 'preference'],
  ppo: ['prompt_only', 'prompt_completion', 'preference'],
};

export async function preflight(loaded: LoadedRecipe, opts: PreflightOptions): Promise<PreflightReport> {
  const { recipe } = loaded;
  const checks: PreflightCheck[] = [];
  const consumption: Record<string, ConsumptionReport> = {};
  const template: TrainingTemplate =
    recipe.template.kind === 'plain'
      ? { kind: 'plain', name: 'plain' }
      : recipe.template.chat_template
        ? {
            kind: 'chat-template',
            name: 'recipe',
            template: recipe.template.chat_template,
            documents: recipe.template.documents,
          }
        : await loadChatTemplate(opts.modelDir, { documents: recipe.template.documents });
  const tokenizer = await loadTokenizer(opts.modelDir);
  for (const ref of recipe.datasets) {
    const name = `${ref.name}@${ref.version}`;
    const v = await getDataVersion(opts.store, ref.version);
    const accepted = v.status === 'accepted' && v.dataset === ref.name;
    checks.push({
      check: 'dataset_accepted',
      dataset: name,
      passed: accepted,
      message: accepted
        ? 'accepted by the intake gate'
        : v.dataset !== ref.name
          ? `version ${ref.version} belongs to dataset "${v.dataset}", not "${ref.name}"`
          : `${v.status}: ${v.reasons.map((r) => r.message).join('; ') || 'not accepted by the intake gate'}`,
    });
    const items: RowItem[] = [];
    for await (const item of readRowsIter(v.source)) {
      items.push(item);
      if (items.length >= (opts.sampleRows ?? 200)) break;
    }
    const contract = v.contract
      ? (await getContract(opts.store, v.contract.name, v.contract.version)).contract
      : undefined;
    const format = v.format as FormatId | undefined;
    const report = checkFieldConsumption(items, {
      template,
      tokenizer,
      maxLength: recipe.hyperparameters.max_length,
      ...(contract ? { contract } : {}),
      ...(format ? { format } : {}),
    });
    consumption[name] = report;
    const bad = report.fields.filter((f) => f.status === 'dropped' || f.status === 'wrong_part');
    checks.push({
      check: 'field_consumption',
      dataset: name,
      passed: report.passed,
      message: report.passed
        ? `every field reaches the training text (template ${report.template}, max_length ${recipe.hyperparameters.max_length})`
        : bad.length
          ? bad
              .map(
                (f) =>
                  `field "${f.field}" is ${f.status === 'dropped' ? 'dropped by' : 'misplaced by'} the template in ${f.droppedRows + f.wrongPartRows} of ${f.rows} rows`,
              )
              .join('; ')
          : `${report.renderErrors} rows cannot be rendered`,
      ...(bad[0] ? { field: bad[0].field } : {}),
    });
    const first = items.find((i) => i.row)?.row;
    const kind = first ? toExample(report.format, first).kind : 'unknown';
    const fits = KINDS_FOR[recipe.algorithm].includes(kind);
    checks.push({
      check: 'format_fit',
      dataset: name,
      passed: fits,
      message: fits
        ? `${kind} rows fit ${recipe.algorithm}`
        : `${recipe.algorithm} needs ${KINDS_FOR[recipe.algorithm].join(' or ')} rows; this dataset has ${kind} rows (format ${report.format})`,
    });
    const truncated = report.fields.filter((f) => f.truncatedRows > 0);
    checks.push({
      check: 'truncation',
      dataset: name,
      passed: true, // reported, not refused: the consumption check already fails a field lost to truncation
      message: truncated.length
        ? truncated
            .map(
              (f) =>
                `field "${f.field}" is cut by max_length ${recipe.hyperparameters.max_length} in ${f.truncatedRows} of ${f.rows} rows`,
            )
            .join('; ')
        : `no field is cut by max_length ${recipe.hyperparameters.max_length}`,
    });
  }
  const passed = checks.every((c) => c.passed);
  return {
    passed,
    overridden: !passed && opts.override === true,
    recipeHash: loaded.hash,
    checks,
    consumption,
  };
}

/** Refuses the run unless preflight passed or was explicitly overridden. */
export function assertPreflight(report: PreflightReport, file?: string): void {
  if (report.passed || report.overridden) return;
  const failed = report.checks.filter((c) => !c.passed);
  throw new TrainError(
    'AB_TRAIN_PREFLIGHT_FAILED',
    `preflight refused the run: ${failed.map((c) => `${c.dataset} ${c.check}: ${c.message}`).join(' | ')}`,
    { ...(file ? { file } : {}), field: failed[0]?.field ? `datasets.${failed[0].field}` : 'datasets' },
    { status: 409 },
  );
}
