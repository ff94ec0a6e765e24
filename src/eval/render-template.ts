import { Template } from '@huggingface/jinja';
import { excerpt, type Where } from '../common/errors.js';
import { EvaluationError } from './errors.js';

/** Whether a task field is a Jinja template rather than a field name or a literal. */
export function isJinja(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

/**
 * Shims for Python-only idioms that lm-evaluation-harness templates use and Jinja lacks.
 * `a.b.index(x)` (Python's list.index) becomes `__py_index(a.b, x)`.
 */
function shimPythonIdioms(template: string): string {
  return template.replace(/([A-Za-z_][\w.]*(?:\[[^\]]*\])*)\.index\(/g, '__py_index($1, ');
}

/** Shim functions receive the runtime's wrapped values (`{ type, value }`); unwrap them. */
function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === 'object' && 'type' in v && 'value' in v) return unwrap(v.value);
  return v;
}

const SHIMS = {
  __py_index(wrappedList: unknown, wrappedValue: unknown): number {
    const list = unwrap(wrappedList);
    const value = unwrap(wrappedValue);
    if (!Array.isArray(list)) throw new Error(`.index() on a non-list (${excerpt(list)})`);
    const i = list.indexOf(value);
    if (i < 0) throw new Error(`${excerpt(value)} is not in list ${excerpt(list)}`);
    return i;
  },
};

const compiled = new Map<string, Template>();

function compile(template: string, where: Where): Template {
  let t = compiled.get(template);
  if (!t) {
    try {
      t = new Template(shimPythonIdioms(template));
    } catch (err) {
      throw new EvaluationError(
        'AB_EVAL_TEMPLATE',
        `cannot parse template ${excerpt(template)}: ${(err as Error).message}`,
        where,
        { cause: err },
      );
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(template, t);
  }
  return t;
}

/** Renders a Jinja template over one document (its fields are the template's variables). */
export function renderTemplate(template: string, doc: Record<string, unknown>, where: Where = {}): string {
  const t = compile(template, where);
  try {
    return t.render({ ...doc, ...SHIMS });
  } catch (err) {
    throw new EvaluationError(
      'AB_EVAL_TEMPLATE',
      `cannot render template ${excerpt(template)}: ${(err as Error).message}`,
      where,
      { cause: err },
    );
  }
}

/**
 * Evaluates a template that is a single `{{ expression }}` to a value (a list stays a list, a
 * number a number), the way lm-eval's `ast.literal_eval` of the rendered text does. Other
 * templates render to a string.
 */
export function evaluateTemplate(template: string, doc: Record<string, unknown>, where: Where = {}): unknown {
  const m = /^\s*\{\{(.*)\}\}\s*$/s.exec(template);
  if (!m || (m[1] as string).includes('}}')) return renderTemplate(template, doc, where);
  const json = renderTemplate(`{{ (${m[1]}) | tojson }}`, doc, where);
  try {
    return JSON.parse(json);
  } catch {
    // Not JSON (a value tojson could not express): fall back to the rendered text.
    return renderTemplate(template, doc, where);
  }
}
