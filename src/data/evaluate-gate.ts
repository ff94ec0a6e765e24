import type { GateMetric, GateRule } from './contract.js';
import type { Finding } from './findings.js';

export type VersionStatus = 'accepted' | 'quarantined' | 'rejected';

export interface GateReason {
  metric: GateMetric;
  value: number;
  rule: GateRule;
  message: string;
  /** Finding codes behind the metric, with example lines, so the reason points at rows. */
  findings: { code: string; field?: string; count: number; lines: number[] }[];
}

export interface GateDecision {
  status: VersionStatus;
  reasons: GateReason[];
}

const q = (metric: GateMetric, above: number): GateRule => ({ metric, above, action: 'quarantine' });

/** The rules applied when a contract names none for a metric; a contract's rule replaces these per metric. */
export const DEFAULT_GATE_RULES: GateRule[] = [
  { metric: 'rows', below: 1, action: 'reject' },
  { metric: 'parse_error_rate', above: 0.05, action: 'reject' },
  q('parse_error_rate', 0),
  q('contract_violation_rate', 0),
  q('deprecated_field_rows', 0),
  q('consumption_failures', 0),
  q('exact_duplicate_rate', 0.01),
  q('near_duplicate_rate', 0.05),
  q('chosen_equals_rejected_rate', 0),
  q('empty_side_rate', 0),
  q('contradictory_preference_rate', 0),
  q('conversation_error_rate', 0.01),
  q('abrupt_ending_rate', 0.1),
  q('answer_truncated_rate', 0.05),
  q('invalid_utf8_rows', 0),
  q('mojibake_rate', 0),
  q('special_token_rows', 0),
  q('pii_rows', 0),
  q('disallowed_language_rate', 0.01),
  q('check_failure_rate', 0),
];

/** Which finding codes each metric counts, to name rows in a gate reason. */
const CODES: Partial<Record<GateMetric, string[]>> = {
  rows: ['AB_DATA_FILE_EMPTY'],
  parse_error_rate: [
    'AB_DATA_ROW_JSON',
    'AB_DATA_ROW_NOT_OBJECT',
    'AB_DATA_FILE_TRUNCATED',
    'AB_DATA_INVALID_UTF8',
  ],
  contract_violation_rate: [
    'AB_DATA_FIELD_MISSING',
    'AB_DATA_FIELD_TYPE',
    'AB_DATA_FIELD_EMPTY',
    'AB_DATA_ROLE_ORDER',
    'AB_DATA_ROLE_UNKNOWN',
    'AB_DATA_EMPTY_TURN',
  ],
  deprecated_field_rows: ['AB_DATA_FIELD_DEPRECATED'],
  unknown_field_rows: ['AB_DATA_FIELD_UNKNOWN'],
  consumption_failures: ['AB_DATA_FIELD_DROPPED', 'AB_DATA_FIELD_MISPLACED'],
  exact_duplicate_rate: ['AB_DATA_DUPLICATE'],
  near_duplicate_rate: ['AB_DATA_NEAR_DUPLICATE'],
  chosen_equals_rejected_rate: ['AB_DATA_CHOSEN_EQUALS_REJECTED'],
  empty_side_rate: ['AB_DATA_EMPTY_SIDE'],
  chosen_prefix_rate: ['AB_DATA_CHOSEN_PREFIX'],
  contradictory_preference_rate: ['AB_DATA_CONTRADICTORY_PREFERENCE'],
  conversation_error_rate: [
    'AB_DATA_ROLE_ORDER',
    'AB_DATA_ROLE_UNKNOWN',
    'AB_DATA_EMPTY_TURN',
    'AB_DATA_NO_FINAL_ASSISTANT',
  ],
  answer_truncated_rate: ['AB_DATA_ANSWER_TRUNCATED'],
  abrupt_ending_rate: ['AB_DATA_ABRUPT_ENDING'],
  disallowed_language_rate: ['AB_DATA_LANGUAGE'],
  pii_rows: ['AB_DATA_PII'],
  invalid_utf8_rows: ['AB_DATA_INVALID_UTF8'],
  mojibake_rate: ['AB_DATA_MOJIBAKE'],
  control_char_rows: ['AB_DATA_CONTROL_CHAR'],
  special_token_rows: ['AB_DATA_SPECIAL_TOKEN'],
  check_failure_rate: ['AB_DATA_CHECK_FAILED', 'AB_DATA_UNIQUE', 'AB_DATA_FORMAT_MISMATCH'],
};

/** Merges a contract's rules over the defaults: a metric named by the contract keeps only the contract's rules. */
export function resolveGateRules(contractRules: GateRule[] | undefined): GateRule[] {
  if (!contractRules) return DEFAULT_GATE_RULES;
  const named = new Set(contractRules.map((r) => r.metric));
  return [...DEFAULT_GATE_RULES.filter((r) => !named.has(r.metric)), ...contractRules];
}

/**
 * Applies gate rules to a report's metrics: any `reject` rule that fires rejects the version,
 * else any `quarantine` rule quarantines it, else it is accepted. Every fired rule is a reason.
 */
export function evaluateGate(
  metrics: Record<GateMetric, number>,
  findings: readonly Finding[],
  rules: GateRule[],
): GateDecision {
  const reasons: GateReason[] = [];
  const fired = new Set<string>();
  const ordered = [...rules].sort((a, b) => (a.action === b.action ? 0 : a.action === 'reject' ? -1 : 1));
  for (const rule of ordered) {
    const value = metrics[rule.metric] ?? 0;
    const hit = rule.above !== undefined ? value > rule.above : value < (rule.below ?? 0);
    if (!hit || fired.has(rule.metric)) continue;
    fired.add(rule.metric);
    const codes = CODES[rule.metric] ?? [];
    const related = findings
      .filter((f) => codes.includes(f.code))
      .map((f) => ({
        code: f.code,
        ...(f.field ? { field: f.field } : {}),
        count: f.count,
        lines: f.examples.map((e) => e.line),
      }));
    const shown = Number.isInteger(value) ? String(value) : value.toFixed(4);
    const bound = rule.above !== undefined ? `above ${rule.above}` : `below ${rule.below}`;
    const detail = related
      .slice(0, 3)
      .map((f) => `${f.code}${f.field ? ` "${f.field}"` : ''} ×${f.count} (lines ${f.lines.join(', ')})`)
      .join('; ');
    reasons.push({
      metric: rule.metric,
      value,
      rule,
      message: `${rule.metric} ${shown} is ${bound}: ${rule.action}${detail ? ` — ${detail}` : ''}`,
      findings: related,
    });
  }
  const status: VersionStatus = reasons.some((r) => r.rule.action === 'reject')
    ? 'rejected'
    : reasons.length
      ? 'quarantined'
      : 'accepted';
  return { status, reasons };
}
