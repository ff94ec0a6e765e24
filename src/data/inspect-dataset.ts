import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Contract, GateMetric } from './contract.js';
import { FindingCollector } from './finding-collector.js';
import type { Finding } from './findings.js';
import { type FormatId, type FormatOptions, type Turns, toExample } from './formats.js';
import { inspectRange } from './inspect-range.js';
import { KeyIndex } from './key-index.js';
import { findNearDuplicatePairs, MINHASH_PERMS } from './minhash.js';
import { detectFileKind, listDataFiles, readRowBatchesIter, readRowsIter } from './read-rows.js';
import { renderExample } from './render-example.js';
import {
  bucketOf,
  type CountName,
  type FieldAcc,
  type KeyIndexes,
  LENGTH_BUCKETS,
  RowInspector,
  type ScanState,
  uniqueConstraintFields,
  uniqueRepeatMessage,
} from './row-inspector.js';
import type { Language } from './text-signals.js';
import type { TokenCounter, TrainingTemplate } from './training-template.js';

export interface LengthStats {
  count: number;
  mean: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  /** Counts per bucket k, covering lengths [2^(k/4) - 1, 2^((k+1)/4) - 1). */
  histogram: number[];
}

export interface FieldReport {
  name: string;
  status: 'declared' | 'unknown' | 'deprecated' | 'missing' | 'seen';
  present: number;
  nullOrEmpty: number;
  nullOrEmptyRate: number;
  types: Record<string, number>;
  chars: LengthStats;
  tokens?: LengthStats;
}

/** The inspection report of a dataset: what it holds and what is wrong with it, by line. */
export interface InspectionReport {
  target: string;
  files: { file: string; rows: number; bytes: number }[];
  format?: FormatId;
  contract?: { name: string; version: number };
  rows: number;
  badRows: number;
  bytes: number;
  durationMs: number;
  fields: FieldReport[];
  tokens?: { sampledRows: number; maxLength?: number; answerTruncatedRows: number; answerRows: number };
  duplicates: { exact: number; crossSplit: number; near: number; nearSampledRows: number };
  preference: {
    rows: number;
    chosenEqualsRejected: number;
    emptySide: number;
    chosenPrefix: number;
    contradictory: number;
  };
  conversation: { rows: number; errorRows: number };
  answers: { rows: number; abruptEndings: number };
  languages: Record<Language, number>;
  pii: Record<string, number>;
  text: { invalidUtf8Rows: number; mojibakeRows: number; controlCharRows: number; specialTokenRows: number };
  metrics: Record<GateMetric, number>;
  /** Raw counters of the scan, by name. */
  counts: Record<string, number>;
  findings: Finding[];
}

export type InspectEvent =
  | { type: 'started'; files: string[]; totalBytes: number; workers: number }
  | { type: 'progress'; rows: number; bytesRead: number; totalBytes: number }
  | { type: 'finished'; report: InspectionReport };

export interface InspectOptions {
  contract?: Contract;
  format?: FormatId;
  formatOptions?: FormatOptions;
  /** Tokenizer for token lengths and answer truncation, measured on the first `tokenSampleRows` rows. */
  tokenizer?: TokenCounter;
  template?: TrainingTemplate;
  maxLength?: number;
  tokenSampleRows?: number;
  nearDuplicateRows?: number;
  /** Threads for large plain JSONL files, the calling one included (it scans the first range); defaults to the number of CPUs. */
  workers?: number;
  /** Files smaller than this are scanned in the calling thread. */
  parallelMinBytes?: number;
  signal?: AbortSignal;
  log?: Logger;
}

function lengthStats(hist: number[], sum: number, max: number): LengthStats {
  const count = hist.reduce((a, b) => a + b, 0);
  const q = (p: number) => {
    let acc = 0;
    const want = p * count;
    for (let k = 0; k < hist.length; k++) {
      acc += hist[k] ?? 0;
      if (acc >= want && count > 0) return Math.min(max, Math.round(2 ** ((k + 1) / 4) - 1));
    }
    return max;
  };
  return {
    count,
    mean: count ? sum / count : 0,
    max,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    histogram: hist,
  };
}

function addFields(into: Record<string, FieldAcc>, from: Record<string, FieldAcc>): void {
  for (const [k, f] of Object.entries(from)) {
    const t = into[k];
    if (!t) {
      into[k] = { ...f, types: { ...f.types }, charsHist: [...f.charsHist] };
      continue;
    }
    t.present += f.present;
    t.empty += f.empty;
    for (const [ty, n] of Object.entries(f.types)) t.types[ty] = (t.types[ty] ?? 0) + n;
    f.charsHist.forEach((n, i) => {
      t.charsHist[i] = (t.charsHist[i] ?? 0) + n;
    });
    t.charsSum += f.charsSum;
    t.charsMax = Math.max(t.charsMax, f.charsMax);
  }
}

interface Part {
  state: ScanState<ArrayLike<number>>;
  /** Lines before this part in its file (worker ranges after the first). */
  lineOffset: number;
  splitFile?: number;
}

/** Splits a plain JSONL file into `n` byte ranges that start at line starts. */
async function splitRanges(file: string, size: number, n: number): Promise<[number, number][]> {
  const fh = await open(file, 'r');
  try {
    const cuts = [0];
    const buf = Buffer.alloc(1 << 20);
    for (let i = 1; i < n; i++) {
      let pos = Math.max(Math.floor((size * i) / n), cuts[cuts.length - 1] ?? 0);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) {
          pos = size;
          break;
        }
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl !== -1) {
          pos += nl + 1;
          break;
        }
        pos += bytesRead;
      }
      cuts.push(Math.min(pos, size));
    }
    cuts.push(size);
    return cuts
      .slice(0, -1)
      .map((c, i) => [c, cuts[i + 1] ?? size] as [number, number])
      .filter(([a, b]) => b > a);
  } finally {
    await fh.close();
  }
}

function startWorker(workerData: unknown): Worker {
  const js = new URL('./inspect-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  // Running from TypeScript sources (tests, bench under tsx): register tsx inside the worker,
  // then load the worker module. Node 20 does not pass --import hooks on to workers.
  const ts = new URL('./inspect-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

function runWorker(
  input: unknown,
  signal?: AbortSignal,
): Promise<{ state: ScanState<Float64Array>; lines: number }> {
  return new Promise((resolve, reject) => {
    const w = startWorker(input);
    const onAbort = () => void w.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    w.once(
      'message',
      (m: { state?: ScanState<Float64Array>; lines?: number; error?: { message: string } }) => {
        signal?.removeEventListener('abort', onAbort);
        void w.terminate();
        if (m.error || !m.state)
          reject(new Error(`inspection worker failed: ${m.error?.message ?? 'no result'}`));
        else resolve({ state: m.state, lines: m.lines ?? 0 });
      },
    );
    w.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/**
 * Inspects a dataset (a file, a folder of shards, or several split files) and yields progress
 * events, then the report. Large plain JSONL files are scanned by worker threads over byte
 * ranges; their results merge into exactly what one thread would find.
 */
export async function* inspectDatasetIter(
  target: string | string[],
  opts: InspectOptions = {},
): AsyncGenerator<InspectEvent> {
  const started = performance.now();
  const log = opts.log ?? silentLogger;
  const targets = Array.isArray(target) ? target : [target];
  const files = (await Promise.all(targets.map((t) => listDataFiles(t)))).flat();
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const workers = Math.max(1, opts.workers ?? os.availableParallelism());
  const minBytes = opts.parallelMinBytes ?? 64 * 1024 * 1024;
  yield { type: 'started', files, totalBytes, workers };
  const inspectorOpts = {
    contract: opts.contract,
    format: opts.format,
    formatOptions: opts.formatOptions,
    files,
  };
  const parts: Part[] = [];
  /** The key indexes of the scan that made `parts[0]`, when it ran in this thread. */
  let firstIndexes: KeyIndexes | undefined;
  let bytesDone = 0;
  let format: FormatId | undefined = opts.format ?? opts.contract?.format;
  for (const [fi, file] of files.entries()) {
    const size = sizes[fi] ?? 0;
    const { kind, compression } = detectFileKind(file);
    if (workers > 1 && kind === 'jsonl' && compression === 'none' && size >= minBytes) {
      const ranges = await splitRanges(file, size, workers);
      const nearPer = Math.ceil((opts.nearDuplicateRows ?? 20_000) / ranges.length);
      log.debug({ file, ranges: ranges.length }, 'inspect in workers');
      const rangeOpts = { ...inspectorOpts, format, nearDuplicateRows: nearPer };
      // The calling thread scans the first range while worker threads start up and scan the
      // rest: one thread fewer to boot (~0.3 CPU s of module loading each), none left idle.
      const workerResults = Promise.all(
        ranges
          .slice(1)
          .map(([startByte, endByte]) =>
            runWorker({ file, startByte, endByte, inspector: rangeOpts }, opts.signal),
          ),
      );
      workerResults.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
      const results: { state: ScanState<ArrayLike<number>>; lines: number }[] = [];
      const [head] = ranges;
      if (head) {
        const inspector = new RowInspector(rangeOpts);
        const range = { file, startByte: head[0], endByte: head[1] };
        const lines = await inspectRange(range, inspector, opts.signal);
        if (parts.length === 0) firstIndexes = inspector.keyIndexes;
        results.push({ state: inspector.finish(), lines });
      }
      results.push(...(await workerResults));
      let offset = 0;
      for (const r of results) {
        parts.push({ state: r.state, lineOffset: offset, splitFile: fi });
        offset += r.lines;
      }
      bytesDone += size;
      yield {
        type: 'progress',
        rows: parts.reduce((a, p) => a + p.state.rows, 0),
        bytesRead: bytesDone,
        totalBytes,
      };
      continue;
    }
    const inspector = new RowInspector({
      ...inspectorOpts,
      format,
      nearDuplicateRows: opts.nearDuplicateRows,
    });
    let n = 0;
    let shown = 0;
    for await (const batch of readRowBatchesIter(file, { signal: opts.signal })) {
      for (const item of batch) inspector.add(item);
      n += batch.length;
      if (n - shown >= 50_000) {
        shown = n;
        yield { type: 'progress', rows: n, bytesRead: bytesDone, totalBytes };
      }
    }
    format ??= inspector.detectedFormat;
    bytesDone += size;
    if (parts.length === 0) firstIndexes = inspector.keyIndexes;
    parts.push({ state: inspector.finish(), lineOffset: 0 });
    yield { type: 'progress', rows: n, bytesRead: bytesDone, totalBytes };
  }
  const report = mergeParts(targets.join(', '), files, parts, opts, format, firstIndexes);
  if (opts.tokenizer) report.tokens = await measureTokens(files, report, opts, format);
  report.metrics = metricsOf(report);
  report.durationMs = performance.now() - started;
  yield { type: 'finished', report };
}

/** Drains `inspectDatasetIter` and returns the report. */
export async function inspectDataset(
  target: string | string[],
  opts: InspectOptions = {},
): Promise<InspectionReport> {
  for await (const e of inspectDatasetIter(target, opts)) if (e.type === 'finished') return e.report;
  throw new Error('inspectDatasetIter ended without a report');
}

function mergeParts(
  target: string,
  files: string[],
  parts: Part[],
  opts: InspectOptions,
  format: FormatId | undefined,
  firstIndexes?: KeyIndexes,
): InspectionReport {
  const findings = new FindingCollector();
  const fields: Record<string, FieldAcc> = {};
  const counts = {} as Record<CountName, number>;
  const languages: Record<Language, number> = { ko: 0, en: 0, mixed: 0, other: 0 };
  const pii: Record<string, number> = {};
  const fileStats = files.map((file) => ({ file, rows: 0, bytes: 0 }));
  const total = (table: (s: Part['state']) => ArrayLike<number>) =>
    parts.reduce((n, p) => n + table(p.state).length, 0);
  const seenRows = firstIndexes?.rows ?? new KeyIndex(total((s) => s.rowKeys.keys));
  const seenPairs = firstIndexes?.pairs ?? new KeyIndex(total((s) => s.pairKeys.keys));
  const seenUnique = firstIndexes?.unique ?? new KeyIndex(total((s) => s.uniqueKeys.keys));
  const at = (fi: number, line: number) => fi * 2 ** 32 + line;
  const nearSigs: Uint32Array[] = [];
  const nearWhere: { file: number; line: number; key: number }[] = [];
  let rows = 0;
  let badRows = 0;
  let bytes = 0;
  for (const [n, p] of parts.entries()) {
    const s = p.state;
    // The first part's keys are in `firstIndexes` already, and nothing after the last part
    // looks its keys up: those loops only look up or are skipped.
    const indexed = n === 0 && firstIndexes !== undefined;
    const last = n === parts.length - 1;
    const off = (fi: number) => (fi === p.splitFile ? p.lineOffset : 0);
    rows += s.rows;
    badRows += s.badRows;
    bytes += s.bytes;
    s.files.forEach((f, i) => {
      const t = fileStats[i];
      if (t) {
        t.rows += f.rows;
        t.bytes += f.bytes;
      }
    });
    findings.merge(s.findings, (file) =>
      p.splitFile !== undefined && files[p.splitFile] === file ? p.lineOffset : 0,
    );
    addFields(fields, s.fields);
    for (const [k, v] of Object.entries(s.counts)) counts[k as CountName] = (counts[k as CountName] ?? 0) + v;
    for (const [k, v] of Object.entries(s.languages)) languages[k as Language] += v;
    for (const [k, v] of Object.entries(s.pii)) pii[k] = (pii[k] ?? 0) + v;
    // First-seen keys of this part against all earlier parts: duplicates across worker ranges and splits.
    for (let i = 0; !indexed && i < s.rowKeys.keys.length; i++) {
      const fi = s.rowKeys.files[i] ?? 0;
      const line = (s.rowKeys.lines[i] ?? 0) + off(fi);
      const key = s.rowKeys.keys[i] ?? 0;
      const first = last ? seenRows.get(key) : seenRows.setIfAbsent(key, at(fi, line));
      if (first === undefined) continue;
      const ff = Math.floor(first / 2 ** 32);
      counts.exactDuplicates++;
      if (ff !== fi) counts.crossSplitDuplicates++;
      findings.add(
        'AB_DATA_DUPLICATE',
        'warning',
        `identical to ${ff !== fi ? `${files[ff]}:` : 'line '}${first % 2 ** 32}`,
        { file: files[fi] ?? '', line },
      );
    }
    // Contradictions inside this part were counted by its inspector; check only against earlier parts.
    for (let i = 0; !indexed && i < s.pairKeys.keys.length; i++) {
      const fi = s.pairKeys.files[i] ?? 0;
      const line = (s.pairKeys.lines[i] ?? 0) + off(fi);
      const rev = s.pairKeys.reverse?.[i];
      const other = rev !== undefined ? seenPairs.get(rev) : undefined;
      if (other !== undefined) {
        counts.contradictory++;
        findings.add(
          'AB_DATA_CONTRADICTORY_PREFERENCE',
          'error',
          `same prompt and answers as line ${other % 2 ** 32} with chosen and rejected swapped`,
          { file: files[fi] ?? '', line },
        );
      }
    }
    for (let i = 0; !indexed && !last && i < s.pairKeys.keys.length; i++) {
      const fi = s.pairKeys.files[i] ?? 0;
      seenPairs.setIfAbsent(s.pairKeys.keys[i] ?? 0, at(fi, (s.pairKeys.lines[i] ?? 0) + off(fi)));
    }
    for (let i = 0; !indexed && i < s.uniqueKeys.keys.length; i++) {
      const fi = s.uniqueKeys.files[i] ?? 0;
      const line = (s.uniqueKeys.lines[i] ?? 0) + off(fi);
      const key = s.uniqueKeys.keys[i] ?? 0;
      const first = last ? seenUnique.get(key) : seenUnique.setIfAbsent(key, at(fi, line));
      if (first !== undefined) {
        counts.uniqueViolations++;
        const entry = opts.contract?.unique[s.uniqueKeys.constraint?.[i] ?? 0] ?? [];
        const { label } = uniqueConstraintFields(entry);
        // The same finding a single-thread scan adds (RowInspector.hit), so reports do not depend on threads.
        findings.add(
          'AB_DATA_UNIQUE',
          'error',
          uniqueRepeatMessage(label, first),
          { file: files[fi] ?? '', line, field: label },
          { field: label },
        );
      }
    }
    nearSigs.push(s.near.sigs);
    s.near.lines.forEach((line, i) => {
      const fi = s.near.files[i] ?? 0;
      nearWhere.push({ file: fi, line: line + off(fi), key: s.near.rowKeys[i] ?? 0 });
    });
  }
  // Near duplicates among the sampled rows, leaving out exact copies (already reported).
  const sigs = new Uint32Array(nearWhere.length * MINHASH_PERMS);
  let o = 0;
  for (const a of nearSigs) {
    sigs.set(a, o);
    o += a.length;
  }
  const nearRows = new Set<number>();
  for (const [i, j, sim] of findNearDuplicatePairs(sigs, nearWhere.length)) {
    const a = nearWhere[i];
    const b = nearWhere[j];
    if (!a || !b || a.key === b.key) continue;
    nearRows.add(j);
    findings.add(
      'AB_DATA_NEAR_DUPLICATE',
      'warning',
      `nearly identical to ${a.file !== b.file ? `${files[a.file]}:` : 'line '}${a.line} (~${Math.round(sim * 100)}% similar)`,
      { file: files[b.file] ?? '', line: b.line },
    );
  }
  const c = opts.contract;
  const fieldReports: FieldReport[] = Object.entries(fields).map(([name, f]) => ({
    name,
    status: !c ? 'seen' : name in c.fields ? 'declared' : name in c.deprecated ? 'deprecated' : 'unknown',
    present: f.present,
    nullOrEmpty: f.empty + (rows - f.present),
    nullOrEmptyRate: rows ? (f.empty + rows - f.present) / rows : 0,
    types: f.types,
    chars: lengthStats(f.charsHist, f.charsSum, f.charsMax),
  }));
  for (const name of Object.keys(c?.fields ?? {})) {
    if (!(name in fields)) {
      fieldReports.push({
        name,
        status: 'missing',
        present: 0,
        nullOrEmpty: rows,
        nullOrEmptyRate: 1,
        types: {},
        chars: lengthStats(new Array(LENGTH_BUCKETS).fill(0), 0, 0),
      });
    }
  }
  const nonEmptyFiles = fileStats.filter((f) => f.rows > 0).length;
  if (rows === 0 && nonEmptyFiles === 0)
    findings.add('AB_DATA_FILE_EMPTY', 'error', 'no readable rows', { file: files[0] ?? target, line: 1 });
  return {
    target,
    files: fileStats,
    ...(format ? { format } : {}),
    ...(c ? { contract: { name: c.name, version: c.version } } : {}),
    rows,
    badRows,
    bytes,
    durationMs: 0,
    fields: fieldReports,
    duplicates: {
      exact: counts.exactDuplicates ?? 0,
      crossSplit: counts.crossSplitDuplicates ?? 0,
      near: nearRows.size,
      nearSampledRows: nearWhere.length,
    },
    preference: {
      rows: counts.preferenceRows ?? 0,
      chosenEqualsRejected: counts.chosenEqualsRejected ?? 0,
      emptySide: counts.emptySide ?? 0,
      chosenPrefix: counts.chosenPrefix ?? 0,
      contradictory: counts.contradictory ?? 0,
    },
    conversation: { rows: counts.conversationRows ?? 0, errorRows: counts.conversationErrorRows ?? 0 },
    answers: { rows: counts.answerRows ?? 0, abruptEndings: counts.abruptEndings ?? 0 },
    languages,
    pii,
    text: {
      invalidUtf8Rows: counts.invalidUtf8Rows ?? 0,
      mojibakeRows: counts.mojibakeRows ?? 0,
      controlCharRows: counts.controlCharRows ?? 0,
      specialTokenRows: counts.specialTokenRows ?? 0,
    },
    metrics: {} as Record<GateMetric, number>,
    counts,
    findings: findings.list(),
  };
}

const plain = (t: Turns | undefined): string =>
  t === undefined ? '' : typeof t === 'string' ? t : t.map((m) => m.content).join('\n');

/** Token lengths and answer truncation at `maxLength`, on the first rows (tokenizing gigabytes in JS is too slow). */
async function measureTokens(
  files: string[],
  report: InspectionReport,
  opts: InspectOptions,
  format: FormatId | undefined,
) {
  const tok = opts.tokenizer;
  if (!tok) return undefined;
  const limit = opts.tokenSampleRows ?? 1000;
  const maxLength = opts.maxLength ?? opts.contract?.limits.max_length;
  const hists = new Map<string, { hist: number[]; sum: number; max: number }>();
  let sampled = 0;
  let answerRows = 0;
  let truncated = 0;
  const findings = new FindingCollector();
  outer: for (const file of files) {
    for await (const item of readRowsIter(file, { signal: opts.signal })) {
      if (!item.row) continue;
      if (sampled >= limit) break outer;
      sampled++;
      for (const [k, v] of Object.entries(item.row)) {
        if (typeof v !== 'string') continue;
        const n = tok.count(v);
        const h = hists.get(k) ?? { hist: new Array(LENGTH_BUCKETS).fill(0), sum: 0, max: 0 };
        h.hist[bucketOf(n)]++;
        h.sum += n;
        h.max = Math.max(h.max, n);
        hists.set(k, h);
      }
      if (!maxLength || !format) continue;
      try {
        const ex = toExample(format, item.row, opts.formatOptions);
        const sides = opts.template
          ? renderExample(ex, opts.template).sides
          : [ex.chosen, ex.rejected, ex.completion]
              .filter((t) => t !== undefined)
              .map((t) => ({ text: plain(ex.prompt) + plain(t), start: plain(ex.prompt).length }));
        if (!sides.length) continue;
        answerRows++;
        const cut = sides.some(
          (s) => tok.count(s.text.slice(0, s.start)) < maxLength && tok.count(s.text) > maxLength,
        );
        if (cut) {
          truncated++;
          findings.add(
            'AB_DATA_ANSWER_TRUNCATED',
            'warning',
            `the answer loses tokens at max_length ${maxLength}`,
            { file: item.file, line: item.line },
          );
        }
      } catch {
        // Rows that do not map to the format are already reported by the scan.
      }
    }
  }
  for (const f of report.fields) {
    const h = hists.get(f.name);
    if (h) f.tokens = lengthStats(h.hist, h.sum, h.max);
  }
  const all = new FindingCollector();
  all.merge(report.findings);
  all.merge(findings.list());
  report.findings = all.list();
  return {
    sampledRows: sampled,
    ...(maxLength ? { maxLength } : {}),
    answerTruncatedRows: truncated,
    answerRows,
  };
}

/** The numbers gate rules compare against. Rates are fractions of readable rows. */
export function metricsOf(r: InspectionReport): Record<GateMetric, number> {
  const counts = r.counts as Partial<Record<CountName, number>>;
  const rate = (n: number | undefined, d = r.rows) => (d > 0 ? (n ?? 0) / d : 0);
  return {
    rows: r.rows,
    parse_error_rate: rate(r.badRows, r.rows + r.badRows),
    contract_violation_rate: rate(counts.violationRows),
    deprecated_field_rows: counts.deprecatedRows ?? 0,
    unknown_field_rows: counts.unknownRows ?? 0,
    consumption_failures: 0,
    exact_duplicate_rate: rate(r.duplicates.exact),
    near_duplicate_rate: rate(r.duplicates.near, r.duplicates.nearSampledRows),
    chosen_equals_rejected_rate: rate(r.preference.chosenEqualsRejected, r.preference.rows),
    empty_side_rate: rate(r.preference.emptySide, r.preference.rows),
    chosen_prefix_rate: rate(r.preference.chosenPrefix, r.preference.rows),
    contradictory_preference_rate: rate(r.preference.contradictory, r.preference.rows),
    conversation_error_rate: rate(r.conversation.errorRows, r.conversation.rows),
    answer_truncated_rate: r.tokens ? rate(r.tokens.answerTruncatedRows, r.tokens.answerRows) : 0,
    abrupt_ending_rate: rate(r.answers.abruptEndings, r.answers.rows),
    disallowed_language_rate: rate(counts.disallowedLanguageRows),
    pii_rows: counts.piiRows ?? 0,
    invalid_utf8_rows: r.text.invalidUtf8Rows,
    mojibake_rate: rate(r.text.mojibakeRows),
    control_char_rows: r.text.controlCharRows,
    special_token_rows: r.text.specialTokenRows,
    check_failure_rate: rate(
      (counts.checkFailRows ?? 0) + (counts.uniqueViolations ?? 0) + (counts.formatErrorRows ?? 0),
    ),
  };
}
