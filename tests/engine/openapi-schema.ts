// A small validator for the JSON Schema subset OpenAI's OpenAPI 3.1 document uses
// ($ref, type incl. "null", properties, required, items, enum, anyOf/oneOf/allOf,
// additionalProperties, nullable). It returns every mismatch with its path.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

export function loadOpenApi(file: string): Schema {
  return parse(readFileSync(file, 'utf8')) as Schema;
}

export function validateAgainst(doc: Schema, name: string, value: unknown): string[] {
  const schemas = (doc.components as { schemas: Record<string, Schema> }).schemas;
  const root = schemas[name];
  if (!root) throw new Error(`no schema ${name}`);
  const errors: string[] = [];
  check(root, value, name);
  return errors;

  function resolveRef(s: Schema): Schema {
    let cur = s;
    while (typeof cur.$ref === 'string') {
      const key = cur.$ref.replace('#/components/schemas/', '');
      const next = schemas[key];
      if (!next) throw new Error(`unresolved ${cur.$ref}`);
      cur = next;
    }
    return cur;
  }

  function typeOk(t: string, v: unknown): boolean {
    switch (t) {
      case 'null':
        return v === null;
      case 'string':
        return typeof v === 'string';
      case 'integer':
        return Number.isInteger(v);
      case 'number':
        return typeof v === 'number';
      case 'boolean':
        return typeof v === 'boolean';
      case 'array':
        return Array.isArray(v);
      case 'object':
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      default:
        return true;
    }
  }

  function check(s0: Schema, v: unknown, path: string): void {
    const s = resolveRef(s0);
    if (v === null && s.nullable === true) return;
    if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) check(sub, v, path);
    for (const key of ['anyOf', 'oneOf'] as const) {
      const alts = s[key];
      if (Array.isArray(alts)) {
        const ok = (alts as Schema[]).some((sub) => {
          const before = errors.length;
          check(sub, v, path);
          const passed = errors.length === before;
          errors.length = before;
          return passed;
        });
        if (!ok) errors.push(`${path}: matches none of ${key}`);
      }
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => typeOk(t, v))) {
        errors.push(`${path}: expected ${types.join('|')}, got ${JSON.stringify(v)?.slice(0, 60)}`);
        return;
      }
    }
    if (Array.isArray(s.enum) && !(s.enum as unknown[]).includes(v))
      errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if (Array.isArray(v) && s.items)
      for (const [i, item] of v.entries()) check(s.items as Schema, item, `${path}[${i}]`);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      for (const r of (s.required as string[] | undefined) ?? [])
        if (!(r in obj)) errors.push(`${path}.${r}: required`);
      const props = (s.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, val] of Object.entries(obj)) {
        if (props[k]) check(props[k], val, `${path}.${k}`);
        else if (typeof s.additionalProperties === 'object')
          check(s.additionalProperties as Schema, val, `${path}.${k}`);
      }
    }
  }
}
