import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { parseAt } from '../common/errors.js';
import { EvaluationError } from './errors.js';
import { importLmEvalTask } from './import-lm-eval-task.js';
import { type TaskSpec, TaskSpecSchema } from './schemas.js';

export interface LoadTaskOptions {
  /** A local dataset file or folder that replaces the task's dataset path. */
  datasetPath?: string;
}

/**
 * Loads a task file in Alignboard's format (`format: alignboard-task/1`) or in
 * lm-evaluation-harness YAML, which it imports. A relative dataset path in our format is
 * resolved against the task file's folder.
 */
export async function loadTask(file: string, opts: LoadTaskOptions = {}): Promise<TaskSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EvaluationError(
      'AB_EVAL_TASK_NOT_FOUND',
      `cannot read task file (${(err as Error).message})`,
      { file },
      { status: 404, cause: err },
    );
  }
  // Our format has no custom tags; lm-eval files may (`!function`), which the importer reports.
  const isOwn = /^format:\s*['"]?alignboard-task\//m.test(text);
  if (!isOwn) return importLmEvalTask(file, opts);
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new EvaluationError(
      'AB_EVAL_TASK_INVALID',
      `not valid YAML (${(err as Error).message.split('\n')[0]})`,
      { file },
      { cause: err },
    );
  }
  const spec = parseAt(TaskSpecSchema, data, { file });
  const dsPath = opts.datasetPath ?? spec.dataset.path;
  const isLocal = dsPath.startsWith('.') || dsPath.startsWith('/');
  return {
    ...spec,
    dataset: { ...spec.dataset, path: isLocal ? path.resolve(path.dirname(file), dsPath) : dsPath },
  };
}
