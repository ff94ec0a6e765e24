import { compilePythonRegex, findAll } from './python-regex.js';
import type { Filter, FilterStep } from './schemas.js';

/**
 * Runs one filter pipeline (lm-eval `filter_list` entry) over the responses of one sample (one
 * per repeat) and returns the extracted answer. Steps work on the list of responses, as in lm-eval:
 * `regex` maps each response, `take_first` keeps the first, `majority_vote` the most common.
 */
export function applyFilter(filter: Filter, responses: readonly string[]): string {
  let values = [...responses];
  for (const step of filter.steps) values = applyStep(step, values);
  return values[0] ?? '';
}

function applyStep(step: FilterStep, values: string[]): string[] {
  switch (step.function) {
    case 'regex': {
      const re = compilePythonRegex(step.pattern);
      return values.map((resp) => {
        const matches = findAll(re, resp);
        if (matches.length === 0) return step.fallback;
        const i = step.groupSelect < 0 ? matches.length + step.groupSelect : step.groupSelect;
        let m = matches[i];
        if (m === undefined) return step.fallback;
        if (Array.isArray(m)) {
          const nonEmpty = m.filter((x) => x);
          m = nonEmpty[0] ?? step.fallback;
        }
        return m.trim();
      });
    }
    case 'take_first':
      return values.slice(0, 1);
    case 'majority_vote': {
      // Ties go to the value seen first, as Python's Counter.most_common does.
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      let best = values[0] ?? '';
      for (const [v, c] of counts) if (c > (counts.get(best) ?? 0)) best = v;
      return [best];
    }
    case 'lowercase':
      return values.map((v) => v.toLowerCase());
    case 'strip':
      return values.map((v) => v.trim());
  }
}
