// The `command` engine: an in-house trainer started from a templated command line. The contract
// it must keep (metrics JSONL, Hugging Face checkpoint folders) is in docs/command-engine.md.
import path from 'node:path';
import { z } from 'zod';
import type { Recipe } from '../recipe.js';
import { filesFormat } from './adapter-kit.js';
import type { EngineAdapter, EngineLaunch, EngineOptions, EnginePaths } from './engine-launch.js';
import { EngineAdapterError } from './errors.js';

const ENGINE = 'command';

/** One line of the trainer's metrics file: a step and any numbers (loss, reward, kl, learning_rate…). */
export const CommandMetricRowSchema = z
  .object({ step: z.number().int().nonnegative() })
  .catchall(z.union([z.number(), z.string(), z.boolean(), z.null()]));
export type CommandMetricRow = z.infer<typeof CommandMetricRowSchema>;

/** Where the trainer must write, per the contract. */
export function commandOutputs(paths: EnginePaths): { metricsFile: string; recipeFile: string } {
  return {
    metricsFile: path.join(paths.outputDir, 'metrics.jsonl'),
    recipeFile: path.join(paths.workDir, 'recipe.json'),
  };
}

type Value = string | number | boolean | null | undefined;

/** Every placeholder a template may use, with its value for this recipe (undefined: none here). */
export function commandPlaceholders(
  recipe: Recipe,
  paths: EnginePaths,
  options: EngineOptions,
): Record<string, Value> {
  const h = recipe.hyperparameters;
  const { metricsFile, recipeFile } = commandOutputs(paths);
  const values: Record<string, Value> = {
    name: recipe.name,
    algorithm: recipe.algorithm,
    base_model: paths.baseModel,
    reference_model: paths.referenceModel ?? paths.baseModel,
    reward_model: paths.rewardModel,
    train_file: paths.trainFiles.length === 1 ? paths.trainFiles[0] : undefined,
    train_files: paths.trainFiles.join(','),
    eval_file: paths.evalFile,
    output_dir: paths.outputDir,
    work_dir: paths.workDir,
    metrics_file: metricsFile,
    recipe_file: recipeFile,
    learning_rate: h.learning_rate,
    schedule: h.schedule,
    warmup_steps: h.warmup_steps,
    epochs: h.epochs,
    max_steps: h.max_steps,
    batch_size: h.batch_size,
    grad_accum: h.grad_accum,
    max_length: h.max_length,
    weight_decay: h.weight_decay,
    max_grad_norm: h.max_grad_norm,
    seed: h.seed,
    checkpoint_every: recipe.checkpoint_every,
    packing: recipe.packing.strategy,
    packing_capacity: recipe.packing.capacity ?? h.max_length,
    template_kind: recipe.template.kind,
    nodes: options.nodes,
    gpus_per_node: options.gpus_per_node,
    lora_r: options.lora?.r,
    lora_alpha: options.lora?.alpha,
  };
  // Algorithm sections by dotted name: {dpo.beta}, {ppo.clip_range}, {online_dpo.k}, {rm.use_margin}…
  for (const section of ['rm', 'dpo', 'online_dpo', 'ppo'] as const)
    for (const [key, value] of Object.entries(recipe[section])) values[`${section}.${key}`] = value as Value;
  return values;
}

/** Splits a command line into words: whitespace separates, '…' is literal, "…" allows \" and \\. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'" || c === '"') {
      const end = findClosingQuote(line, i, c);
      const body = line.slice(i + 1, end);
      word += c === '"' ? body.replace(/\\(["\\])/g, '$1') : body;
      inWord = true;
      i = end;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function findClosingQuote(line: string, open: number, quote: string): number {
  for (let j = open + 1; j < line.length; j++) {
    if (quote === '"' && line[j] === '\\') {
      j++;
      continue;
    }
    if (line[j] === quote) return j;
  }
  throw new EngineAdapterError(
    'AB_TRAIN_ENGINE_TEMPLATE',
    ENGINE,
    `unclosed ${quote} quote at column ${open + 1}`,
    {
      field: 'command.template',
    },
  );
}

const render = (value: Exclude<Value, undefined | null>): string => String(value);

/**
 * Fills `{placeholder}`s word by word, so a value never splits into two arguments or reaches a
 * shell. `{{` and `}}` are literal braces. An unknown placeholder, or one with no value for this
 * recipe (no eval file, no max_steps), is AB_TRAIN_ENGINE_TEMPLATE naming it and the word.
 */
export function renderCommandTemplate(words: readonly string[], values: Record<string, Value>): string[] {
  return words.map((word, index) =>
    word.replace(/\{\{|\}\}|\{([^{}]*)\}|[{}]/g, (match, name: string | undefined) => {
      if (match === '{{') return '{';
      if (match === '}}') return '}';
      const where = { field: `command.template[${index}]` };
      if (name === undefined)
        throw new EngineAdapterError(
          'AB_TRAIN_ENGINE_TEMPLATE',
          ENGINE,
          `stray "${match}" in "${word}"; write {{ or }} for a literal brace`,
          where,
        );
      if (!Object.hasOwn(values, name))
        throw new EngineAdapterError(
          'AB_TRAIN_ENGINE_TEMPLATE',
          ENGINE,
          `unknown placeholder {${name}} in "${word}"; known: ${Object.keys(values).join(', ')}`,
          where,
        );
      const value = values[name];
      if (value === undefined || value === null)
        throw new EngineAdapterError(
          'AB_TRAIN_ENGINE_TEMPLATE',
          ENGINE,
          `placeholder {${name}} has no value for this recipe (${noValueReason(name)})`,
          where,
        );
      return render(value);
    }),
  );
}

function noValueReason(name: string): string {
  if (name === 'train_file') return 'several training files: use {train_files}';
  if (name === 'max_steps') return 'the recipe sets no max_steps';
  if (name === 'eval_file') return 'no held-out file';
  if (name === 'reward_model') return 'the recipe names no reward model';
  if (name.startsWith('lora_')) return 'no lora engine option';
  return 'not set';
}

function translateCommand(recipe: Recipe, paths: EnginePaths, options: EngineOptions): EngineLaunch {
  const spec = options.command;
  if (!spec)
    throw new EngineAdapterError(
      'AB_TRAIN_ENGINE_INPUT',
      ENGINE,
      'the command engine needs a command template (engine option command.template)',
      { field: 'command.template' },
    );
  const words = typeof spec.template === 'string' ? splitCommandLine(spec.template) : spec.template;
  if (words.length === 0)
    throw new EngineAdapterError('AB_TRAIN_ENGINE_TEMPLATE', ENGINE, 'the command template is empty', {
      field: 'command.template',
    });
  const argv = renderCommandTemplate(words, commandPlaceholders(recipe, paths, options));
  const { metricsFile, recipeFile } = commandOutputs(paths);
  return {
    engine: ENGINE,
    version: 'contract-1',
    entryPoint: 'command',
    argv,
    env: {
      ...spec.env,
      ALIGNBOARD_RECIPE_FILE: recipeFile,
      ALIGNBOARD_OUTPUT_DIR: paths.outputDir,
      ALIGNBOARD_METRICS_FILE: metricsFile,
    },
    files: [{ path: recipeFile, content: `${JSON.stringify({ recipe, paths }, null, 2)}\n` }],
    dataset: { format: filesFormat(ENGINE, paths, ['jsonl', 'parquet']), keys: [] },
    metrics: { format: 'jsonl', path: metricsFile },
    notes: [],
  };
}

export const commandAdapter: EngineAdapter = {
  name: ENGINE,
  version: 'contract-1',
  algorithms: ['sft', 'rm', 'dpo', 'online_dpo', 'ppo'],
  translate: translateCommand,
};
