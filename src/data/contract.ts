import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { excerpt } from '../common/errors.js';
import { ContractError } from './errors.js';
import { FORMAT_IDS } from './formats.js';

/** Where a field's text must land in the rendered training text. */
export const RenderPartSchema = z.enum(['prompt', 'completion', 'chosen', 'rejected', 'any', 'none']);
export type RenderPart = z.infer<typeof RenderPartSchema>;

export const FieldTypeSchema = z.enum([
  'string',
  'number',
  'integer',
  'boolean',
  'messages',
  'documents',
  'string[]',
  'object',
  'array',
  'any',
]);
export type FieldType = z.infer<typeof FieldTypeSchema>;

export const FieldSpecSchema = z.strictObject({
  type: FieldTypeSchema.default('any'),
  required: z.boolean().default(false),
  /** Where the field must render; defaults from its name (prompt, chosen, rejected, …). */
  renders_in: RenderPartSchema.optional(),
  description: z.string().optional(),
  min_chars: z.number().int().nonnegative().optional(),
  max_chars: z.number().int().positive().optional(),
  max_tokens: z.number().int().positive().optional(),
});
export type FieldSpec = z.infer<typeof FieldSpecSchema>;

export const DeprecationSchema = z.strictObject({
  since: z.number().int().positive(),
  replaced_by: z.string().optional(),
  reason: z.string().optional(),
});

export const GateMetricSchema = z.enum([
  'parse_error_rate',
  'contract_violation_rate',
  'deprecated_field_rows',
  'unknown_field_rows',
  'consumption_failures',
  'exact_duplicate_rate',
  'near_duplicate_rate',
  'chosen_equals_rejected_rate',
  'empty_side_rate',
  'chosen_prefix_rate',
  'contradictory_preference_rate',
  'conversation_error_rate',
  'answer_truncated_rate',
  'abrupt_ending_rate',
  'disallowed_language_rate',
  'pii_rows',
  'invalid_utf8_rows',
  'mojibake_rate',
  'control_char_rows',
  'special_token_rows',
  'check_failure_rate',
  'rows',
]);
export type GateMetric = z.infer<typeof GateMetricSchema>;

/** "exact_duplicate_rate above 0.01 quarantines": `{metric, above, action}`; `below` for minimums (rows). */
export const GateRuleSchema = z
  .strictObject({
    metric: GateMetricSchema,
    above: z.number().optional(),
    below: z.number().optional(),
    action: z.enum(['quarantine', 'reject']),
  })
  .refine(
    (r) => (r.above === undefined) !== (r.below === undefined),
    'give exactly one of "above" or "below"',
  );
export type GateRule = z.infer<typeof GateRuleSchema>;

export const CustomCheckSchema = z.strictObject({
  name: z.string().min(1),
  field: z.string().min(1),
  pattern: z.string().optional(),
  not_pattern: z.string().optional(),
  message: z.string().optional(),
});

export const ContractSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-"'),
  version: z.number().int().positive(),
  description: z.string().optional(),
  format: z.enum(FORMAT_IDS).optional(),
  /** Column mapping for LLaMA-Factory and OpenRLHF formats. */
  format_options: z.record(z.string(), z.unknown()).optional(),
  fields: z.record(z.string(), FieldSpecSchema),
  deprecated: z.record(z.string(), DeprecationSchema).default({}),
  allow_unknown_fields: z.boolean().default(false),
  roles: z
    .strictObject({
      allowed: z.array(z.string()).default(['system', 'user', 'assistant']),
      order: z.enum(['alternating', 'any']).default('alternating'),
      final: z.enum(['assistant', 'any']).default('any'),
    })
    .optional(),
  limits: z
    .strictObject({
      /** Target training length in tokens of the contract's tokenizer. */
      max_length: z.number().int().positive().optional(),
      tokenizer: z.string().optional(),
    })
    .default({}),
  unique: z.array(z.union([z.string(), z.array(z.string())])).default([]),
  languages: z.array(z.enum(['en', 'ko', 'other'])).optional(),
  checks: z.array(CustomCheckSchema).default([]),
  gate: z.array(GateRuleSchema).optional(),
});
export type Contract = z.infer<typeof ContractSchema>;
export type ContractInput = z.input<typeof ContractSchema>;

/** A contract plus the hash of its canonical text, which identifies the exact rules applied. */
export interface LoadedContract {
  contract: Contract;
  text: string;
  hash: string;
}

/** Parses contract YAML (or JSON); every error names the file and the field path. */
export function parseContract(text: string, file = '<contract>'): LoadedContract {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new ContractError(
      'AB_DATA_CONTRACT_INVALID',
      `not valid YAML (${excerpt((err as Error).message, 120)})`,
      { file },
      { cause: err },
    );
  }
  const r = ContractSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ContractError('AB_DATA_CONTRACT_INVALID', issue?.message ?? 'invalid contract', {
      file,
      field: issue?.path.map(String).join('.') || undefined,
    });
  }
  const c = r.data;
  for (const [name, dep] of Object.entries(c.deprecated)) {
    if (dep.replaced_by && !(dep.replaced_by in c.fields)) {
      throw new ContractError(
        'AB_DATA_CONTRACT_INVALID',
        `replaced_by "${dep.replaced_by}" is not a declared field`,
        { file, field: `deprecated.${name}` },
      );
    }
    if (dep.since > c.version) {
      throw new ContractError(
        'AB_DATA_CONTRACT_INVALID',
        `since ${dep.since} is after the contract's version ${c.version}`,
        { file, field: `deprecated.${name}` },
      );
    }
  }
  for (const [k, check] of c.checks.entries()) {
    for (const p of [check.pattern, check.not_pattern]) {
      if (p === undefined) continue;
      try {
        new RegExp(p, 'u');
      } catch (err) {
        throw new ContractError(
          'AB_DATA_CONTRACT_INVALID',
          `bad regular expression ${excerpt(p)}`,
          { file, field: `checks.${k}` },
          { cause: err },
        );
      }
    }
  }
  return { contract: c, text, hash: createHash('sha256').update(text).digest('hex') };
}

export async function loadContract(file: string): Promise<LoadedContract> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new ContractError(
      'AB_DATA_CONTRACT_INVALID',
      'cannot read the contract file',
      { file },
      { status: 404, cause: err },
    );
  });
  return parseContract(text, file);
}

const PART_BY_NAME: Record<string, RenderPart> = {
  prompt: 'prompt',
  question: 'prompt',
  context: 'prompt',
  documents: 'prompt',
  system: 'prompt',
  instruction: 'prompt',
  input: 'prompt',
  query: 'prompt',
  history: 'prompt',
  chosen: 'chosen',
  rejected: 'rejected',
  preferred_output: 'chosen',
  non_preferred_output: 'rejected',
  completion: 'completion',
  answer: 'completion',
  output: 'completion',
  response: 'completion',
  messages: 'any',
  conversations: 'any',
  text: 'any',
};

/** Where a declared field must render: its `renders_in`, or a default from its name. */
export function expectedPart(name: string, spec: FieldSpec | undefined): RenderPart {
  return spec?.renders_in ?? PART_BY_NAME[name] ?? 'any';
}
