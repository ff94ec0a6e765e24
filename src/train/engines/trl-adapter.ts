// TRL through its own CLI (`trl sft|dpo|reward`), which launches the script with `accelerate launch`.
// Flags are TrainingArguments + SFTConfig/DPOConfig/RewardConfig + ModelConfig fields; the local
// dataset files go in a YAML `--config` file as a DatasetMixtureConfig (`datasets:` list), the one
// way the CLI loads local files.
import path from 'node:path';
import { stringify } from 'yaml';
import type { Recipe } from '../recipe.js';
import {
  checkedArgv,
  filesFormat,
  hasSeparateReference,
  num,
  refuse,
  refuseAlgorithm,
  requireOneNode,
} from './adapter-kit.js';
import type { EngineAdapter, EngineLaunch, EngineOptions, EnginePaths } from './engine-launch.js';
import { TRL_1_9_0 } from './fixtures/trl-1.9.0.js';

const ENGINE = 'trl';
const FIXTURE = TRL_1_9_0;

/** Recipe algorithm → `trl` subcommand. Online DPO and PPO live only in `trl.experimental`, without a CLI. */
const COMMANDS = { sft: 'sft', dpo: 'dpo', rm: 'reward' } as const;

function scheduler(recipe: Recipe): string {
  const h = recipe.hyperparameters;
  // transformers' "constant" ignores warmup; "constant_with_warmup" is the recipe's constant-after-warmup.
  if (h.schedule === 'constant') return h.warmup_steps > 0 ? 'constant_with_warmup' : 'constant';
  return h.schedule;
}

function packingFlags(
  recipe: Recipe,
  paths: EnginePaths,
  command: 'sft' | 'dpo' | 'reward',
  notes: string[],
): string[] {
  const { strategy, capacity } = recipe.packing;
  if (strategy === 'padding') return [];
  if (strategy === 'padding_free') {
    if (command === 'reward')
      throw refuse(
        ENGINE,
        paths,
        'packing.strategy',
        'RewardConfig has no padding_free; use packing.strategy: padding',
      );
    notes.push(
      'TRL runs padding-free only with FlashAttention 2 or 3 (set attn_implementation through extra_args)',
    );
    return ['--padding_free'];
  }
  if (command !== 'sft')
    throw refuse(
      ENGINE,
      paths,
      'packing.strategy',
      `trl ${command} cannot pack sequences ("${strategy}"): only SFTConfig has packing; use padding_free or padding`,
    );
  if (strategy === 'ffd')
    throw refuse(
      ENGINE,
      paths,
      'packing.strategy',
      'TRL packs with best-fit decreasing ("bfd", "bfd_split") or "wrapped", not first-fit decreasing; use bfd',
    );
  if (capacity !== undefined && capacity !== recipe.hyperparameters.max_length)
    throw refuse(
      ENGINE,
      paths,
      'packing.capacity',
      `TRL packs rows of max_length tokens (${recipe.hyperparameters.max_length}); capacity ${capacity} cannot be set apart`,
    );
  return ['--packing', '--packing_strategy', 'bfd'];
}

function translateTrl(recipe: Recipe, paths: EnginePaths, options: EngineOptions): EngineLaunch {
  if (recipe.algorithm === 'online_dpo' || recipe.algorithm === 'ppo')
    throw refuseAlgorithm(
      ENGINE,
      FIXTURE.version,
      recipe,
      paths,
      `its ${recipe.algorithm === 'ppo' ? 'PPOTrainer' : 'OnlineDPOTrainer'} is in trl.experimental with no CLI ` +
        'entry point (the CLI has dpo, grpo, kto, reward, rloo, sft); use openrlhf or verl for PPO',
    );
  const command = COMMANDS[recipe.algorithm];
  requireOneNode(ENGINE, `trl ${command}`, options);
  const format = filesFormat(ENGINE, paths, ['jsonl', 'parquet']);
  const h = recipe.hyperparameters;
  const notes: string[] = [];
  const files: EngineLaunch['files'] = [];

  const configFile = path.join(paths.workDir, `trl-${command}.yaml`);
  const config: Record<string, unknown> = {
    datasets: paths.trainFiles.map((file) => ({
      path: format === 'jsonl' ? 'json' : 'parquet',
      data_files: file,
      split: 'train',
    })),
  };
  files.push({
    path: configFile,
    content: `# Written by Alignboard for recipe "${recipe.name}": TRL DatasetMixtureConfig.\n${stringify(config)}`,
  });

  const launch: string[] = ['trl', command];
  if (options.accelerate_config) launch.push('--accelerate_config', options.accelerate_config);
  else if (options.gpus_per_node > 1) launch.push('--accelerate_config', 'multi_gpu');
  if (options.gpus_per_node > 1) launch.push('--num_processes', num(options.gpus_per_node));

  const args: string[] = [
    '--config',
    configFile,
    '--model_name_or_path',
    paths.baseModel,
    '--output_dir',
    paths.outputDir,
    '--learning_rate',
    num(h.learning_rate),
    '--lr_scheduler_type',
    scheduler(recipe),
    '--warmup_steps',
    num(h.warmup_steps),
    '--num_train_epochs',
    num(h.epochs),
    ...(h.max_steps !== undefined ? ['--max_steps', num(h.max_steps)] : []),
    '--per_device_train_batch_size',
    num(h.batch_size),
    '--gradient_accumulation_steps',
    num(h.grad_accum),
    '--max_length',
    num(h.max_length),
    '--weight_decay',
    num(h.weight_decay),
    '--max_grad_norm',
    num(h.max_grad_norm),
    '--seed',
    num(h.seed),
    '--save_strategy',
    'steps',
    '--save_steps',
    num(recipe.checkpoint_every),
    '--logging_steps',
    '1',
    '--report_to',
    'none',
  ];

  const template = recipe.template.chat_template;
  if (template !== undefined) {
    if (command === 'dpo')
      throw refuse(
        ENGINE,
        paths,
        'template.chat_template',
        'DPOConfig has no chat_template_path; put the template in the base model tokenizer_config.json instead',
      );
    const templateFile = path.join(paths.workDir, 'chat_template.jinja');
    files.push({ path: templateFile, content: template });
    args.push('--chat_template_path', templateFile);
  }

  args.push(...packingFlags(recipe, paths, command, notes));

  let keys: string[];
  if (command === 'sft') {
    keys = ['prompt', 'completion'];
    // Prompt-completion rows: TRL puts the loss on the completion only, as the embedded trainer does.
    args.push('--completion_only_loss');
  } else if (command === 'dpo') {
    if (hasSeparateReference(paths))
      throw refuse(
        ENGINE,
        paths,
        'reference_model',
        "trl dpo takes its reference from the policy's starting weights (--model_name_or_path); a separate reference model cannot be named on its CLI",
      );
    keys = ['prompt', 'chosen', 'rejected'];
    const rpoAlpha = recipe.dpo.rpo_alpha ?? 0;
    args.push(
      '--beta',
      num(recipe.dpo.beta),
      '--loss_type',
      recipe.dpo.loss_type,
      // TRL adds the NLL on the chosen reply as a second loss term, "sft", with its weight.
      ...(rpoAlpha > 0 ? ['sft', '--loss_weights', '1', num(rpoAlpha)] : []),
      '--precompute_ref_log_probs',
    );
  } else {
    keys = recipe.rm.use_margin
      ? ['prompt', 'chosen', 'rejected', 'margin']
      : ['prompt', 'chosen', 'rejected'];
    if (recipe.rm.use_margin)
      notes.push('RewardTrainer subtracts the rows\' "margin" column when it is present');
    if (recipe.rm.eval_fraction > 0)
      args.push('--test_split_size', num(recipe.rm.eval_fraction), '--eval_strategy', 'epoch');
  }

  const lora = options.lora;
  if (lora) {
    args.push(
      '--use_peft',
      '--lora_r',
      num(lora.r),
      '--lora_alpha',
      num(lora.alpha),
      '--lora_dropout',
      num(lora.dropout),
    );
    if (lora.target_modules) args.push('--lora_target_modules', ...lora.target_modules);
    if (command === 'reward') args.push('--lora_task_type', 'SEQ_CLS');
  }
  if (recipe.template.kind === 'plain')
    notes.push('plain template: rows carry strings, so TRL applies no chat template');

  return {
    engine: ENGINE,
    version: FIXTURE.version,
    entryPoint: command,
    argv: checkedArgv(ENGINE, FIXTURE, command, [...launch, ...args], 'flags', options.extra_args),
    env: {},
    files,
    dataset: { format, keys },
    metrics: { format: 'trainer_state', path: paths.outputDir },
    notes,
  };
}

export const trlAdapter: EngineAdapter = {
  name: ENGINE,
  version: FIXTURE.version,
  algorithms: ['sft', 'rm', 'dpo'],
  translate: translateTrl,
};
