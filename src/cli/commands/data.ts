import type { Command } from 'commander';
import { z } from 'zod';
import { parseAt } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import {
  type CheckResult,
  type ConsumptionReport,
  checkDatasetIter,
  convertDatasetIter,
  type DataVersion,
  diffVersions,
  FORMAT_IDS,
  type InspectEvent,
  type InspectionReport,
  inspectDatasetIter,
  intakeDatasetIter,
  loadContract,
  loadTrainingTemplate,
  type ReportDiff,
  resolveContract,
  saveContract,
} from '../../data/index.js';
import { print, printJson, withStore } from '../output.js';
import { createProgressBar, type ProgressBar } from '../progress.js';

const log = () => createLogger({ level: 'warn', destination: process.stderr });
const formatOption = (name: string, value: string | undefined) =>
  parseAt(z.enum(FORMAT_IDS).optional(), value, { field: name });
const intOption = (name: string, value: string | undefined) =>
  parseAt(z.coerce.number().int().positive().optional(), value, { field: name });

/**
 * Draws the inspection events of a longer stream (check, intake) as a progress bar in MB on
 * stderr and hands back the stream's other events; the bar stops when the scan finishes.
 */
async function* withProgress<E extends { type: string }>(
  label: string,
  events: AsyncIterable<E | InspectEvent>,
): AsyncGenerator<E | InspectEvent> {
  let bar: ProgressBar | undefined;
  const mb = (n: number) => Math.round(n / 1e6);
  try {
    for await (const e of events) {
      if (e.type === 'started' && 'totalBytes' in e) {
        bar = createProgressBar(`${label} (MB)`, { total: Math.max(1, mb(e.totalBytes)) });
      } else if (e.type === 'progress' && 'bytesRead' in e) {
        bar?.update(mb(e.bytesRead), `${e.rows} rows`);
      } else if (e.type === 'finished' && 'report' in e) {
        bar?.update(mb(e.report.bytes), `${e.report.rows} rows`);
        bar?.stop();
        bar = undefined;
      }
      yield e;
    }
  } finally {
    bar?.stop();
  }
}

/** `alignboard data inspect|check|intake|diff|convert`, `data contract add|list`. */
export function registerDataCommands(program: Command): void {
  const data = program
    .command('data')
    .description('datasets: inspect, check against a contract, intake through the gate, diff, convert');

  data
    .command('inspect')
    .description('inspection report of a file or a folder of shards')
    .argument('<file>', 'JSONL, JSON, CSV or Parquet (gzip/zstd), or a folder of shards')
    .option('--contract <contract>', 'contract file or stored contract (name or name@vN)')
    .option('--format <format>', `read rows as this format (${FORMAT_IDS.join(', ')})`)
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { contract?: string; format?: string; json?: boolean }) => {
      const format = formatOption('--format', o.format);
      const report = await withStore(async (store) => {
        const contract = o.contract ? (await resolveContract(o.contract, { store })).contract : undefined;
        let out: InspectionReport | undefined;
        for await (const e of withProgress(
          'inspect',
          inspectDatasetIter(file, { contract, format, log: log() }),
        ))
          if (e.type === 'finished') out = e.report;
        return out;
      });
      if (report) print(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
    });

  data
    .command('check')
    .description('check a dataset against a contract and, with --template, the field-consumption check')
    .argument('<file>', 'data file or folder')
    .requiredOption('--contract <contract>', 'contract file or stored contract (name or name@vN)')
    .option('--template <modelDir>', 'model folder whose chat template (and tokenizer) renders the rows')
    .option('--max-length <n>', 'target training length in tokens (default: the contract limit)')
    .option('--json', 'machine-readable output')
    .action(
      async (
        file: string,
        o: { contract: string; template?: string; maxLength?: string; json?: boolean },
      ) => {
        const maxLength = intOption('--max-length', o.maxLength);
        const result = await withStore(async (store) => {
          const { contract } = await resolveContract(o.contract, { store });
          const tpl = o.template ? await loadTrainingTemplate(o.template) : undefined;
          let out: CheckResult | undefined;
          const events = checkDatasetIter(file, { contract, ...tpl, maxLength, log: log() });
          for await (const e of withProgress('check', events)) if (e.type === 'checked') out = e.result;
          return out;
        });
        if (!result) return;
        print(o.json ? JSON.stringify(result, null, 2) : formatCheck(result));
        if (result.decision.status !== 'accepted') process.exitCode = 1;
      },
    );

  data
    .command('intake')
    .description('create a content-addressed dataset version and run the gate (accept, quarantine, reject)')
    .argument('<file>', 'data file or folder')
    .requiredOption('--dataset <name>', 'dataset name')
    .requiredOption('--contract <contract>', 'contract file or stored contract (name or name@vN)')
    .option('--template <modelDir>', 'model folder whose chat template (and tokenizer) renders the rows')
    .option('--max-length <n>', 'target training length in tokens (default: the contract limit)')
    .option('--json', 'machine-readable output')
    .action(
      async (
        file: string,
        o: { dataset: string; contract: string; template?: string; maxLength?: string; json?: boolean },
      ) => {
        const maxLength = intOption('--max-length', o.maxLength);
        const version = await withStore(async (store) => {
          const contract = await resolveContract(o.contract, { store });
          const tpl = o.template ? await loadTrainingTemplate(o.template) : undefined;
          let out: DataVersion | undefined;
          const events = intakeDatasetIter(file, {
            store,
            dataset: o.dataset,
            contract,
            ...tpl,
            maxLength,
            log: log(),
          });
          for await (const e of withProgress('intake', events)) if (e.type === 'decided') out = e.version;
          return out;
        });
        if (!version) return;
        print(o.json ? JSON.stringify(version, null, 2) : formatVersion(version));
        if (version.status !== 'accepted') process.exitCode = 1;
      },
    );

  data
    .command('diff')
    .description('compare two stored dataset versions: schema, rows, length and language drift')
    .argument('<before>', 'version id (dataset@hash)')
    .argument('<after>', 'version id (dataset@hash)')
    .option('--json', 'machine-readable output')
    .action(async (a: string, b: string, o: { json?: boolean }) => {
      const d = await withStore((store) => diffVersions(store, a, b));
      print(o.json ? JSON.stringify(d, null, 2) : `${d.before.id} → ${d.after.id}\n${formatDiff(d.diff)}`);
    });

  data
    .command('convert')
    .description('convert a dataset between formats (refuses, with the reason, where it would lose data)')
    .argument('<file>', 'data file or folder')
    .requiredOption('--from <format>', FORMAT_IDS.join(', '))
    .requiredOption('--to <format>', FORMAT_IDS.join(', '))
    .requiredOption('-o, --out <file>', 'JSONL file to write')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { from: string; to: string; out: string; json?: boolean }) => {
      const from = parseAt(z.enum(FORMAT_IDS), o.from, { field: '--from' });
      const to = parseAt(z.enum(FORMAT_IDS), o.to, { field: '--to' });
      const bar = createProgressBar('convert (rows)');
      try {
        for await (const e of convertDatasetIter(file, { from, to, out: o.out })) {
          if (e.type === 'progress') bar.update(e.rows);
          else {
            bar.update(e.rows);
            bar.stop();
            o.json ? printJson(e) : print(`converted ${e.rows} rows ${from} → ${to}: ${e.out}`);
          }
        }
      } finally {
        bar.stop();
      }
    });

  const contract = data.command('contract').description('versioned dataset contracts');
  contract
    .command('add')
    .description('store a contract version (a published version never changes)')
    .argument('<file>', 'contract YAML')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { json?: boolean }) => {
      const loaded = await loadContract(file);
      await withStore((store) => saveContract(store, loaded));
      const { name, version } = loaded.contract;
      o.json ? printJson({ name, version, hash: loaded.hash }) : print(`contract ${name} v${version} stored`);
    });
}

const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)}%`;

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatReport(r: InspectionReport): string {
  const lines = [
    `${r.target}: ${r.rows} rows (${r.badRows} unreadable), ${(r.bytes / 1e6).toFixed(1)} MB, format ${r.format ?? 'unknown'}${r.contract ? `, contract ${r.contract.name} v${r.contract.version}` : ''}`,
    '',
    table([
      ['FIELD', 'STATUS', 'PRESENT', 'EMPTY', 'MEAN CHARS', 'P90', 'MAX'],
      ...r.fields.map((f) => [
        f.name,
        f.status,
        String(f.present),
        pct(f.nullOrEmptyRate),
        f.chars.mean.toFixed(0),
        String(f.chars.p90),
        String(f.chars.max),
      ]),
    ]),
    '',
    `duplicates: ${r.duplicates.exact} exact (${r.duplicates.crossSplit} across splits), ${r.duplicates.near} near in ${r.duplicates.nearSampledRows} sampled`,
    `languages: ${Object.entries(r.languages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  if (r.preference.rows)
    lines.push(
      `preference: ${r.preference.rows} rows, chosen=rejected ${r.preference.chosenEqualsRejected}, empty side ${r.preference.emptySide}, chosen prefix ${r.preference.chosenPrefix}, contradictory ${r.preference.contradictory}`,
    );
  if (r.tokens)
    lines.push(
      `tokens: ${r.tokens.answerTruncatedRows} of ${r.tokens.answerRows} answers cut at max_length ${r.tokens.maxLength ?? '-'} (${r.tokens.sampledRows} rows sampled)`,
    );
  lines.push('', r.findings.length ? 'findings:' : 'no findings');
  for (const f of r.findings) {
    const where = f.examples.map((e) => e.line).join(', ');
    lines.push(
      `  ${f.severity.padEnd(7)} ${f.code} ×${f.count}${f.field ? ` "${f.field}"` : ''}: ${f.message}${where ? ` (lines ${where})` : ''}`,
    );
  }
  return lines.join('\n');
}

function formatConsumption(c: ConsumptionReport): string {
  return [
    `consumption (${c.template}, ${c.format}, ${c.rowsChecked} rows): ${c.passed ? 'passed' : 'FAILED'}`,
    table([
      ['FIELD', 'EXPECTED', 'STATUS', 'ROWS', 'RENDERED', 'DROPPED', 'WRONG PART', 'CUT', 'LINES'],
      ...c.fields.map((f) => [
        f.field,
        f.expected,
        f.status,
        String(f.rows),
        String(f.renderedRows),
        String(f.droppedRows),
        String(f.wrongPartRows),
        String(f.truncatedRows),
        f.exampleLines.join(','),
      ]),
    ]),
  ].join('\n');
}

function formatDecision(status: string, reasons: { message: string }[]): string {
  return [`gate: ${status.toUpperCase()}`, ...reasons.map((r) => `  - ${r.message}`)].join('\n');
}

function formatCheck(r: CheckResult): string {
  return [
    formatReport(r.report),
    ...(r.consumption ? ['', formatConsumption(r.consumption)] : []),
    '',
    formatDecision(r.decision.status, r.decision.reasons),
  ].join('\n');
}

function formatVersion(v: DataVersion): string {
  return [
    `version ${v.id} (${v.rows} rows, contract ${v.contract ? `${v.contract.name} v${v.contract.version}` : '-'})`,
    formatReport(v.report),
    ...(v.consumption ? ['', formatConsumption(v.consumption)] : []),
    ...(v.diff ? ['', `against ${v.previousId}:`, formatDiff(v.diff)] : []),
    '',
    formatDecision(v.status, v.reasons),
  ].join('\n');
}

function formatDiff(d: ReportDiff): string {
  return d.summary.map((s) => `  ${s}`).join('\n');
}
