import path from 'node:path';
import { loadArenaHard } from './load-arena-hard.js';
import type { Doc } from './load-dataset.js';
import { loadMtBench } from './load-mt-bench.js';
import { loadTask } from './load-task.js';
import { type BuiltinTaskName, BuiltinTaskNameSchema, type TaskSpec } from './schemas.js';

/**
 * The judged benchmarks built in, by the name `--task` takes: the folder under the benchmarks
 * directory that holds their upstream files, and the loader that reads them there.
 */
const BUILTIN_TASKS: Record<
  BuiltinTaskName,
  { folder: string; load: (dir: string) => Promise<{ task: TaskSpec; docs: Doc[] }> }
> = {
  'mt-bench': { folder: 'mt_bench', load: (dir) => loadMtBench({ dir }) },
  'arena-hard': { folder: 'arena_hard_v0.1', load: (dir) => loadArenaHard({ dir }) },
};
const isBuiltin = (name: string): name is BuiltinTaskName => BuiltinTaskNameSchema.safeParse(name).success;

export interface ResolveTaskOptions {
  /** A built-in's data folder, or a task file's local dataset (replacing its dataset path). */
  datasetPath?: string;
  /** Where built-ins look when no `datasetPath` is given: `<benchmarksDir>/<folder>`. */
  benchmarksDir: string;
}

/**
 * A task by what a user types: `mt-bench` or `arena-hard` (their documents come with them, with
 * references and baseline answers joined in), or a task file (Alignboard or lm-eval YAML).
 */
export async function resolveTask(
  nameOrFile: string,
  opts: ResolveTaskOptions,
): Promise<{ task: TaskSpec; docs?: Doc[] }> {
  if (!isBuiltin(nameOrFile))
    return { task: await loadTask(nameOrFile, opts.datasetPath ? { datasetPath: opts.datasetPath } : {}) };
  const b = BUILTIN_TASKS[nameOrFile];
  const loaded = await b.load(path.resolve(opts.datasetPath ?? path.join(opts.benchmarksDir, b.folder)));
  return { task: { ...loaded.task, builtin: nameOrFile }, docs: loaded.docs };
}

/**
 * The documents of a stored built-in task, read again from its dataset folder (a hub job holds the
 * task, not its documents); undefined for any other task, whose runner reads its dataset split.
 */
export async function loadBuiltinDocs(task: TaskSpec): Promise<Doc[] | undefined> {
  if (!task.builtin) return undefined;
  return (await BUILTIN_TASKS[task.builtin].load(task.dataset.path)).docs;
}
