import { compilePythonRegex, removeAll } from './python-regex.js';
import type { Metric } from './schemas.js';

const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g; // Python's string.punctuation

/**
 * Hugging Face `evaluate`'s exact_match as lm-eval calls it: each regex in `regexesToIgnore` is
 * removed from both sides, then case and punctuation are dropped when asked.
 */
export function exactMatch(
  prediction: string,
  reference: string,
  m: Extract<Metric, { metric: 'exact_match' }>,
): number {
  let p = prediction;
  let r = reference;
  for (const pattern of m.regexesToIgnore) {
    const re = compilePythonRegex(pattern, '', 'regexes_to_ignore');
    p = removeAll(re, p);
    r = removeAll(re, r);
  }
  if (m.ignoreCase) {
    p = p.toLowerCase();
    r = r.toLowerCase();
  }
  if (m.ignorePunctuation) {
    p = p.replace(PUNCTUATION, '');
    r = r.replace(PUNCTUATION, '');
  }
  return p === r ? 1 : 0;
}

/** acc and acc_norm from per-choice log-likelihoods (acc_norm divides by the choice's length in characters). */
export function choiceScores(
  loglikelihoods: readonly number[],
  choices: readonly string[],
  gold: number | readonly number[],
): { acc: number; acc_norm: number; pred: number; predNorm: number } {
  const argmax = (xs: readonly number[]) =>
    xs.reduce((best, x, i) => (x > (xs[best] ?? -Infinity) ? i : best), 0);
  const pred = argmax(loglikelihoods);
  const predNorm = argmax(loglikelihoods.map((ll, i) => ll / Math.max(1, (choices[i] ?? '').length)));
  const golds = typeof gold === 'number' ? [gold] : gold;
  return { acc: golds.includes(pred) ? 1 : 0, acc_norm: golds.includes(predNorm) ? 1 : 0, pred, predNorm };
}
