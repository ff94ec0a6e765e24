// Starting a run: parse the recipe, resolve its models in the registry, run preflight (refuse
// unless it passes or is overridden), write the training examples and the exact launch into
// the run folder, persist the run, and queue it for a worker. Nothing is computed before
// preflight has passed.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../common/logger.js';
import { silentLogger } from '../common/logger.js';
import { getModel } from '../registry/index.js';
import { enqueueJob, type Store } from '../store/index.js';
import type { ServePolicy } from './embedded/served-sampler.js';
import { type EngineLaunch, type EnginePaths, translateRecipe } from './engines/index.js';
import { assertPreflight, type PreflightReport, preflight } from './preflight.js';
import { type LoadedRecipe, parseRecipe, type Recipe } from './recipe.js';
import type { TrainRun } from './run-schemas.js';
import { getRun } from './train-runs.js';
import { writeTrainingExamples } from './training-examples.js';

/** The queue's job kind for driving a run (submit or re-attach, track, register). */
export const TRAIN_JOB_KIND = 'train-run';

export interface TrainDeps {
  store: Store;
  /** Run folders go under `<dataDir>/train-runs/<id>`; a cluster must see this path. */
  dataDir: string;
  log?: Logger;
  /**
   * argv that runs `alignboard` (the embedded trainer is `… train exec`); defaults to this
   * Node and the package's bin/alignboard.js.
   */
  cliCommand?: string[];
  /**
   * Base URL of an OpenAI-compatible API that serves registry models under `name@version` (the
   * server's `/engine/v1`), read when a run succeeds: its model is bound to an endpoint there and
   * the recipe's evaluation suites are queued. Absent or undefined (the CLI, a server not yet
   * listening), the suites are recorded on the run instead.
   */
  engineBaseUrl?: () => string | undefined;
  /** Serves the live policy of an inline online DPO or PPO run (see `TrainEmbeddedOptions`). */
  servePolicy?: ServePolicy;
}

export function defaultCliCommand(): string[] {
  // bin/ sits two levels above this file in src/train and in dist/train alike.
  return [process.execPath, fileURLToPath(new URL('../../bin/alignboard.js', import.meta.url))];
}

/** Where a run keeps its files; the executor job runs with `workDir` as its working directory. */
export function runLayout(runDir: string) {
  return {
    workDir: runDir,
    outputDir: path.join(runDir, 'output'),
    examplesFile: path.join(runDir, 'data', 'train.jsonl'),
    launchFile: path.join(runDir, 'launch.json'),
    jobLog: path.join(runDir, 'job.log'),
    runLog: path.join(runDir, 'run.log'),
  };
}

async function modelLocation(store: Store, ref: string): Promise<string> {
  return (await getModel(store, ref)).location;
}

/** The exact launch of a recipe: the embedded trainer through the command contract, or an engine's CLI. */
export function launchFor(recipe: Recipe, paths: EnginePaths, cliCommand: string[]): EngineLaunch {
  if (recipe.engine === 'embedded')
    return translateRecipe('command', recipe, paths, {
      command: { template: [...cliCommand, 'train', 'exec', '--recipe-file', '{recipe_file}'] },
    });
  return translateRecipe(recipe.engine, recipe, paths, recipe.engine_options ?? {});
}

export interface StartRunOptions {
  /** Run despite a failed preflight; recorded in the run and the lineage. */
  override?: boolean;
  /** False when the caller drives the run itself (the CLI's `train run`). */
  enqueue?: boolean;
  signal?: AbortSignal;
}

/** Preflight only: the report for a recipe, without starting anything. */
export async function preflightRecipe(
  store: Store,
  loaded: LoadedRecipe,
  opts: { override?: boolean } = {},
): Promise<PreflightReport> {
  return preflight(loaded, {
    store,
    modelDir: await modelLocation(store, loaded.recipe.base_model),
    ...(opts.override ? { override: true } : {}),
  });
}

/**
 * Starts a run from recipe YAML. Throws AB_TRAIN_RECIPE_INVALID for a bad recipe and
 * AB_TRAIN_PREFLIGHT_FAILED (409, with every failed check) when preflight refuses it.
 */
export async function startRun(
  deps: TrainDeps,
  input: { recipeText: string; recipeFile?: string },
  opts: StartRunOptions = {},
): Promise<{ run: TrainRun; preflight: PreflightReport }> {
  const { store } = deps;
  const log = (deps.log ?? silentLogger).child({ domain: 'train' });
  const loaded = parseRecipe(input.recipeText, input.recipeFile ?? '<recipe>');
  const { recipe } = loaded;
  const report = await preflightRecipe(store, loaded, { override: opts.override === true });
  assertPreflight(report, input.recipeFile);

  const id = randomUUID();
  const runDir = path.resolve(deps.dataDir, 'train-runs', id);
  const layout = runLayout(runDir);
  await mkdir(path.dirname(layout.examplesFile), { recursive: true });
  await mkdir(layout.outputDir, { recursive: true });
  const examples = await writeTrainingExamples(store, recipe, layout.examplesFile, {
    isOverride: report.overridden,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const paths: EnginePaths = {
    baseModel: await modelLocation(store, recipe.base_model),
    ...(recipe.reference_model ? { referenceModel: await modelLocation(store, recipe.reference_model) } : {}),
    ...(recipe.reward_model ? { rewardModel: await modelLocation(store, recipe.reward_model) } : {}),
    trainFiles: [layout.examplesFile],
    outputDir: layout.outputDir,
    workDir: layout.workDir,
    ...(input.recipeFile ? { recipeFile: input.recipeFile } : {}),
  };
  const launch = launchFor(recipe, paths, deps.cliCommand ?? defaultCliCommand());
  for (const f of launch.files) {
    await mkdir(path.dirname(f.path), { recursive: true });
    await writeFile(f.path, f.content);
  }
  await writeFile(layout.launchFile, `${JSON.stringify(launch, null, 2)}\n`);

  const now = new Date().toISOString();
  const { consumption: _c, ...kept } = report; // per-field consumption stays in the data domain
  await store.db
    .insertInto('train_runs')
    .values({
      id,
      name: recipe.name,
      algorithm: recipe.algorithm,
      recipe: input.recipeText,
      recipe_file: input.recipeFile ?? null,
      recipe_hash: loaded.hash,
      engine: recipe.engine,
      executor: recipe.executor,
      status: 'queued',
      preflight: JSON.stringify(kept),
      is_override: report.overridden ? 1 : 0,
      run_dir: runDir,
      queue_job_id: null,
      executor_job_id: null,
      log_offset: 0,
      metrics_offset: 0,
      total_steps: null,
      last_step: null,
      metrics_summary: null,
      registered_model_id: null,
      evaluations: null,
      error: null,
      created_at: now,
      started_at: null,
      finished_at: null,
      updated_at: now,
    })
    .execute();
  if (opts.enqueue !== false) await queueRun(store, id);
  log.info(
    { runId: id, recipeHash: loaded.hash, examples: examples.rows, executor: recipe.executor },
    'run created',
  );
  return { run: await getRun(store, id), preflight: report };
}

/** Queues the job that drives a run; a worker of any Alignboard process takes it. */
export async function queueRun(store: Store, runId: string): Promise<void> {
  const job = await enqueueJob(store, { kind: TRAIN_JOB_KIND, payload: { runId }, maxAttempts: 5 });
  await store.db.updateTable('train_runs').set({ queue_job_id: job.id }).where('id', '=', runId).execute();
}
