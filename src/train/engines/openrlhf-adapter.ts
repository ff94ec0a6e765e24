// OpenRLHF 0.11 through its `openrlhf.cli.*` entry points with the dotted flags (`--model.*`,
// `--data.*`, `--train.*`, `--ckpt.*`, `--ds.*`). SFT, RM and DPO run under the DeepSpeed launcher on
// one machine; PPO is the Ray-based `train_ppo_ray`, colocating actor, critic, reference, reward
// model and vLLM engines on the same GPUs.
import path from 'node:path';
import type { Recipe } from '../recipe.js';
import {
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
import { OPENRLHF_0_11_0 } from './fixtures/openrlhf-0.11.0.js';

const ENGINE = 'openrlhf';
const FIXTURE = OPENRLHF_0_11_0;

const ENTRY_POINTS = { sft: 'train_sft', rm: 'train_rm', dpo: 'train_dpo', ppo: 'train_ppo_ray' } as const;

/** transformers scheduler names, as OpenRLHF passes `--lr_scheduler` to `get_scheduler`. */
const SCHEDULERS = { constant: 'constant_with_warmup', linear: 'linear', cosine: 'cosine' } as const;

function packingFlags(recipe: Recipe, paths: EnginePaths): string[] {
  const { strategy } = recipe.packing;
  if (strategy === 'padding') return [];
  if (strategy === 'padding_free') return ['--ds.packing_samples'];
  throw refuse(
    ENGINE,
    paths,
    'packing.strategy',
    `OpenRLHF has no fixed-capacity bin packing ("${strategy}"): --ds.packing_samples flattens each ` +
      'micro-batch without padding; use packing.strategy: padding_free',
  );
}

function templateFlags(recipe: Recipe, paths: EnginePaths, entryPoint: string): string[] {
  const flags: string[] = [];
  // The plain template feeds the prompt as is; OpenRLHF's default input_template would add "User: … Assistant: ".
  flags.push(
    ...(recipe.template.kind === 'chat' ? ['--data.apply_chat_template'] : ['--data.input_template', '{}']),
  );
  const template = recipe.template.chat_template;
  if (template !== undefined) {
    if (entryPoint === 'train_ppo_ray')
      throw refuse(
        ENGINE,
        paths,
        'template.chat_template',
        'train_ppo_ray has no --data.tokenizer_chat_template; put the template in the model tokenizer_config.json',
      );
    flags.push('--data.tokenizer_chat_template', template);
  }
  return flags;
}

function loraFlags(options: EngineOptions): string[] {
  const { lora } = options;
  if (!lora) return [];
  return [
    '--ds.lora.rank',
    num(lora.r),
    '--ds.lora.alpha',
    num(lora.alpha),
    '--ds.lora.dropout',
    num(lora.dropout),
    ...(lora.target_modules ? ['--ds.lora.target_modules', ...lora.target_modules] : []),
  ];
}

function checkpointFlags(recipe: Recipe, paths: EnginePaths): string[] {
  return [
    '--ckpt.output_dir',
    paths.outputDir,
    '--ckpt.path',
    path.join(paths.outputDir, 'ds_checkpoints'),
    '--ckpt.save_steps',
    num(recipe.checkpoint_every),
    '--ckpt.save_hf',
    '--logger.logging_steps',
    '1',
    '--logger.tensorboard_dir',
    path.join(paths.outputDir, 'tensorboard'),
  ];
}

function refuseMaxSteps(recipe: Recipe, paths: EnginePaths): void {
  if (recipe.hyperparameters.max_steps !== undefined)
    throw refuse(
      ENGINE,
      paths,
      'hyperparameters.max_steps',
      'OpenRLHF stops by epochs (--train.max_epochs) and has no step limit; remove max_steps',
    );
}

function translateSupervised(
  recipe: Recipe,
  paths: EnginePaths,
  options: EngineOptions,
  entryPoint: 'train_sft' | 'train_rm' | 'train_dpo',
  notes: string[],
): { argv: string[]; keys: string[] } {
  requireOneNode(ENGINE, entryPoint, options);
  refuseMaxSteps(recipe, paths);
  const h = recipe.hyperparameters;
  const args: string[] = [
    '--model.model_name_or_path',
    paths.baseModel,
    '--data.dataset',
    paths.trainFiles.join(','),
    ...(paths.evalFile ? ['--eval.dataset', paths.evalFile] : []),
    '--data.max_len',
    num(h.max_length),
    ...templateFlags(recipe, paths, entryPoint),
    '--train.micro_batch_size',
    num(h.batch_size),
    '--train.batch_size',
    num(globalBatch(recipe, options)),
    '--train.max_epochs',
    num(h.epochs),
    '--train.seed',
    num(h.seed),
    '--adam.lr',
    num(h.learning_rate),
    '--adam.weight_decay',
    num(h.weight_decay),
    '--max_norm',
    num(h.max_grad_norm),
    '--lr_scheduler',
    SCHEDULERS[h.schedule],
    '--lr_warmup_ratio',
    num(warmupRatio(ENGINE, recipe, paths, options)),
    ...packingFlags(recipe, paths),
    ...loraFlags(options),
    ...checkpointFlags(recipe, paths),
  ];
  let keys: string[];
  if (entryPoint === 'train_sft') {
    // OpenRLHF's SFT masks the prompt out of the loss, as the embedded trainer does.
    keys = ['prompt', 'completion'];
    args.push('--data.input_key', 'prompt', '--data.output_key', 'completion');
  } else {
    keys = ['prompt', 'chosen', 'rejected'];
    args.push(
      '--data.prompt_key',
      'prompt',
      '--data.chosen_key',
      'chosen',
      '--data.rejected_key',
      'rejected',
    );
  }
  if (entryPoint === 'train_rm') {
    if (recipe.rm.use_margin) {
      keys.push('margin');
      args.push('--model.margin_loss_enable');
    }
    if (recipe.rm.eval_fraction > 0 && !paths.evalFile)
      notes.push(
        'no held-out file given: OpenRLHF does not split one off, so reward accuracy is not measured',
      );
  }
  if (entryPoint === 'train_dpo') {
    args.push('--model.beta', num(recipe.dpo.beta));
    if (recipe.dpo.loss_type === 'ipo') args.push('--model.ipo_enable');
    if (recipe.dpo.rpo_alpha) args.push('--model.nll_loss_coef', num(recipe.dpo.rpo_alpha));
    if (hasSeparateReference(paths)) args.push('--ref.model_name_or_path', paths.referenceModel as string);
  }
  const launch = [
    'deepspeed',
    '--num_gpus',
    num(options.gpus_per_node),
    '--module',
    `openrlhf.cli.${entryPoint}`,
  ];
  return { argv: [...launch, ...args], keys };
}

function translatePpo(recipe: Recipe, paths: EnginePaths, options: EngineOptions, notes: string[]): string[] {
  const h = recipe.hyperparameters;
  const p = recipe.ppo;
  refuseMaxSteps(recipe, paths);
  if (hasSeparateReference(paths))
    throw refuse(
      ENGINE,
      paths,
      'reference_model',
      "train_ppo_ray takes the reference from the actor's starting weights; it has no flag for a separate reference model",
    );
  const rewardModel = requirePath(
    ENGINE,
    paths,
    'rewardModel',
    'reward_model',
    'PPO needs the reward model folder',
  );
  const world = options.nodes * options.gpus_per_node;
  const ppoSteps =
    p.iterations *
    p.ppo_epochs *
    Math.max(1, Math.floor(p.prompts_per_iteration / globalBatch(recipe, options)));
  const placement = (role: string) => [
    `--${role}.num_nodes`,
    num(options.nodes),
    `--${role}.num_gpus_per_node`,
    num(options.gpus_per_node),
  ];
  const optimizer = (role: 'actor' | 'critic') => [
    `--${role}.adam.lr`,
    num(h.learning_rate),
    `--${role}.adam.weight_decay`,
    num(h.weight_decay),
    `--${role}.max_norm`,
    num(h.max_grad_norm),
    `--${role}.lr_scheduler`,
    SCHEDULERS[h.schedule],
    `--${role}.lr_warmup_ratio`,
    // Each rollout of prompts_per_iteration samples gives ppo_epochs passes of global-batch steps.
    num(warmupRatio(ENGINE, recipe, paths, options, ppoSteps)),
  ];
  notes.push(
    'the critic is a separate network initialised from the reward model (OpenRLHF default), so ppo.vf_coef does not apply',
    'actor and critic both use hyperparameters.learning_rate',
  );
  return [
    'python3',
    '-m',
    'openrlhf.cli.train_ppo_ray',
    ...placement('actor'),
    ...placement('critic'),
    ...placement('ref'),
    ...placement('reward'),
    '--train.colocate_all',
    '--vllm.num_engines',
    num(world),
    '--vllm.tensor_parallel_size',
    '1',
    '--actor.model_name_or_path',
    paths.baseModel,
    '--reward.model_name_or_path',
    rewardModel,
    '--data.prompt_dataset',
    paths.trainFiles.join(','),
    '--data.input_key',
    'prompt',
    ...templateFlags(recipe, paths, 'train_ppo_ray'),
    '--data.max_len',
    num(h.max_length),
    '--data.max_samples',
    num(p.iterations * p.prompts_per_iteration),
    '--rollout.batch_size',
    num(p.prompts_per_iteration),
    '--rollout.n_samples_per_prompt',
    '1',
    '--rollout.max_new_tokens',
    num(p.max_new_tokens),
    '--rollout.temperature',
    num(p.temperature),
    '--train.num_episodes',
    '1',
    '--train.max_epochs',
    num(p.ppo_epochs),
    '--train.micro_batch_size',
    num(h.batch_size),
    '--train.batch_size',
    num(globalBatch(recipe, options)),
    '--train.seed',
    num(h.seed),
    ...optimizer('actor'),
    ...optimizer('critic'),
    '--actor.eps_clip',
    num(p.clip_range),
    '--algo.advantage.estimator',
    'gae',
    '--algo.advantage.gamma',
    num(p.gamma),
    '--algo.advantage.lambd',
    num(p.lam),
    '--algo.kl.init_coef',
    num(p.kl_coef),
    ...(p.kl_target !== null
      ? ['--algo.kl.target', num(p.kl_target), '--algo.kl.horizon', num(p.kl_horizon)]
      : []),
    ...packingFlags(recipe, paths),
    ...loraFlags(options),
    ...checkpointFlags(recipe, paths),
  ];
}

function translateOpenRlhf(recipe: Recipe, paths: EnginePaths, options: EngineOptions): EngineLaunch {
  if (recipe.algorithm === 'online_dpo')
    throw refuseAlgorithm(
      ENGINE,
      FIXTURE.version,
      recipe,
      paths,
      'it has no online DPO entry point (openrlhf.cli has train_sft, train_rm, train_dpo, train_ppo_ray)',
    );
  const entryPoint = ENTRY_POINTS[recipe.algorithm];
  const format = filesFormat(ENGINE, paths, ['jsonl', 'parquet']);
  const notes: string[] = [];
  let argv: string[];
  let keys: string[];
  if (entryPoint === 'train_ppo_ray') {
    argv = translatePpo(recipe, paths, options, notes);
    keys = ['prompt'];
  } else {
    ({ argv, keys } = translateSupervised(recipe, paths, options, entryPoint, notes));
  }
  return {
    engine: ENGINE,
    version: FIXTURE.version,
    entryPoint,
    argv: checkedArgv(ENGINE, FIXTURE, entryPoint, argv, 'flags', options.extra_args),
    env: {},
    files: [],
    dataset: { format, keys },
    metrics: { format: 'tensorboard', path: path.join(paths.outputDir, 'tensorboard') },
    notes,
  };
}

export const openRlhfAdapter: EngineAdapter = {
  name: ENGINE,
  version: FIXTURE.version,
  algorithms: ['sft', 'rm', 'dpo', 'ppo'],
  translate: translateOpenRlhf,
};
