import { type Logger, silentLogger } from '../common/logger.js';
import { type ConsumptionReport, checkFieldConsumption } from './check-field-consumption.js';
import type { Contract } from './contract.js';
import { evaluateGate, type GateDecision, resolveGateRules } from './evaluate-gate.js';
import { FindingCollector } from './finding-collector.js';
import type { FormatId, FormatOptions } from './formats.js';
import {
  type InspectEvent,
  type InspectionReport,
  type InspectOptions,
  inspectDatasetIter,
} from './inspect-dataset.js';
import { type RowItem, readRowsIter } from './read-rows.js';
import type { TokenCounter, TrainingTemplate } from './training-template.js';

export interface CheckDatasetOptions {
  contract?: Contract;
  /** When given, the field-consumption check runs on the first `consumptionRows` rows. */
  template?: TrainingTemplate;
  tokenizer?: TokenCounter;
  maxLength?: number;
  format?: FormatId;
  formatOptions?: FormatOptions;
  consumptionRows?: number;
  inspect?: Pick<InspectOptions, 'workers' | 'parallelMinBytes' | 'nearDuplicateRows' | 'tokenSampleRows'>;
  signal?: AbortSignal;
  log?: Logger;
}

/** The inspection report, the consumption check (with a template) and the gate's decision on both. */
export interface CheckResult {
  report: InspectionReport;
  consumption?: ConsumptionReport;
  decision: GateDecision;
}

export type CheckEvent = InspectEvent | { type: 'checked'; result: CheckResult };

/**
 * Checks a dataset without storing anything: inspection against the contract, the
 * field-consumption check on the first rows when a template is given, and the gate rules of
 * the contract (or the defaults). The intake gate runs this and stores the outcome.
 */
export async function* checkDatasetIter(
  target: string,
  opts: CheckDatasetOptions = {},
): AsyncGenerator<CheckEvent> {
  const { contract } = opts;
  let report: InspectionReport | undefined;
  for await (const e of inspectDatasetIter(target, {
    ...opts.inspect,
    contract,
    format: opts.format,
    formatOptions: opts.formatOptions,
    tokenizer: opts.tokenizer,
    template: opts.template,
    maxLength: opts.maxLength,
    signal: opts.signal,
    log: opts.log ?? silentLogger,
  })) {
    if (e.type === 'finished') report = e.report;
    yield e;
  }
  if (!report) throw new Error('inspection ended without a report');
  let consumption: ConsumptionReport | undefined;
  if (opts.template && report.rows > 0) {
    const sample: RowItem[] = [];
    for await (const item of readRowsIter(target, { signal: opts.signal })) {
      if (item.row) sample.push(item);
      if (sample.length >= (opts.consumptionRows ?? 64)) break;
    }
    consumption = checkFieldConsumption(sample, {
      template: opts.template,
      contract,
      formatOptions: opts.formatOptions,
      tokenizer: opts.tokenizer,
      ...(opts.maxLength ? { maxLength: opts.maxLength } : {}),
      ...((opts.format ?? report.format) ? { format: opts.format ?? report.format } : {}),
    });
    const merged = new FindingCollector();
    merged.merge(consumption.findings);
    merged.merge(report.findings);
    report.findings = merged.list();
    report.metrics.consumption_failures =
      consumption.renderErrors +
      consumption.fields.filter(
        (f) => (f.status === 'dropped' && (f.declared || f.deprecated)) || f.status === 'wrong_part',
      ).length;
  }
  const decision = evaluateGate(report.metrics, report.findings, resolveGateRules(contract?.gate));
  yield { type: 'checked', result: { report, ...(consumption ? { consumption } : {}), decision } };
}

/** Drains `checkDatasetIter` and returns the result. */
export async function checkDataset(target: string, opts: CheckDatasetOptions = {}): Promise<CheckResult> {
  for await (const e of checkDatasetIter(target, opts)) if (e.type === 'checked') return e.result;
  throw new Error('checkDatasetIter ended without a result');
}
