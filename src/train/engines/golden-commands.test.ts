// Whole generated commands, checked word for word: what a reviewer would paste into a shell.
import { expect, test } from 'vitest';
import { shellJoin } from '../executors/shell-quote.js';
import { RecipeSchema } from '../recipe.js';
import { translateRecipe } from './translate-recipe.js';

test('TRL DPO with LoRA on 2 GPUs: subcommand, dataset config file, flags', () => {
  const recipe = RecipeSchema.parse({
    name: 'polite-dpo',
    algorithm: 'dpo',
    base_model: 'polite-sft@1',
    datasets: [{ name: 'polite-prefs', version: 'v3', role: 'preference' }],
    hyperparameters: {
      learning_rate: 5e-7,
      schedule: 'constant',
      warmup_steps: 10,
      batch_size: 2,
      grad_accum: 8,
    },
    dpo: { beta: 0.1, loss_type: 'sigmoid' },
    packing: { strategy: 'padding' },
    checkpoint_every: 100,
  });
  const launch = translateRecipe(
    'trl',
    recipe,
    { baseModel: '/m/sft', trainFiles: ['/d/prefs.jsonl'], outputDir: '/o', workDir: '/w' },
    { gpus_per_node: 2, lora: { r: 16, alpha: 32, dropout: 0.05, target_modules: ['q_proj', 'v_proj'] } },
  );
  expect(shellJoin(launch.argv)).toBe(
    'trl dpo --accelerate_config multi_gpu --num_processes 2 --config /w/trl-dpo.yaml --model_name_or_path /m/sft ' +
      '--output_dir /o --learning_rate 5e-7 --lr_scheduler_type constant_with_warmup --warmup_steps 10 ' +
      '--num_train_epochs 1 --per_device_train_batch_size 2 --gradient_accumulation_steps 8 --max_length 512 ' +
      '--weight_decay 0 --max_grad_norm 1 --seed 0 --save_strategy steps --save_steps 100 --logging_steps 1 ' +
      '--report_to none --beta 0.1 --loss_type sigmoid --precompute_ref_log_probs --use_peft --lora_r 16 ' +
      '--lora_alpha 32 --lora_dropout 0.05 --lora_target_modules q_proj v_proj',
  );
  expect(launch.files).toEqual([
    {
      path: '/w/trl-dpo.yaml',
      content:
        '# Written by Alignboard for recipe "polite-dpo": TRL DatasetMixtureConfig.\n' +
        'datasets:\n  - path: json\n    data_files: /d/prefs.jsonl\n    split: train\n',
    },
  ]);
  expect(launch.dataset).toEqual({ format: 'jsonl', keys: ['prompt', 'chosen', 'rejected'] });
  expect(launch.metrics).toEqual({ format: 'trainer_state', path: '/o' });
});

test('OpenRLHF reward model with margin: DeepSpeed launcher, dotted flags, warmup as a ratio', () => {
  const recipe = RecipeSchema.parse({
    name: 'sum-rm',
    algorithm: 'rm',
    base_model: 'tiny@1',
    datasets: [{ name: 'sums', version: 'v1', role: 'preference' }],
    hyperparameters: { learning_rate: 9e-6, schedule: 'cosine', warmup_steps: 5, epochs: 2, batch_size: 4 },
    rm: { use_margin: true },
    packing: { strategy: 'padding_free' },
    template: { kind: 'plain' },
  });
  const launch = translateRecipe(
    'openrlhf',
    recipe,
    {
      baseModel: '/m/tiny',
      trainFiles: ['/d/a.jsonl', '/d/b.jsonl'],
      evalFile: '/d/held.jsonl',
      outputDir: '/o',
      workDir: '/w',
    },
    // 400 rows / (4 per GPU × 2 GPUs) = 50 steps per epoch, 100 in all: 5 warmup steps = 0.05.
    { gpus_per_node: 2, train_rows: 400 },
  );
  // biome-ignore format: one flag and its value per line
  expect(launch.argv).toEqual([
    'deepspeed', '--num_gpus', '2', '--module', 'openrlhf.cli.train_rm',
    '--model.model_name_or_path', '/m/tiny',
    '--data.dataset', '/d/a.jsonl,/d/b.jsonl',
    '--eval.dataset', '/d/held.jsonl',
    '--data.max_len', '512',
    '--data.input_template', '{}',
    '--train.micro_batch_size', '4',
    '--train.batch_size', '8',
    '--train.max_epochs', '2',
    '--train.seed', '0',
    '--adam.lr', '0.000009',
    '--adam.weight_decay', '0',
    '--max_norm', '1',
    '--lr_scheduler', 'cosine',
    '--lr_warmup_ratio', '0.05',
    '--ds.packing_samples',
    '--ckpt.output_dir', '/o',
    '--ckpt.path', '/o/ds_checkpoints',
    '--ckpt.save_steps', '50',
    '--ckpt.save_hf',
    '--logger.logging_steps', '1',
    '--logger.tensorboard_dir', '/o/tensorboard',
    '--data.prompt_key', 'prompt',
    '--data.chosen_key', 'chosen',
    '--data.rejected_key', 'rejected',
    '--model.margin_loss_enable',
  ]);
  expect(launch.dataset.keys).toEqual(['prompt', 'chosen', 'rejected', 'margin']);
});

test('verl PPO on 2 nodes: Hydra overrides, adaptive KL in the reward, JSONL file logger', () => {
  const recipe = RecipeSchema.parse({
    name: 'polite ppo',
    algorithm: 'ppo',
    base_model: 'polite-sft@1',
    reward_model: 'polite-rm@1',
    datasets: [{ name: 'prompts', version: 'v1', role: 'prompts' }],
    hyperparameters: { learning_rate: 1e-6, batch_size: 4, grad_accum: 4, max_length: 1024 },
    ppo: {
      iterations: 200,
      prompts_per_iteration: 64,
      kl_coef: 0.05,
      kl_target: 6,
      kl_horizon: 10000,
      max_new_tokens: 256,
    },
    packing: { strategy: 'padding_free' },
  });
  const launch = translateRecipe(
    'verl',
    recipe,
    {
      baseModel: '/m/sft',
      rewardModel: '/m/rm',
      trainFiles: ['/d/prompts.parquet'],
      outputDir: '/o',
      workDir: '/w',
    },
    { nodes: 2, gpus_per_node: 8 },
  );
  const overrides = launch.argv.slice(3);
  expect(launch.argv.slice(0, 3)).toEqual(['python3', '-m', 'verl.trainer.main_ppo']);
  expect(overrides).toEqual(
    expect.arrayContaining([
      'algorithm.adv_estimator=gae',
      'algorithm.use_kl_in_reward=True',
      'algorithm.kl_ctrl.type=adaptive',
      'algorithm.kl_ctrl.kl_coef=0.05',
      'algorithm.kl_ctrl.target_kl=6',
      'algorithm.kl_ctrl.horizon=10000',
      'data.train_files=/d/prompts.parquet',
      'data.max_prompt_length=768',
      'data.max_response_length=256',
      'data.train_batch_size=64',
      'actor_rollout_ref.model.path=/m/sft',
      'actor_rollout_ref.actor.optim.lr=0.000001',
      'actor_rollout_ref.actor.ppo_mini_batch_size=16',
      'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=4',
      'actor_rollout_ref.actor.use_kl_loss=False',
      'actor_rollout_ref.actor.checkpoint.save_contents=[model,optimizer,extra,hf_model]',
      'reward_model.enable=True',
      'reward_model.model.path=/m/rm',
      "trainer.experiment_name='polite ppo'",
      'trainer.total_training_steps=200',
      'trainer.logger=[console,file]',
      'trainer.nnodes=2',
      'trainer.n_gpus_per_node=8',
    ]),
  );
  expect(overrides).toHaveLength(59);
  expect(launch.env).toEqual({ VERL_FILE_LOGGER_PATH: '/o/metrics.jsonl' });
});
