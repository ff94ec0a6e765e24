import { type Contract, expectedPart, type RenderPart } from './contract.js';
import { DataError } from './errors.js';
import { FindingCollector } from './finding-collector.js';
import type { Finding } from './findings.js';
import { detectFormat, type FormatId, type FormatOptions, toExample } from './formats.js';
import type { RowItem } from './read-rows.js';
import { type RenderedExample, renderExample, type SidePart } from './render-example.js';
import type { TokenCounter, TrainingTemplate } from './training-template.js';

/** What happened to one field's text on its way to the training text. */
export type ConsumptionStatus = 'rendered' | 'wrong_part' | 'dropped' | 'truncated' | 'not_present';

export interface FieldConsumption {
  field: string;
  declared: boolean;
  deprecated?: { since: number; replacedBy?: string };
  expected: RenderPart;
  status: ConsumptionStatus;
  /** Rows where the field had text. */
  rows: number;
  renderedRows: number;
  droppedRows: number;
  wrongPartRows: number;
  truncatedRows: number;
  /** Parts its markers were found in, with counts. */
  foundIn: Partial<Record<'prompt' | SidePart, number>>;
  exampleLines: number[];
}

/** One rendered row with its markers, for the consumption view. */
export interface ConsumptionSample {
  file: string;
  line: number;
  rendered: RenderedExample;
  markers: { field: string; marker: string }[];
}

export interface ConsumptionReport {
  passed: boolean;
  template: string;
  format: FormatId;
  rowsChecked: number;
  /** Rows the template or the format could not render; any fails the check. */
  renderErrors: number;
  maxLength?: number;
  fields: FieldConsumption[];
  findings: Finding[];
  sample?: ConsumptionSample;
}

export interface CheckFieldConsumptionOptions {
  template: TrainingTemplate;
  contract?: Contract;
  format?: FormatId;
  formatOptions?: FormatOptions;
  tokenizer?: TokenCounter;
  maxLength?: number;
}

/** Keys whose values steer a template (roles, ids) rather than carry text: never marked. */
const STRUCTURAL_KEYS = new Set(['role', 'from', 'type', 'name', 'id', 'label']);

/** A marker no tokenizer merges with its neighbours and no dataset contains: letters and digits, fenced by Q. */
const markerOf = (f: number, leaf: number) => `QZX${f}M${leaf}Q`;

function injectMarkers(value: unknown, fieldIndex: number, markers: string[]): unknown {
  if (typeof value === 'string') {
    if (value.trim() === '') return value;
    const m = markerOf(fieldIndex, markers.length);
    markers.push(m);
    return `${m} ${value}`;
  }
  if (Array.isArray(value)) return value.map((v) => injectMarkers(v, fieldIndex, markers));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = STRUCTURAL_KEYS.has(k) ? v : injectMarkers(v, fieldIndex, markers);
    return out;
  }
  return value;
}

function partOk(expected: RenderPart, found: 'prompt' | SidePart): boolean {
  if (expected === 'any') return true;
  if (expected === 'none') return false;
  if (expected === 'completion') return found !== 'prompt';
  return expected === found;
}

/**
 * The field-consumption check: renders sampled rows with a unique marker in every non-empty
 * field, then reports per field whether its text reached the part of the training text where
 * it belongs, landed in the wrong part, never appeared (silently dropped), or was cut at
 * `maxLength` tokens. A declared field that never reaches the text fails the check.
 */
export function checkFieldConsumption(
  items: readonly RowItem[],
  opts: CheckFieldConsumptionOptions,
): ConsumptionReport {
  const rows = items.filter((i): i is RowItem & { row: Record<string, unknown> } => i.row !== undefined);
  const first = rows[0];
  if (!first)
    throw new DataError('AB_DATA_FILE_EMPTY', 'no readable rows to check', { file: items[0]?.file });
  const contract = opts.contract;
  const format =
    opts.format ??
    contract?.format ??
    detectFormat(
      rows.map((r) => r.row),
      { file: first.file },
    ).format;
  const formatOptions = opts.formatOptions ?? (contract?.format_options as FormatOptions | undefined);
  const maxLength = opts.maxLength ?? contract?.limits.max_length;
  const stats = new Map<string, FieldConsumption>();
  const fieldIndex = new Map<string, number>();
  const findings = new FindingCollector();
  let sample: ConsumptionSample | undefined;
  let renderErrors = 0;
  const stat = (field: string): FieldConsumption => {
    let s = stats.get(field);
    if (!s) {
      const dep = contract?.deprecated[field];
      s = {
        field,
        declared: contract ? field in contract.fields : true,
        ...(dep
          ? { deprecated: { since: dep.since, ...(dep.replaced_by ? { replacedBy: dep.replaced_by } : {}) } }
          : {}),
        expected: expectedPart(field, contract?.fields[field]),
        status: 'not_present',
        rows: 0,
        renderedRows: 0,
        droppedRows: 0,
        wrongPartRows: 0,
        truncatedRows: 0,
        foundIn: {},
        exampleLines: [],
      };
      stats.set(field, s);
      fieldIndex.set(field, fieldIndex.size);
    }
    return s;
  };
  for (const name of Object.keys(contract?.fields ?? {})) stat(name);

  for (const item of rows) {
    const marked: Record<string, unknown> = {};
    const markersByField = new Map<string, string[]>();
    for (const [k, v] of Object.entries(item.row)) {
      const s = stat(k);
      const markers: string[] = [];
      marked[k] = injectMarkers(v, fieldIndex.get(k) ?? 0, markers);
      if (markers.length) {
        markersByField.set(k, markers);
        s.rows++;
      }
    }
    let rendered: RenderedExample;
    try {
      rendered = renderExample(toExample(format, marked, formatOptions), opts.template);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      renderErrors++;
      findings.add(err.code as never, 'error', err.message, {
        file: item.file,
        line: item.line,
        field: err.where.field,
      });
      continue;
    }
    if (!sample)
      sample = {
        file: item.file,
        line: item.line,
        rendered,
        markers: [...markersByField].flatMap(([field, ms]) => ms.map((marker) => ({ field, marker }))),
      };
    for (const [field, markers] of markersByField) {
      const s = stat(field);
      const where = (m: string): 'prompt' | SidePart | undefined => {
        if (rendered.prompt.includes(m)) return 'prompt';
        for (const side of rendered.sides) if (side.text.indexOf(m, side.start) !== -1) return side.part;
        return undefined;
      };
      const parts = markers.map(where);
      const found = parts.filter((p): p is 'prompt' | SidePart => p !== undefined);
      for (const p of found) s.foundIn[p] = (s.foundIn[p] ?? 0) + 1;
      const example = { file: item.file, line: item.line, field };
      if (found.length === 0) {
        s.droppedRows++;
        if (s.exampleLines.length < 5) s.exampleLines.push(item.line);
        continue;
      }
      s.renderedRows++;
      if (found.some((p) => !partOk(s.expected, p))) {
        s.wrongPartRows++;
        if (s.exampleLines.length < 5) s.exampleLines.push(item.line);
        findings.add(
          'AB_DATA_FIELD_MISPLACED',
          'error',
          `the text of "${field}" renders in the ${found.find((p) => !partOk(s.expected, p))} part; the contract expects ${s.expected}`,
          example,
          { field },
        );
      }
      if (opts.tokenizer && maxLength) {
        const tok = opts.tokenizer;
        const cut = markers.some((m) => {
          const texts = [rendered.prompt, ...rendered.sides.map((x) => x.text)];
          return texts.some((text) => {
            const at = text.indexOf(m);
            return at !== -1 && tok.count(text.slice(0, at + m.length)) > maxLength;
          });
        });
        if (cut) {
          s.truncatedRows++;
          findings.add(
            'AB_DATA_FIELD_TRUNCATED',
            'warning',
            `the text of "${field}" lies past max_length ${maxLength} tokens and is cut in training`,
            example,
            { field },
          );
        }
      }
    }
  }

  let passed = renderErrors === 0;
  for (const s of stats.values()) {
    if (s.rows === 0) {
      s.status = 'not_present';
      continue;
    }
    s.status = s.wrongPartRows
      ? 'wrong_part'
      : s.droppedRows
        ? 'dropped'
        : s.truncatedRows
          ? 'truncated'
          : 'rendered';
    if (s.status === 'dropped' && s.expected !== 'none') {
      const examples = s.exampleLines.slice(0, 5);
      const lines = examples.join(', ');
      const msg = s.deprecated
        ? `"${s.field}" holds text in ${s.droppedRows} of ${s.rows} rows but is deprecated since contract v${s.deprecated.since}${s.deprecated.replacedBy ? ` (use "${s.deprecated.replacedBy}")` : ''}; its text never reaches the training text (lines ${lines})`
        : `the text of "${s.field}" never reaches the training text in ${s.droppedRows} of ${s.rows} rows (lines ${lines}); the ${opts.template.name} template and the ${format} format drop it`;
      // An undeclared field is the contract's business (AB_DATA_FIELD_UNKNOWN); a declared or deprecated one failing to render is ours.
      const isFailure = s.declared || s.deprecated !== undefined || !contract;
      if (isFailure) passed = false;
      for (const line of examples)
        findings.add(
          'AB_DATA_FIELD_DROPPED',
          isFailure ? 'error' : 'warning',
          msg,
          { file: first.file, line, field: s.field },
          { field: s.field, count: 0 },
        );
      findings.add('AB_DATA_FIELD_DROPPED', isFailure ? 'error' : 'warning', msg, undefined, {
        field: s.field,
        count: s.droppedRows,
      });
    }
    if (s.status === 'wrong_part') passed = false;
  }
  return {
    passed,
    template: opts.template.name,
    format,
    rowsChecked: rows.length,
    renderErrors,
    ...(maxLength ? { maxLength } : {}),
    fields: [...stats.values()],
    findings: findings.list(),
    ...(sample ? { sample } : {}),
  };
}
