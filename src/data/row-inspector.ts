import type { Contract } from './contract.js';
import { checkRoles, compileContract } from './contract-checks.js';
import type { DataErrorCode } from './errors.js';
import { FindingCollector } from './finding-collector.js';
import type { Finding } from './findings.js';
import {
  detectRowFormat,
  type Example,
  type FormatId,
  type FormatOptions,
  type Message,
  type Turns,
  toExample,
} from './formats.js';
import { KeyIndex } from './key-index.js';
import {
  hash52,
  hashKeys52,
  hashRecord52,
  hashText52,
  MINHASH_PERMS,
  minhashAsciiPartsInto,
  minhashInto,
} from './minhash.js';
import type { RowItem } from './read-rows.js';
import {
  endsAbruptly,
  findMojibake,
  findPii,
  findSpecialToken,
  hintsOfRecord,
  type Language,
  languageOf,
  NO_HINTS,
  scanPlainAsciiParts,
  scanScripts,
} from './text-signals.js';

/** Length histogram buckets: bucket k holds lengths in [2^(k/4), 2^((k+1)/4)); mergeable across workers. */
export const LENGTH_BUCKETS = 96;
export const bucketOf = (n: number) =>
  n <= 0 ? 0 : Math.min(LENGTH_BUCKETS - 1, Math.floor(Math.log2(n + 1) * 4));

export interface FieldAcc {
  present: number;
  empty: number;
  types: Record<string, number>;
  charsHist: number[];
  charsSum: number;
  charsMax: number;
}

/**
 * A first-seen index (key → where) exported as parallel columns so worker results merge in
 * order: arrays while a scan fills them, typed arrays when a worker hands them over (`packScanState`).
 */
export interface KeyTable<C extends ArrayLike<number> = number[]> {
  keys: C;
  lines: C;
  files: C;
  /** For preference pairs: the key of the same pair with chosen and rejected swapped. */
  reverse?: C;
  /** For uniqueness keys: the index of the contract's `unique` entry the key belongs to. */
  constraint?: C;
}

export type CountName =
  | 'violationRows'
  | 'deprecatedRows'
  | 'unknownRows'
  | 'checkFailRows'
  | 'exactDuplicates'
  | 'crossSplitDuplicates'
  | 'uniqueViolations'
  | 'preferenceRows'
  | 'chosenEqualsRejected'
  | 'emptySide'
  | 'chosenPrefix'
  | 'contradictory'
  | 'conversationRows'
  | 'conversationErrorRows'
  | 'answerRows'
  | 'abruptEndings'
  | 'piiRows'
  | 'invalidUtf8Rows'
  | 'mojibakeRows'
  | 'controlCharRows'
  | 'specialTokenRows'
  | 'disallowedLanguageRows'
  | 'formatErrorRows';

export interface KeyIndexes {
  rows: KeyIndex;
  pairs: KeyIndex;
  unique: KeyIndex;
}

/** What one scan (a whole file, or one worker's byte range) learned; plain data, so it crosses threads. */
export interface ScanState<C extends ArrayLike<number> = number[]> {
  rows: number;
  badRows: number;
  bytes: number;
  files: { file: string; rows: number; bytes: number; lastLine: number }[];
  fields: Record<string, FieldAcc>;
  counts: Record<CountName, number>;
  languages: Record<Language, number>;
  pii: Record<string, number>;
  findings: Finding[];
  rowKeys: KeyTable<C>;
  pairKeys: KeyTable<C>;
  uniqueKeys: KeyTable<C>;
  near: { sigs: Uint32Array; lines: number[]; files: number[]; rowKeys: number[] };
}

export interface RowInspectorOptions {
  contract?: Contract;
  format?: FormatId;
  formatOptions?: FormatOptions;
  /** Rows (from the start of each scan) that get a MinHash signature for near-duplicate search. */
  nearDuplicateRows?: number;
  files: string[];
}

const emptyTable = (extra?: 'reverse' | 'constraint'): KeyTable => ({
  keys: [],
  lines: [],
  files: [],
  ...(extra ? { [extra]: [] } : {}),
});

/** What an `AB_DATA_UNIQUE` finding says, from one thread's scan or from the merge of several. */
export const uniqueRepeatMessage = (label: string, firstAt: number) =>
  `(${label.replaceAll(',', ', ')}) repeats line ${firstAt % 2 ** 32}`;

/** The fields of one `unique` entry of a contract and how a finding names them. */
export function uniqueConstraintFields(u: string | string[]): { fields: string[]; label: string } {
  const fields = typeof u === 'string' ? [u] : u;
  return { fields, label: fields.join(',') };
}

const plain = (t: Turns | undefined): string =>
  t === undefined ? '' : typeof t === 'string' ? t : t.map((m) => m.content ?? '').join('\n');
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function collectText(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectText(x, out);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) collectText(x, out);
}

/**
 * Inspects rows one at a time in constant memory (apart from first-seen hash indexes) and
 * produces a mergeable `ScanState`. The same class runs in the main thread and in workers.
 */
export class RowInspector {
  private readonly findings = new FindingCollector();
  private readonly state: ScanState;
  private readonly checkRow?: (
    row: Record<string, unknown>,
  ) => ReturnType<ReturnType<typeof compileContract>>;
  private readonly seenRows = new KeyIndex();
  private readonly seenPairs = new KeyIndex();
  private readonly seenUnique = new KeyIndex();
  private readonly nearLimit: number;
  private readonly fileIndex = new Map<string, number>();
  private readonly allowedLanguages?: Set<string>;
  private format?: FormatId;
  /** The string values of the current row, reused from row to row. */
  private readonly textParts: string[] = [];

  constructor(private readonly opts: RowInspectorOptions) {
    this.nearLimit = opts.nearDuplicateRows ?? 20_000;
    for (const [i, f] of opts.files.entries()) this.fileIndex.set(f, i);
    if (opts.contract) this.checkRow = compileContract(opts.contract);
    if (opts.contract?.languages) this.allowedLanguages = new Set(opts.contract.languages);
    this.format = opts.format ?? opts.contract?.format;
    this.state = {
      rows: 0,
      badRows: 0,
      bytes: 0,
      files: opts.files.map((file) => ({ file, rows: 0, bytes: 0, lastLine: 0 })),
      fields: {},
      counts: Object.fromEntries(
        (
          [
            'violationRows',
            'deprecatedRows',
            'unknownRows',
            'checkFailRows',
            'exactDuplicates',
            'crossSplitDuplicates',
            'uniqueViolations',
            'preferenceRows',
            'chosenEqualsRejected',
            'emptySide',
            'chosenPrefix',
            'contradictory',
            'conversationRows',
            'conversationErrorRows',
            'answerRows',
            'abruptEndings',
            'piiRows',
            'invalidUtf8Rows',
            'mojibakeRows',
            'controlCharRows',
            'specialTokenRows',
            'disallowedLanguageRows',
            'formatErrorRows',
          ] as const
        ).map((k) => [k, 0]),
      ) as Record<CountName, number>,
      languages: { ko: 0, en: 0, mixed: 0, other: 0 },
      pii: {},
      findings: [],
      rowKeys: emptyTable(),
      pairKeys: emptyTable('reverse'),
      uniqueKeys: emptyTable('constraint'),
      near: { sigs: new Uint32Array(this.nearLimit * MINHASH_PERMS), lines: [], files: [], rowKeys: [] },
    };
  }

  private hit(
    code: DataErrorCode,
    severity: 'error' | 'warning' | 'info',
    message: string,
    item: RowItem,
    field?: string,
    text?: string,
  ): void {
    this.findings.add(
      code,
      severity,
      message,
      {
        file: item.file,
        line: item.line,
        ...(field ? { field } : {}),
        ...(text ? { excerpt: text.slice(0, 120) } : {}),
      },
      { field },
    );
  }

  add(item: RowItem): void {
    const s = this.state;
    const fi = this.fileIndex.get(item.file) ?? 0;
    const fs = s.files[fi];
    if (fs && item.line > fs.lastLine) fs.lastLine = item.line;
    if (item.issue) {
      const fileLevel =
        item.issue.code === 'AB_DATA_FILE_TRUNCATED' || item.issue.code === 'AB_DATA_FILE_EMPTY';
      if (!fileLevel) s.badRows++;
      if (item.issue.code === 'AB_DATA_INVALID_UTF8') s.counts.invalidUtf8Rows++;
      this.hit(item.issue.code, 'error', item.issue.message, item, item.issue.field, item.raw);
      if (!item.row) return;
    }
    const row = item.row;
    if (!row) return;
    s.rows++;
    const size = item.raw?.length ?? 0;
    s.bytes += size;
    if (fs) {
      fs.rows++;
      fs.bytes += size;
    }
    const c = s.counts;

    // Schema: presence, emptiness, types and character lengths per top-level field.
    for (const key in row) {
      const v = row[key];
      let f = s.fields[key];
      if (!f) {
        f = {
          present: 0,
          empty: 0,
          types: {},
          charsHist: new Array(LENGTH_BUCKETS).fill(0),
          charsSum: 0,
          charsMax: 0,
        };
        s.fields[key] = f;
      }
      f.present++;
      const t = typeName(v);
      f.types[t] = (f.types[t] ?? 0) + 1;
      const len = typeof v === 'string' ? v.length : Array.isArray(v) ? plainLen(v) : 0;
      if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) f.empty++;
      if (typeof v === 'string' || Array.isArray(v)) {
        f.charsHist[bucketOf(len)] = (f.charsHist[bucketOf(len)] ?? 0) + 1;
        f.charsSum += len;
        if (len > f.charsMax) f.charsMax = len;
      }
    }

    // Contract.
    if (this.checkRow) {
      const violations = this.checkRow(row);
      if (violations.length) {
        let dep = false;
        let unknown = false;
        let check = false;
        let other = false;
        for (const v of violations) {
          const sev = v.code === 'AB_DATA_FIELD_UNKNOWN' ? 'warning' : 'error';
          this.hit(v.code, sev, v.message, item, v.field);
          if (v.code === 'AB_DATA_FIELD_DEPRECATED') dep = true;
          else if (v.code === 'AB_DATA_FIELD_UNKNOWN') unknown = true;
          else if (v.code === 'AB_DATA_CHECK_FAILED') check = true;
          else other = true;
        }
        if (dep) c.deprecatedRows++;
        if (unknown) c.unknownRows++;
        if (check) c.checkFailRows++;
        if (other) c.violationRows++;
      }
    }

    // Exact duplicates over the whole record.
    const rowKey = hashRecord52(item.bytes ?? item.raw ?? JSON.stringify(row));
    const first = this.seenRows.setIfAbsent(rowKey, fi * 2 ** 32 + item.line);
    if (first !== undefined) {
      const firstFile = Math.floor(first / 2 ** 32);
      const firstLine = first % 2 ** 32;
      c.exactDuplicates++;
      if (firstFile !== fi) c.crossSplitDuplicates++;
      this.hit(
        'AB_DATA_DUPLICATE',
        'warning',
        `identical to ${firstFile !== fi ? `${s.files[firstFile]?.file}:` : 'line '}${firstLine}`,
        item,
      );
    } else {
      s.rowKeys.keys.push(rowKey);
      s.rowKeys.lines.push(item.line);
      s.rowKeys.files.push(fi);
    }

    // Uniqueness keys from the contract.
    const uniques = this.opts.contract?.unique ?? [];
    for (let ui = 0; ui < uniques.length; ui++) {
      const { fields, label } = uniqueConstraintFields(uniques[ui] as string | string[]);
      // The entry's index leads the hashed text: each entry has its own key space.
      const k = hash52(`${ui}\u0001${fields.map((f) => JSON.stringify(row[f] ?? null)).join('\u0000')}`);
      const at = this.seenUnique.setIfAbsent(k, fi * 2 ** 32 + item.line);
      if (at !== undefined) {
        c.uniqueViolations++;
        this.hit('AB_DATA_UNIQUE', 'error', uniqueRepeatMessage(label, at), item, label);
      } else {
        s.uniqueKeys.keys.push(k);
        s.uniqueKeys.lines.push(item.line);
        s.uniqueKeys.files.push(fi);
        s.uniqueKeys.constraint?.push(ui);
      }
    }

    // The example as a trainer sees it.
    let ex: Example | undefined;
    const format = this.format ?? detectRowFormat(row)?.format;
    if (!this.format && format) this.format = format;
    if (format) {
      try {
        ex = plainExample(format, row) ?? toExample(format, row, this.opts.formatOptions);
      } catch (err) {
        c.formatErrorRows++;
        const e = err as { code?: string; message: string; where?: { field?: string } };
        this.hit('AB_DATA_FORMAT_MISMATCH', 'error', `${format}: ${e.message}`, item, e.where?.field);
      }
    }
    // Text signals over the values, not the JSON (keys are Latin, escapes hide Hangul). The
    // record's bytes settle most checks without joining the values (`hintsOfRecord`); the rest
    // run on the joined text.
    const hints = item.bytes ? hintsOfRecord(item.bytes) : NO_HINTS;
    if (ex) this.inspectExample(ex, item, fi, hints.isPlainAscii);
    const parts = this.textParts;
    parts.length = 0;
    collectText(row, parts);
    let text = hints.isPlainAscii ? undefined : parts.join('\n');
    const joined = () => {
      text ??= parts.join('\n');
      return text;
    };
    const sc = text === undefined ? scanPlainAsciiParts(parts) : scanScripts(text);
    const lang = languageOf(sc);
    s.languages[lang]++;
    if (
      this.allowedLanguages &&
      !this.allowedLanguages.has(lang) &&
      !(lang === 'mixed' && this.allowedLanguages.has('ko') && this.allowedLanguages.has('en'))
    ) {
      c.disallowedLanguageRows++;
      this.hit(
        'AB_DATA_LANGUAGE',
        'warning',
        `language "${lang}" is not one of ${[...this.allowedLanguages].join(', ')}`,
        item,
      );
    }
    if (sc.control > 0) {
      c.controlCharRows++;
      this.hit('AB_DATA_CONTROL_CHAR', 'warning', 'control characters in text', item);
    }
    if (sc.replacement > 0 && item.issue?.code !== 'AB_DATA_INVALID_UTF8') {
      c.mojibakeRows++;
      this.hit(
        'AB_DATA_MOJIBAKE',
        'error',
        'U+FFFD replacement characters: text was decoded with the wrong encoding before delivery',
        item,
      );
    } else if (text !== undefined) {
      const moji = findMojibake(text, sc);
      if (moji) {
        c.mojibakeRows++;
        this.hit(
          'AB_DATA_MOJIBAKE',
          'error',
          `mojibake "${moji}": UTF-8 text decoded as Latin-1/Windows-1252`,
          item,
          undefined,
          moji,
        );
      }
    }
    const pii = hints.hasNoPii ? [] : findPii(joined());
    if (pii.length) {
      c.piiRows++;
      for (const k of pii) {
        s.pii[k] = (s.pii[k] ?? 0) + 1;
        this.hit('AB_DATA_PII', 'warning', `possible ${k.replace('_', ' ')}`, item, k);
      }
    }
    const special = hints.hasNoSpecialToken ? undefined : findSpecialToken(joined());
    if (special) {
      c.specialTokenRows++;
      this.hit(
        'AB_DATA_SPECIAL_TOKEN',
        'error',
        `leaked special token "${special}"`,
        item,
        undefined,
        special,
      );
    }

    // Near duplicates: MinHash signatures for the first rows.
    const n = s.near.lines.length;
    if (n < this.nearLimit) {
      if (hints.isPlainAscii) minhashAsciiPartsInto(s.near.sigs, n * MINHASH_PERMS, parts);
      else minhashInto(s.near.sigs, n * MINHASH_PERMS, joined());
      s.near.lines.push(item.line);
      s.near.files.push(fi);
      s.near.rowKeys.push(rowKey);
    }
  }

  /** `isAscii`: the row's values are known to be ASCII, which hashes them faster (same keys). */
  private inspectExample(ex: Example, item: RowItem, fi: number, isAscii: boolean): void {
    const c = this.state.counts;
    if (ex.kind === 'preference') {
      c.preferenceRows++;
      const p = plain(ex.prompt);
      const ch = plain(ex.chosen);
      const rj = plain(ex.rejected);
      if (ch.trim() === '' || rj.trim() === '') {
        c.emptySide++;
        this.hit(
          'AB_DATA_EMPTY_SIDE',
          'error',
          `the ${ch.trim() === '' ? 'chosen' : 'rejected'} side is empty`,
          item,
          ch.trim() === '' ? 'chosen' : 'rejected',
        );
      } else if (ch === rj) {
        c.chosenEqualsRejected++;
        this.hit('AB_DATA_CHOSEN_EQUALS_REJECTED', 'error', 'chosen and rejected are identical', item);
      } else if (rj.startsWith(ch)) {
        c.chosenPrefix++;
        this.hit('AB_DATA_CHOSEN_PREFIX', 'warning', 'chosen is a prefix of rejected', item);
      }
      const hp = hashText52(p, isAscii);
      const hc = hashText52(ch, isAscii);
      const hr = hashText52(rj, isAscii);
      const fwd = hashKeys52(hp, hc, hr);
      const rev = hashKeys52(hp, hr, hc);
      const swapped = this.seenPairs.get(rev);
      if (swapped !== undefined && hc !== hr) {
        c.contradictory++;
        this.hit(
          'AB_DATA_CONTRADICTORY_PREFERENCE',
          'error',
          `same prompt and answers as line ${swapped % 2 ** 32} with chosen and rejected swapped`,
          item,
        );
      }
      if (this.seenPairs.setIfAbsent(fwd, fi * 2 ** 32 + item.line) === undefined) {
        const t = this.state.pairKeys;
        t.keys.push(fwd);
        t.reverse?.push(rev);
        t.lines.push(item.line);
        t.files.push(fi);
      }
      this.checkAnswer(ch, item, 'chosen');
    } else if (ex.kind === 'prompt_completion' || ex.kind === 'unpaired_preference') {
      this.checkAnswer(plain(ex.completion), item, 'completion');
    } else if (ex.kind === 'language_modeling' && Array.isArray(ex.text)) {
      const last = ex.text[ex.text.length - 1];
      if (last?.role === 'assistant') this.checkAnswer(last.content, item, 'messages');
    }
    // Flat string rows (most of a large file) have no conversation: skip building one.
    const hasTurns =
      ex.system ||
      Array.isArray(ex.prompt) ||
      Array.isArray(ex.text) ||
      Array.isArray(ex.completion) ||
      Array.isArray(ex.chosen);
    const conv: Message[] = !hasTurns
      ? []
      : [
          ...(ex.system ? [{ role: 'system', content: ex.system }] : []),
          ...(Array.isArray(ex.prompt) ? ex.prompt : []),
          ...(Array.isArray(ex.text) ? ex.text : []),
          ...(Array.isArray(ex.completion) ? ex.completion : []),
        ];
    if (conv.length > 0 || Array.isArray(ex.chosen)) {
      c.conversationRows++;
      const issues = checkRoles([...conv, ...(Array.isArray(ex.chosen) ? ex.chosen : [])], 'messages', {
        allowed: this.opts.contract?.roles?.allowed ?? [
          'system',
          'user',
          'assistant',
          'tool',
          'function_call',
          'ipython',
        ],
        order: this.opts.contract?.roles?.order ?? 'alternating',
        final: ex.kind === 'language_modeling' ? 'assistant' : 'any',
      });
      if (issues.length) {
        c.conversationErrorRows++;
        for (const i of issues) this.hit(i.code, 'error', i.message, item, i.field);
      }
    }
  }

  private checkAnswer(answer: string, item: RowItem, field: string): void {
    const c = this.state.counts;
    c.answerRows++;
    if (endsAbruptly(answer)) {
      c.abruptEndings++;
      this.hit(
        'AB_DATA_ABRUPT_ENDING',
        'warning',
        'the answer stops mid-sentence (cut before delivery?)',
        item,
        field,
        answer.slice(-60),
      );
    }
  }

  /**
   * The first-seen indexes of this scan's row, pair and unique keys (`file * 2^32 + line`): the
   * merge starts from them when this scan is its first part instead of inserting its keys again.
   */
  get keyIndexes(): KeyIndexes {
    return { rows: this.seenRows, pairs: this.seenPairs, unique: this.seenUnique };
  }

  /** The format rows were read as (given, from the contract, or detected on the first row). */
  get detectedFormat(): FormatId | undefined {
    return this.format;
  }

  finish(): ScanState {
    this.state.findings = this.findings.list();
    const n = this.state.near.lines.length;
    this.state.near.sigs = this.state.near.sigs.slice(0, n * MINHASH_PERMS);
    return this.state;
  }
}

/**
 * The scan state with its key tables as Float64Arrays, and the buffers to transfer: a worker
 * hands over a few hundred thousand keys per table without a structured copy of each number.
 */
export function packScanState(state: ScanState): {
  state: ScanState<Float64Array>;
  transfer: ArrayBuffer[];
} {
  const transfer: ArrayBuffer[] = [state.near.sigs.buffer as ArrayBuffer];
  const column = (c: number[]) => {
    const packed = Float64Array.from(c);
    transfer.push(packed.buffer);
    return packed;
  };
  const table = (t: KeyTable) => ({
    keys: column(t.keys),
    lines: column(t.lines),
    files: column(t.files),
    ...(t.reverse ? { reverse: column(t.reverse) } : {}),
    ...(t.constraint ? { constraint: column(t.constraint) } : {}),
  });
  return {
    state: {
      ...state,
      rowKeys: table(state.rowKeys),
      pairKeys: table(state.pairKeys),
      uniqueKeys: table(state.uniqueKeys),
    },
    transfer,
  };
}

function plainLen(v: unknown[]): number {
  let n = 0;
  for (const x of v) {
    if (typeof x === 'string') n += x.length;
    else if (typeof x === 'object' && x !== null && 'content' in x && typeof x.content === 'string')
      n += x.content.length;
    else if (typeof x === 'object' && x !== null && 'text' in x && typeof x.text === 'string')
      n += x.text.length;
  }
  return n;
}

/**
 * The example of a flat row of plain strings, without `toExample`'s mapping machinery: the
 * fields `inspectExample` reads, equal to what `toExample` gives (a test checks both agree).
 * Anything else (messages, implicit prompts, other formats) returns undefined.
 */
export function plainExample(format: FormatId, row: Record<string, unknown>): Example | undefined {
  const { prompt, chosen, rejected, completion } = row;
  if (typeof prompt !== 'string') return undefined;
  if (format === 'trl.preference' && typeof chosen === 'string' && typeof rejected === 'string')
    return { kind: 'preference', prompt, chosen, rejected, extra: {} };
  if (format === 'trl.prompt_completion' && typeof completion === 'string')
    return { kind: 'prompt_completion', prompt, completion, extra: {} };
  return undefined;
}
