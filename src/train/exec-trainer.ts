// The embedded trainer behind the `command` engine's contract (docs/command-engine.md): reads
// `recipe.json` ({recipe, paths}), appends one metrics line per step to
// `<output_dir>/metrics.jsonl`, writes `checkpoint-<step>` folders and the final model as a
// Hugging Face folder directly in `<output_dir>`. Run as `alignboard train exec` by every
// executor, so a local child process, a Slurm job and a Ray job all run the same code.
import { appendFile, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseAt } from '../common/errors.js';
import type { ServePolicy } from './embedded/served-sampler.js';
import { commandOutputs } from './engines/index.js';
import { TrainError } from './errors.js';
import { canonicalJson, hashRecipe, type LoadedRecipe, RecipeSchema } from './recipe.js';
import { type TrainEvent, trainIter } from './train-embedded.js';
import { readTrainingExamples } from './training-examples.js';

const EnginePathsSchema = z.object({
  baseModel: z.string().min(1),
  referenceModel: z.string().min(1).optional(),
  rewardModel: z.string().min(1).optional(),
  trainFiles: z.array(z.string().min(1)).min(1),
  evalFile: z.string().min(1).optional(),
  outputDir: z.string().min(1),
  workDir: z.string().min(1),
  recipeFile: z.string().min(1).optional(),
});

const RecipeFileSchema = z.object({ recipe: RecipeSchema, paths: EnginePathsSchema });

/** Final metrics (held-out accuracy, win rate…) beside the metrics file, read when registering. */
export const FINAL_METRICS_FILE = 'final_metrics.json';

/**
 * A trainer killed mid-append leaves a line without its newline; the next line must not be
 * glued to it (the reader would drop both), so the torn line is ended on its own.
 */
async function endTornLine(file: string): Promise<void> {
  const handle = await open(file, 'r').catch(() => undefined); // no metrics yet
  if (!handle) return;
  try {
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    if (size > 0 && last[0] !== 0x0a) await appendFile(file, '\n');
  } finally {
    await handle.close();
  }
}

/** Trains the recipe of `recipeFile`; resumes from the newest checkpoint in the output folder. */
export async function* execTrainerIter(
  recipeFile: string,
  opts: { signal?: AbortSignal; servePolicy?: ServePolicy } = {},
): AsyncGenerator<TrainEvent> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(recipeFile, 'utf8'));
  } catch (err) {
    throw new TrainError(
      'AB_TRAIN_RECIPE_INVALID',
      'cannot read the recipe file as JSON',
      { file: recipeFile },
      { cause: err },
    );
  }
  const { recipe, paths } = parseAt(RecipeFileSchema, raw, { file: recipeFile });
  const loaded: LoadedRecipe = {
    recipe,
    hash: hashRecipe(recipe),
    text: canonicalJson(recipe),
    file: recipeFile,
  };
  const { metricsFile } = commandOutputs(paths);
  await endTornLine(metricsFile);
  const examples = await readTrainingExamples(paths.trainFiles);
  for await (const ev of trainIter({
    recipe: loaded,
    runDir: paths.outputDir,
    baseModelDir: paths.baseModel,
    ...(paths.referenceModel ? { referenceModelDir: paths.referenceModel } : {}),
    ...(paths.rewardModel ? { rewardModelDir: paths.rewardModel } : {}),
    examples,
    ...(opts.servePolicy ? { servePolicy: opts.servePolicy } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  })) {
    if (ev.type === 'step')
      await appendFile(
        metricsFile,
        `${JSON.stringify({ step: ev.step, total_steps: ev.totalSteps, ...ev.metrics })}\n`,
      );
    if (ev.type === 'done') {
      // The contract puts the final model directly in the output folder.
      for (const f of await readdir(ev.modelDir))
        await rename(path.join(ev.modelDir, f), path.join(paths.outputDir, f));
      await rm(ev.modelDir, { recursive: true, force: true });
      await writeFile(path.join(paths.outputDir, FINAL_METRICS_FILE), `${JSON.stringify(ev.finalMetrics)}\n`);
      yield { ...ev, modelDir: paths.outputDir };
      continue;
    }
    yield ev;
  }
}
