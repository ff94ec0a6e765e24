// verl 0.7 through Hydra overrides: PPO (GAE) with `verl.trainer.main_ppo` on Ray, SFT with
// `verl.trainer.fsdp_sft_trainer` under torchrun. verl reads parquet files and always applies the
// chat template to prompts. Metrics go through its `file` logger as JSONL.
import path from 'node:path';
import type { Recipe } from '../recipe.js';
import {
  badInput,
  checkedArgv,
  filesFormat,
  globalBatch,
  hasSeparateReference,
  num,
  refuse,
  refuseAlgorithm,
  requireOneNode,
  requirePath,
  warmupRatio,
} from './adapter-kit.js';
import type { EngineAdapter, EngineLaunch, EngineOptions, EnginePaths } from './engine-launch.js';
import { VERL_0_7_0 } from './fixtures/verl-0.7.0.js';

const ENGINE = 'verl';
const FIXTURE = VERL_0_7_0;

/**
 * One Hydra override value. Plain words pass as they are; anything else is single-quoted with
 * Hydra's escapes. OmegaConf would resolve `${…}` even inside quotes, so such values are refused.
 */
export function hydraValue(value: string | number | boolean | readonly string[]): string {
  if (typeof value === 'number') return num(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value !== 'string') return `[${value.map((v) => hydraValue(v)).join(',')}]`;
  if (value.includes('${'))
    throw badInput(ENGINE, 'paths', `"${value}" contains "\${", which Hydra would interpolate`);
  if (/^[A-Za-z0-9_/.\-:~+@]+$/.test(value) && !/^(true|false|null)$/i.test(value)) return value;
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

type Overrides = [string, string | number | boolean | readonly string[]][];
const render = (overrides: Overrides): string[] => overrides.map(([k, v]) => `${k}=${hydraValue(v)}`);

function files(paths: EnginePaths): string | readonly string[] {
  return paths.trainFiles.length === 1 ? (paths.trainFiles[0] as string) : paths.trainFiles;
}

function requireChatTemplate(recipe: Recipe, paths: EnginePaths): void {
  if (recipe.template.kind === 'plain')
    throw refuse(
      ENGINE,
      paths,
      'template.kind',
      'verl always applies the tokenizer chat template to prompts; a plain template cannot be expressed',
    );
  if (recipe.template.chat_template !== undefined)
    throw refuse(
      ENGINE,
      paths,
      'template.chat_template',
      'a Jinja template cannot pass safely through a Hydra override; put it in the model tokenizer_config.json',
    );
}

function refusePacking(recipe: Recipe, paths: EnginePaths): boolean {
  const { strategy } = recipe.packing;
  if (strategy === 'bfd' || strategy === 'ffd')
    throw refuse(
      ENGINE,
      paths,
      'packing.strategy',
      `verl has no fixed-capacity bin packing ("${strategy}"); use_remove_padding is padding-free, so use ` +
        'packing.strategy: padding_free',
    );
  return strategy === 'padding_free';
}

function lora(options: EngineOptions, prefix: string): Overrides {
  const l = options.lora;
  if (!l) return [];
  if (l.dropout > 0)
    throw badInput(ENGINE, 'lora.dropout', 'verl has no LoRA dropout setting; use dropout: 0');
  return [
    [`${prefix}lora_rank`, l.r],
    [`${prefix}lora_alpha`, l.alpha],
    [`${prefix}target_modules`, l.target_modules ?? 'all-linear'],
  ];
}

function translateSft(recipe: Recipe, paths: EnginePaths, options: EngineOptions): string[] {
  requireOneNode(ENGINE, 'verl.trainer.fsdp_sft_trainer', options);
  requireChatTemplate(recipe, paths);
  const h = recipe.hyperparameters;
  if (h.schedule !== 'cosine')
    throw refuse(
      ENGINE,
      paths,
      'hyperparameters.schedule',
      `fsdp_sft_trainer schedules the learning rate with "cosine" or "wsd" only, not "${h.schedule}"`,
    );
  const removePadding = refusePacking(recipe, paths);
  const overrides: Overrides = [
    ['data.train_files', files(paths)],
    // verl loads a validation set unconditionally; without a held-out file it reuses the train file and never tests.
    ['data.val_files', paths.evalFile ?? (paths.trainFiles[0] as string)],
    ['data.prompt_key', 'prompt'],
    ['data.response_key', 'completion'],
    ['data.max_length', h.max_length],
    ['data.truncation', 'right'],
    ['data.train_batch_size', globalBatch(recipe, options)],
    ['data.micro_batch_size_per_gpu', h.batch_size],
    ['model.partial_pretrain', paths.baseModel],
    ...lora(options, 'model.'),
    ['optim.lr', h.learning_rate],
    ['optim.weight_decay', h.weight_decay],
    ['optim.clip_grad', h.max_grad_norm],
    ['optim.lr_scheduler', 'cosine'],
    ['optim.lr_warmup_steps_ratio', warmupRatio(ENGINE, recipe, paths, options)],
    ['use_remove_padding', removePadding],
    ['trainer.default_local_dir', paths.outputDir],
    ['trainer.project_name', 'alignboard'],
    ['trainer.experiment_name', recipe.name],
    ['trainer.total_epochs', h.epochs],
    ...(h.max_steps !== undefined ? ([['trainer.total_training_steps', h.max_steps]] as Overrides) : []),
    ['trainer.logger', ['console', 'file']],
    ['trainer.seed', h.seed],
    ['trainer.save_freq', recipe.checkpoint_every],
    ['trainer.test_freq', paths.evalFile ? recipe.checkpoint_every : -1],
    ['trainer.nnodes', 1],
    ['trainer.n_gpus_per_node', options.gpus_per_node],
    ['trainer.checkpoint.save_contents', ['model', 'optimizer', 'extra', 'hf_model']],
  ];
  return [
    'torchrun',
    '--standalone',
    '--nnodes=1',
    `--nproc_per_node=${options.gpus_per_node}`,
    '-m',
    'verl.trainer.fsdp_sft_trainer',
    ...render(overrides),
  ];
}

function translatePpo(recipe: Recipe, paths: EnginePaths, options: EngineOptions, notes: string[]): string[] {
  requireChatTemplate(recipe, paths);
  const h = recipe.hyperparameters;
  const p = recipe.ppo;
  if (h.schedule === 'linear')
    throw refuse(
      ENGINE,
      paths,
      'hyperparameters.schedule',
      'verl actor and critic optimizers schedule "constant" or "cosine", not "linear"',
    );
  if (hasSeparateReference(paths))
    throw refuse(
      ENGINE,
      paths,
      'reference_model',
      'verl builds the reference from actor_rollout_ref.model.path; a separate reference model cannot be set',
    );
  const rewardModel = requirePath(
    ENGINE,
    paths,
    'rewardModel',
    'reward_model',
    'PPO needs the reward model folder',
  );
  const promptLength = h.max_length - p.max_new_tokens;
  if (promptLength <= 0)
    throw refuse(
      ENGINE,
      paths,
      'ppo.max_new_tokens',
      `max_new_tokens (${p.max_new_tokens}) leaves no room for the prompt within max_length (${h.max_length})`,
    );
  const miniBatch = h.batch_size * h.grad_accum;
  if (p.prompts_per_iteration % miniBatch !== 0)
    throw refuse(
      ENGINE,
      paths,
      'ppo.prompts_per_iteration',
      `verl splits each rollout of ${p.prompts_per_iteration} prompts into PPO minibatches of batch_size × ` +
        `grad_accum = ${miniBatch}, which must divide it`,
    );
  const removePadding = refusePacking(recipe, paths);
  const steps = p.iterations;
  const optim = (prefix: string): Overrides => [
    [`${prefix}.lr`, h.learning_rate],
    [`${prefix}.weight_decay`, h.weight_decay],
    [`${prefix}.clip_grad`, h.max_grad_norm],
    [`${prefix}.lr_scheduler_type`, h.schedule],
    [`${prefix}.lr_warmup_steps`, h.warmup_steps],
  ];
  notes.push(
    'the critic is a separate network initialised from the base model (verl examples), so ppo.vf_coef does not apply',
    'actor and critic both use hyperparameters.learning_rate',
  );
  const overrides: Overrides = [
    ['algorithm.adv_estimator', 'gae'],
    ['algorithm.gamma', p.gamma],
    ['algorithm.lam', p.lam],
    // The recipe's KL is a per-token penalty in the reward (Ziegler et al.), not a KL loss term.
    ['algorithm.use_kl_in_reward', true],
    ['algorithm.kl_penalty', 'kl'],
    ['algorithm.kl_ctrl.type', p.kl_target === null ? 'fixed' : 'adaptive'],
    ['algorithm.kl_ctrl.kl_coef', p.kl_coef],
    ...(p.kl_target !== null
      ? ([
          ['algorithm.kl_ctrl.target_kl', p.kl_target],
          ['algorithm.kl_ctrl.horizon', p.kl_horizon],
        ] as Overrides)
      : []),
    ['data.train_files', files(paths)],
    ['data.val_files', paths.evalFile ?? (paths.trainFiles[0] as string)],
    ['data.prompt_key', 'prompt'],
    ['data.max_prompt_length', promptLength],
    ['data.max_response_length', p.max_new_tokens],
    ['data.train_batch_size', p.prompts_per_iteration],
    ['data.seed', h.seed],
    ['actor_rollout_ref.model.path', paths.baseModel],
    ['actor_rollout_ref.model.use_remove_padding', removePadding],
    ...lora(options, 'actor_rollout_ref.model.'),
    ...optim('actor_rollout_ref.actor.optim'),
    ['actor_rollout_ref.actor.ppo_mini_batch_size', miniBatch],
    ['actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu', h.batch_size],
    ['actor_rollout_ref.actor.ppo_epochs', p.ppo_epochs],
    ['actor_rollout_ref.actor.clip_ratio', p.clip_range],
    ['actor_rollout_ref.actor.use_kl_loss', false],
    ['actor_rollout_ref.actor.checkpoint.save_contents', ['model', 'optimizer', 'extra', 'hf_model']],
    ['actor_rollout_ref.rollout.name', 'vllm'],
    ['actor_rollout_ref.rollout.n', 1],
    ['actor_rollout_ref.rollout.temperature', p.temperature],
    ['actor_rollout_ref.rollout.tensor_model_parallel_size', 1],
    ['actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu', h.batch_size],
    ['actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu', h.batch_size],
    ['critic.model.path', paths.baseModel],
    ['critic.model.use_remove_padding', removePadding],
    ...optim('critic.optim'),
    ['critic.ppo_micro_batch_size_per_gpu', h.batch_size],
    ['critic.cliprange_value', p.clip_range],
    ['reward_model.enable', true],
    ['reward_model.model.path', rewardModel],
    ['reward_model.use_reward_loop', true],
    ['reward_model.rollout.name', 'vllm'],
    ['trainer.default_local_dir', paths.outputDir],
    ['trainer.project_name', 'alignboard'],
    ['trainer.experiment_name', recipe.name],
    ['trainer.total_epochs', h.epochs],
    ['trainer.total_training_steps', h.max_steps !== undefined ? Math.min(h.max_steps, steps) : steps],
    ['trainer.logger', ['console', 'file']],
    ['trainer.save_freq', recipe.checkpoint_every],
    ['trainer.test_freq', -1],
    ['trainer.val_before_train', false],
    ['trainer.nnodes', options.nodes],
    ['trainer.n_gpus_per_node', options.gpus_per_node],
  ];
  return ['python3', '-m', 'verl.trainer.main_ppo', ...render(overrides)];
}

function translateVerl(recipe: Recipe, paths: EnginePaths, options: EngineOptions): EngineLaunch {
  if (recipe.algorithm !== 'sft' && recipe.algorithm !== 'ppo')
    throw refuseAlgorithm(
      ENGINE,
      FIXTURE.version,
      recipe,
      paths,
      'verl trains with main_ppo (PPO, GRPO and other policy-gradient estimators) and fsdp_sft_trainer (SFT); ' +
        'it has no reward-model, DPO or online DPO trainer',
    );
  const format = filesFormat(ENGINE, paths, ['parquet']);
  const notes: string[] = [];
  const entryPoint = recipe.algorithm === 'sft' ? 'fsdp_sft_trainer' : 'main_ppo';
  const argv =
    recipe.algorithm === 'sft'
      ? translateSft(recipe, paths, options)
      : translatePpo(recipe, paths, options, notes);
  const metricsFile = path.join(paths.outputDir, 'metrics.jsonl');
  return {
    engine: ENGINE,
    version: FIXTURE.version,
    entryPoint,
    argv: checkedArgv(ENGINE, FIXTURE, entryPoint, argv, 'hydra', options.extra_args),
    // verl's `file` logger writes one JSON object per step to this path (verl/utils/tracking.py).
    env: { VERL_FILE_LOGGER_PATH: metricsFile },
    files: [],
    // Prompts are chat message lists; verl applies the tokenizer's chat template itself.
    dataset: { format, keys: recipe.algorithm === 'sft' ? ['prompt', 'completion'] : ['prompt'] },
    metrics: { format: 'jsonl', path: metricsFile },
    notes,
  };
}

export const verlAdapter: EngineAdapter = {
  name: ENGINE,
  version: FIXTURE.version,
  algorithms: ['sft', 'ppo'],
  translate: translateVerl,
};
