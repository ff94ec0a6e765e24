import { EvaluationError } from './errors.js';

/**
 * Compiles a Python `re` pattern as a JS RegExp. Leading inline flags (`(?s)`, `(?i)`, `(?m)`)
 * become RegExp flags, since Node 20 has no inline modifiers; `(?P<name>` becomes `(?<name>`.
 */
export function compilePythonRegex(pattern: string, extraFlags = '', field = 'regex_pattern'): RegExp {
  let flags = `${extraFlags}`;
  let body = pattern;
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(body); m; m = /^\(\?([aiLmsux]+)\)/.exec(body)) {
    for (const f of m[1] as string) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    body = body.slice(m[0].length);
  }
  body = body.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(body, flags);
  } catch (err) {
    throw new EvaluationError(
      'AB_EVAL_TASK_INVALID',
      `regex "${pattern}" does not compile (${(err as Error).message})`,
      { field },
      { cause: err },
    );
  }
}

/** Python's `re.findall`: whole matches with no groups, the group with one, tuples with several. */
export function findAll(re: RegExp, text: string): (string | string[])[] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  const out: (string | string[])[] = [];
  for (const m of text.matchAll(g)) {
    const groups = m.slice(1).map((x) => x ?? '');
    out.push(groups.length === 0 ? m[0] : groups.length === 1 ? (groups[0] as string) : groups);
  }
  return out;
}

/** Python's `re.sub(pattern, '', text)`. */
export function removeAll(re: RegExp, text: string): string {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  return text.replace(g, '');
}
