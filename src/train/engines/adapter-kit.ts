// Small pieces every engine adapter uses: located refusals, number rendering, warmup as a ratio,
// and the self-check of a generated command against the engine version's argument list.
import type { Recipe } from '../recipe.js';
import {
  checkArgsAgainstFixture,
  type EngineFixture,
  type OptionSyntax,
  splitLaunch,
} from './engine-fixture.js';
import type { EngineName, EngineOptions, EnginePaths } from './engine-launch.js';
import { EngineAdapterError } from './errors.js';

/** A refusal naming the engine, the recipe field and why, located at the recipe file. */
export function refuse(engine: string, paths: EnginePaths, field: string, why: string): EngineAdapterError {
  return new EngineAdapterError('AB_TRAIN_ENGINE_UNSUPPORTED', engine, why, {
    ...(paths.recipeFile ? { file: paths.recipeFile } : {}),
    field,
  });
}

/** Options or paths that cannot be used as given. */
export function badInput(engine: string, field: string, why: string): EngineAdapterError {
  return new EngineAdapterError('AB_TRAIN_ENGINE_INPUT', engine, why, { field });
}

/** A number as Python's argparse, YAML and Hydra all read it back exactly (`2e-05` style is fine too). */
export const num = (n: number): string => String(n);

/** Refuses an algorithm the engine has no entry point for. */
export function refuseAlgorithm(
  engine: string,
  version: string,
  recipe: Recipe,
  paths: EnginePaths,
  why: string,
) {
  return refuse(
    engine,
    paths,
    'algorithm',
    `${engine} ${version} cannot run algorithm "${recipe.algorithm}": ${why}`,
  );
}

/** Samples per optimizer step across all GPUs: per-device batch × accumulation × devices. */
export function globalBatch(recipe: Recipe, options: EngineOptions): number {
  const h = recipe.hyperparameters;
  return h.batch_size * h.grad_accum * options.nodes * options.gpus_per_node;
}

/**
 * `warmup_steps` as a fraction of all optimizer steps, for engines that only take a ratio. The
 * total comes from `max_steps`, or from `train_rows` and the epochs; without either it is refused.
 */
export function warmupRatio(
  engine: string,
  recipe: Recipe,
  paths: EnginePaths,
  options: EngineOptions,
  totalStepsOverride?: number,
): number {
  const h = recipe.hyperparameters;
  if (h.warmup_steps === 0) return 0;
  const total =
    totalStepsOverride ??
    h.max_steps ??
    (options.train_rows !== undefined
      ? h.epochs * Math.max(1, Math.floor(options.train_rows / globalBatch(recipe, options)))
      : undefined);
  if (total === undefined)
    throw refuse(
      engine,
      paths,
      'hyperparameters.warmup_steps',
      `${engine} takes warmup as a ratio of total steps, which is unknown here; set hyperparameters.max_steps, ` +
        'pass the engine option train_rows, or set warmup_steps: 0',
    );
  return Math.min(1, h.warmup_steps / total);
}

/** Torch-distributed launchers here start one machine; several need per-node ranks from the executor. */
export function requireOneNode(engine: string, entryPoint: string, options: EngineOptions): void {
  if (options.nodes > 1)
    throw badInput(
      engine,
      'nodes',
      `${entryPoint} is launched on one machine (${options.nodes} nodes asked); use nodes: 1 with more gpus_per_node`,
    );
}

export function requirePath(
  engine: string,
  paths: EnginePaths,
  key: 'rewardModel' | 'evalFile',
  field: string,
  why: string,
): string {
  const value = paths[key];
  if (!value) throw refuse(engine, paths, field, why);
  return value;
}

/** The dataset file format from its extension; `allowed` lists what the engine reads. */
export function fileFormat(
  engine: string,
  file: string,
  allowed: readonly ('jsonl' | 'parquet')[],
): 'jsonl' | 'parquet' {
  const format = /\.parquet$/i.test(file) ? 'parquet' : /\.jsonl?$/i.test(file) ? 'jsonl' : undefined;
  if (!format || !allowed.includes(format))
    throw badInput(
      engine,
      'trainFiles',
      `dataset file "${file}" is not ${allowed.map((f) => (f === 'jsonl' ? '.jsonl/.json' : '.parquet')).join(' or ')}; convert it first`,
    );
  return format;
}

/** One format for all training files (engines load them with one builder). */
export function filesFormat(
  engine: string,
  paths: EnginePaths,
  allowed: readonly ('jsonl' | 'parquet')[],
): 'jsonl' | 'parquet' {
  if (paths.trainFiles.length === 0) throw badInput(engine, 'trainFiles', 'no training files given');
  const formats = new Set(paths.trainFiles.map((f) => fileFormat(engine, f, allowed)));
  const [first] = formats;
  if (formats.size > 1 || !first)
    throw badInput(engine, 'trainFiles', 'training files mix .jsonl and .parquet');
  return first;
}

/** A reference model other than the base model, which some entry points cannot take. */
export function hasSeparateReference(paths: EnginePaths): boolean {
  return paths.referenceModel !== undefined && paths.referenceModel !== paths.baseModel;
}

/**
 * Checks the generated command against the fixture of the engine version and appends the user's
 * `extra_args`. A generated command that does not fit is a bug in the adapter and fails loudly as
 * a plain Error; extra args that do not fit (unknown, or repeating a generated option) are the
 * caller's mistake, AB_TRAIN_ENGINE_INPUT.
 */
export function checkedArgv(
  engine: EngineName,
  fixture: EngineFixture,
  entryPoint: string,
  argv: readonly string[],
  syntax: OptionSyntax,
  extraArgs: readonly string[],
): string[] {
  const entry = fixture.entryPoints[entryPoint];
  if (!entry) throw new Error(`fixture ${engine}-${fixture.version} has no entry point "${entryPoint}"`);
  const split = splitLaunch(argv, entry);
  if (!split) throw new Error(`${engine} ${entryPoint}: argv does not start with ${entry.launch.join(' ')}`);
  const problems = checkArgsAgainstFixture(split.args, entry, syntax);
  if (problems.length > 0)
    throw new Error(`${engine} ${entryPoint}: generated command ${problems.join('; ')}`);
  if (extraArgs.length === 0) return [...argv];
  const extraProblems = checkArgsAgainstFixture([...split.args, ...extraArgs], entry, syntax);
  if (extraProblems.length > 0)
    throw badInput(
      engine,
      'extra_args',
      `${extraProblems.join('; ')} (${engine} ${fixture.version} ${entryPoint}, per ${fixture.source.repository} ${fixture.source.ref})`,
    );
  return [...argv, ...extraArgs];
}
