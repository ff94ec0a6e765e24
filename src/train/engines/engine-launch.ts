// What an engine adapter takes (a validated recipe, resolved paths, engine options) and what it gives
// back (the exact launch command, its environment and the config files it reads).
import { z } from 'zod';
import type { Algorithm, Recipe } from '../recipe.js';

export const ENGINES = ['trl', 'openrlhf', 'verl', 'command'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Paths resolved before translation: model folders, converted dataset files, where outputs go. */
export interface EnginePaths {
  /** Hugging Face folder of the base model (the policy's starting point). */
  baseModel: string;
  /** Folder of the frozen reference (DPO, PPO) when it is not the base model. */
  referenceModel?: string;
  /** Folder of the reward model (online DPO, PPO). */
  rewardModel?: string;
  /** Dataset files already converted to the engine's format and keys (see `EngineLaunch.dataset`). */
  trainFiles: string[];
  /** Held-out file, where the recipe evaluates during training (reward model accuracy). */
  evalFile?: string;
  /** The final model (a Hugging Face folder) and its checkpoints go here. */
  outputDir: string;
  /** Config files of `EngineLaunch.files` are written here; the command runs with it as cwd. */
  workDir: string;
  /** The recipe's file, so refusals point at it. */
  recipeFile?: string;
}

const LoraSchema = z.strictObject({
  r: z.number().int().positive(),
  alpha: z.number().int().positive(),
  dropout: z.number().min(0).max(1).default(0),
  /** Module names, or omit for the engine's default (all linear layers where it has that notion). */
  target_modules: z.array(z.string().min(1)).min(1).optional(),
});

/**
 * What the recipe does not say but a cluster launch needs. Parsed with zod where it enters
 * (a config file, an API body): `EngineOptionsSchema.parse(raw)`.
 */
export const EngineOptionsSchema = z.strictObject({
  /** Machines; only Ray-based entry points (OpenRLHF PPO, verl) span several. */
  nodes: z.number().int().positive().default(1),
  gpus_per_node: z.number().int().positive().default(1),
  /** Train with a LoRA adapter (PEFT) instead of all weights. */
  lora: LoraSchema.optional(),
  /**
   * Rows in the training set. Engines that take warmup as a ratio of total steps (OpenRLHF, verl
   * SFT) need it to turn `warmup_steps` into a ratio when the recipe has no `max_steps`.
   */
  train_rows: z.number().int().positive().optional(),
  /** Extra options appended verbatim; each is checked against the engine version's argument list. */
  extra_args: z.array(z.string()).default([]),
  /** TRL: an accelerate config shipped with TRL (`multi_gpu`, `zero2`, …) or a file path. */
  accelerate_config: z.string().min(1).optional(),
  /** The `command` engine: the in-house trainer's command line with `{placeholders}`. */
  command: z
    .strictObject({
      template: z.union([z.string().min(1), z.array(z.string()).min(1)]),
      env: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
});

export type EngineOptions = z.infer<typeof EngineOptionsSchema>;
export type EngineOptionsInput = z.input<typeof EngineOptionsSchema>;

export interface EngineFile {
  /** Absolute path, inside `EnginePaths.workDir`. */
  path: string;
  content: string;
}

/** The exact launch: run `argv` in `workDir` with `env` added, after writing `files`. */
export interface EngineLaunch {
  engine: EngineName;
  /** Engine version the command was generated for (the fixture it was checked against). */
  version: string;
  /** Fixture entry point, e.g. `sft`, `train_dpo`, `main_ppo`; `command` for the in-house trainer. */
  entryPoint: string;
  argv: string[];
  env: Record<string, string>;
  files: EngineFile[];
  /** What the dataset files must be: their format and the keys each row carries. */
  dataset: { format: 'jsonl' | 'parquet'; keys: string[] };
  /** Where the engine reports metrics, for tracking. */
  metrics: { format: 'trainer_state' | 'jsonl' | 'tensorboard'; path: string };
  /** Recipe settings the engine has no use for, said out loud rather than dropped silently. */
  notes: string[];
}

/** One engine: what it can run, and the translation. */
export interface EngineAdapter {
  readonly name: EngineName;
  readonly version: string;
  /** Algorithms this engine version has an entry point for. */
  readonly algorithms: readonly Algorithm[];
  translate(recipe: Recipe, paths: EnginePaths, options: EngineOptions): EngineLaunch;
}
