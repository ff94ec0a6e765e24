import path from 'node:path';
import { ROOT } from '../helpers/cli.js';

/** The shared benchmark data and lm-eval task YAMLs, read in place (never copied into the repo). */
export const SHARED = path.resolve(ROOT, '../shared');
export const LM_EVAL_TASKS = path.join(SHARED, 'compat/lm-eval-tasks');
export const BENCHMARKS = path.join(SHARED, 'benchmarks');
