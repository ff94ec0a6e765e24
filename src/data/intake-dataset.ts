import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Store } from '../store/index.js';
import { type CheckResult, checkDatasetIter } from './check-dataset.js';
import type { LoadedContract } from './contract.js';
import { type DataVersion, latestAcceptedVersion, putDataVersion, saveContract } from './dataset-versions.js';
import { diffReports } from './diff-reports.js';
import type { FormatOptions } from './formats.js';
import type { InspectEvent, InspectOptions } from './inspect-dataset.js';
import { listDataFiles } from './read-rows.js';
import type { TokenCounter, TrainingTemplate } from './training-template.js';

export interface IntakeOptions {
  store: Store;
  dataset: string;
  contract: LoadedContract;
  /** When given, the field-consumption check runs on the first `consumptionRows` rows. */
  template?: TrainingTemplate;
  tokenizer?: TokenCounter;
  /** Target training length in tokens; defaults to the contract's `limits.max_length`. */
  maxLength?: number;
  formatOptions?: FormatOptions;
  consumptionRows?: number;
  inspect?: Pick<InspectOptions, 'workers' | 'parallelMinBytes' | 'nearDuplicateRows' | 'tokenSampleRows'>;
  signal?: AbortSignal;
  log?: Logger;
}

export type IntakeEvent =
  | InspectEvent
  | { type: 'hashed'; contentHash: string }
  | { type: 'decided'; version: DataVersion };

/** sha256 over the data files (relative name and bytes), so the same delivery gets the same id. */
export async function hashContent(
  target: string,
  signal?: AbortSignal,
): Promise<{ hash: string; sizeBytes: number }> {
  const files = await listDataFiles(target);
  const root = (await stat(target)).isDirectory() ? target : path.dirname(target);
  const h = createHash('sha256');
  let sizeBytes = 0;
  for (const f of files) {
    h.update(`${path.relative(root, f)}\n`);
    for await (const chunk of createReadStream(f, { highWaterMark: 1 << 22, signal })) {
      h.update(chunk as Buffer);
      sizeBytes += (chunk as Buffer).length;
    }
  }
  return { hash: h.digest('hex'), sizeBytes };
}

/**
 * The intake gate: stores the contract version, creates a content-addressed dataset version,
 * runs the inspection (with the contract) and the field-consumption check (with a template),
 * and sets the version to accepted, quarantined or rejected with reasons. The new version is
 * diffed against the previous accepted one of the same dataset.
 */
export async function* intakeDatasetIter(target: string, opts: IntakeOptions): AsyncGenerator<IntakeEvent> {
  const log = (opts.log ?? silentLogger).child({ domain: 'data', dataset: opts.dataset });
  const { contract } = opts.contract;
  await saveContract(opts.store, opts.contract);
  const { hash, sizeBytes } = await hashContent(target, opts.signal);
  yield { type: 'hashed', contentHash: hash };
  let result: CheckResult | undefined;
  for await (const e of checkDatasetIter(target, {
    contract,
    template: opts.template,
    tokenizer: opts.tokenizer,
    maxLength: opts.maxLength,
    formatOptions: opts.formatOptions,
    consumptionRows: opts.consumptionRows,
    inspect: opts.inspect,
    signal: opts.signal,
    log,
  })) {
    if (e.type === 'checked') result = e.result;
    else yield e;
  }
  if (!result) throw new Error('check ended without a result');
  const { report, consumption, decision } = result;
  const id = `${opts.dataset}@${hash.slice(0, 16)}`;
  const previous = await latestAcceptedVersion(opts.store, opts.dataset, id);
  const now = new Date().toISOString();
  const version: DataVersion = {
    id,
    dataset: opts.dataset,
    contentHash: hash,
    source: path.resolve(target),
    sizeBytes,
    rows: report.rows,
    ...(report.format ? { format: report.format } : {}),
    contract: { name: contract.name, version: contract.version },
    status: decision.status,
    reasons: decision.reasons,
    report,
    ...(consumption ? { consumption } : {}),
    ...(previous ? { diff: diffReports(previous.report, report), previousId: previous.id } : {}),
    createdAt: now,
    updatedAt: now,
  };
  await putDataVersion(opts.store, version);
  log.info({ id, status: version.status, reasons: version.reasons.length }, 'data intake decided');
  yield { type: 'decided', version };
}

/** Drains `intakeDatasetIter` and returns the decided version. */
export async function intakeDataset(target: string, opts: IntakeOptions): Promise<DataVersion> {
  for await (const e of intakeDatasetIter(target, opts)) if (e.type === 'decided') return e.version;
  throw new Error('intake ended without a decision');
}
