import { excerpt } from '../common/errors.js';
import type { Contract, FieldType } from './contract.js';
import type { DataErrorCode } from './errors.js';

/*
 * The per-row checks of a contract, apart from its schema and parser (zod, yaml): inspection
 * workers load this without those libraries, about 0.15 CPU s of module loading each.
 */

/** One violation of a contract by one row. */
export interface ContractViolation {
  code: DataErrorCode;
  field: string;
  message: string;
}

function typeOk(type: FieldType, v: unknown): boolean {
  switch (type) {
    case 'any':
      return true;
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'messages':
      return (
        Array.isArray(v) &&
        v.every(
          (m) =>
            typeof m === 'object' &&
            m !== null &&
            typeof m.role === 'string' &&
            typeof m.content === 'string',
        )
      );
    case 'documents':
      return (
        Array.isArray(v) &&
        v.every(
          (d) => typeof d === 'object' && d !== null && typeof d.text === 'string' && d.id !== undefined,
        )
      );
  }
}

const isEmpty = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Compiles a contract into a per-row checker (fields, types, deprecations, roles and custom
 * checks). Uniqueness, languages and token limits need the whole scan; the inspector does them.
 */
export function compileContract(contract: Contract): (row: Record<string, unknown>) => ContractViolation[] {
  const fields = Object.entries(contract.fields);
  const checks = contract.checks.map((c) => ({
    ...c,
    re: c.pattern !== undefined ? new RegExp(c.pattern, 'u') : undefined,
    notRe: c.not_pattern !== undefined ? new RegExp(c.not_pattern, 'u') : undefined,
  }));
  const roles = contract.roles;
  return function checkRow(row) {
    const out: ContractViolation[] = [];
    for (const [name, spec] of fields) {
      const v = row[name];
      if (isEmpty(v)) {
        if (spec.required) {
          out.push(
            v === undefined || v === null
              ? { code: 'AB_DATA_FIELD_MISSING', field: name, message: 'required field is missing' }
              : { code: 'AB_DATA_FIELD_EMPTY', field: name, message: 'required field is empty' },
          );
        }
        continue;
      }
      if (!typeOk(spec.type, v)) {
        out.push({
          code: 'AB_DATA_FIELD_TYPE',
          field: name,
          message: `expected ${spec.type}, found ${excerpt(v, 60)}`,
        });
        continue;
      }
      if (typeof v === 'string') {
        if (spec.min_chars !== undefined && v.length < spec.min_chars)
          out.push({
            code: 'AB_DATA_CHECK_FAILED',
            field: name,
            message: `shorter than ${spec.min_chars} characters`,
          });
        if (spec.max_chars !== undefined && v.length > spec.max_chars)
          out.push({
            code: 'AB_DATA_CHECK_FAILED',
            field: name,
            message: `longer than ${spec.max_chars} characters`,
          });
      }
      if (roles && spec.type === 'messages' && Array.isArray(v))
        out.push(...checkRoles(v as { role: string; content: string }[], name, roles));
    }
    for (const [name, dep] of Object.entries(contract.deprecated)) {
      if (!isEmpty(row[name])) {
        out.push({
          code: 'AB_DATA_FIELD_DEPRECATED',
          field: name,
          message: `deprecated since contract v${dep.since}${dep.replaced_by ? `; move it to "${dep.replaced_by}"` : ''}${dep.reason ? ` (${dep.reason})` : ''}`,
        });
      }
    }
    if (!contract.allow_unknown_fields) {
      for (const k of Object.keys(row)) {
        if (!(k in contract.fields) && !(k in contract.deprecated))
          out.push({ code: 'AB_DATA_FIELD_UNKNOWN', field: k, message: 'field is not in the contract' });
      }
    }
    for (const c of checks) {
      const v = row[c.field];
      const text = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
      if ((c.re && !c.re.test(text)) || c.notRe?.test(text)) {
        out.push({
          code: 'AB_DATA_CHECK_FAILED',
          field: c.field,
          message: c.message ?? `check "${c.name}" failed`,
        });
      }
    }
    return out;
  };
}

/** Role order of a conversation: allowed roles, system only first, user/assistant alternating, no empty turns. */
export function checkRoles(
  messages: { role: string; content: unknown }[],
  field: string,
  rules: { allowed: string[]; order: 'alternating' | 'any'; final: 'assistant' | 'any' } = {
    allowed: ['system', 'user', 'assistant', 'tool'],
    order: 'alternating',
    final: 'any',
  },
): ContractViolation[] {
  const out: ContractViolation[] = [];
  let prev: string | undefined;
  messages.forEach((m, i) => {
    const f = `${field}.${i}`;
    if (!rules.allowed.includes(m.role))
      out.push({
        code: 'AB_DATA_ROLE_UNKNOWN',
        field: `${f}.role`,
        message: `role "${excerpt(m.role, 30)}" is not one of ${rules.allowed.join(', ')}`,
      });
    if (typeof m.content !== 'string' || m.content.trim() === '')
      out.push({ code: 'AB_DATA_EMPTY_TURN', field: `${f}.content`, message: 'empty turn' });
    if (rules.order === 'alternating') {
      if (m.role === 'system' && i > 0)
        out.push({
          code: 'AB_DATA_ROLE_ORDER',
          field: `${f}.role`,
          message: 'a system message after the first turn',
        });
      if ((m.role === 'user' || m.role === 'assistant') && prev === m.role)
        out.push({
          code: 'AB_DATA_ROLE_ORDER',
          field: `${f}.role`,
          message: `two "${m.role}" turns in a row`,
        });
    }
    if (m.role === 'user' || m.role === 'assistant') prev = m.role;
  });
  if (rules.final === 'assistant' && messages.length && messages[messages.length - 1]?.role !== 'assistant') {
    out.push({
      code: 'AB_DATA_NO_FINAL_ASSISTANT',
      field,
      message: 'the conversation does not end with an assistant turn',
    });
  }
  return out;
}
