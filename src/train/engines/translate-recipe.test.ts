import { describe, expect, test } from 'vitest';
import { type Algorithm, type Recipe, type RecipeInput, RecipeSchema } from '../recipe.js';
import {
  checkArgsAgainstFixture,
  type EngineFixture,
  type EntryPointFixture,
  type OptionSyntax,
  splitLaunch,
} from './engine-fixture.js';
import type { EngineName, EngineOptionsInput, EnginePaths } from './engine-launch.js';
import { EngineAdapterError } from './errors.js';
import { OPENRLHF_0_11_0 } from './fixtures/openrlhf-0.11.0.js';
import { TRL_1_9_0 } from './fixtures/trl-1.9.0.js';
import { VERL_0_7_0 } from './fixtures/verl-0.7.0.js';
import { ENGINE_ADAPTERS, translateRecipe } from './translate-recipe.js';

function makeRecipe(algorithm: Algorithm, over: Partial<RecipeInput> = {}): Recipe {
  return RecipeSchema.parse({
    name: `tiny-${algorithm}`,
    algorithm,
    base_model: 'tiny-llama@1',
    ...(algorithm === 'ppo' || algorithm === 'online_dpo' ? { reward_model: 'tiny-rm@1' } : {}),
    datasets: [{ name: 'd', version: 'v1' }],
    hyperparameters: { learning_rate: 2e-5, batch_size: 4, grad_accum: 2, max_length: 256, seed: 7 },
    packing: { strategy: 'padding_free' },
    ...over,
  });
}

const paths = (ext: 'jsonl' | 'parquet'): EnginePaths => ({
  baseModel: '/models/base',
  rewardModel: '/models/rm',
  trainFiles: [`/data/train.${ext}`],
  outputDir: '/runs/r1/out',
  workDir: '/runs/r1/work',
  recipeFile: 'recipes/tiny.yaml',
});

const FIXTURES: Record<Exclude<EngineName, 'command'>, { fixture: EngineFixture; syntax: OptionSyntax }> = {
  trl: { fixture: TRL_1_9_0, syntax: 'flags' },
  openrlhf: { fixture: OPENRLHF_0_11_0, syntax: 'flags' },
  verl: { fixture: VERL_0_7_0, syntax: 'hydra' },
};

/** The value given to `key` in argv: `--key v` for flags, `key=v` for Hydra. */
function givenValue(argv: string[], key: string, syntax: OptionSyntax): string | undefined {
  if (syntax === 'hydra') return argv.find((a) => a.startsWith(`${key}=`))?.slice(key.length + 1);
  const i = argv.indexOf(key);
  return i < 0 ? undefined : argv[i + 1];
}

// Every engine × algorithm it supports, with the options each must carry and how values render.
const SUPPORTED: {
  engine: Exclude<EngineName, 'command'>;
  algorithm: Algorithm;
  entryPoint: string;
  over?: Partial<RecipeInput>;
  expect: Record<string, string>;
}[] = [
  {
    engine: 'trl',
    algorithm: 'sft',
    entryPoint: 'sft',
    over: { packing: { strategy: 'bfd' } },
    expect: {
      '--learning_rate': '0.00002',
      '--max_length': '256',
      '--packing_strategy': 'bfd',
      '--seed': '7',
    },
  },
  {
    engine: 'trl',
    algorithm: 'dpo',
    entryPoint: 'dpo',
    over: { dpo: { beta: 0.2, loss_type: 'ipo' } },
    expect: { '--beta': '0.2', '--loss_type': 'ipo', '--gradient_accumulation_steps': '2' },
  },
  {
    engine: 'trl',
    algorithm: 'rm',
    entryPoint: 'reward',
    over: { packing: { strategy: 'padding' }, rm: { eval_fraction: 0.1 } },
    expect: { '--test_split_size': '0.1', '--per_device_train_batch_size': '4' },
  },
  {
    engine: 'openrlhf',
    algorithm: 'sft',
    entryPoint: 'train_sft',
    expect: { '--adam.lr': '0.00002', '--train.batch_size': '8', '--train.micro_batch_size': '4' },
  },
  {
    engine: 'openrlhf',
    algorithm: 'rm',
    entryPoint: 'train_rm',
    expect: { '--data.chosen_key': 'chosen', '--data.max_len': '256' },
  },
  {
    engine: 'openrlhf',
    algorithm: 'dpo',
    entryPoint: 'train_dpo',
    over: { dpo: { beta: 0.3, loss_type: 'sigmoid' } },
    expect: { '--model.beta': '0.3', '--data.rejected_key': 'rejected' },
  },
  {
    engine: 'openrlhf',
    algorithm: 'ppo',
    entryPoint: 'train_ppo_ray',
    over: { ppo: { kl_coef: 0.02, kl_target: 6, clip_range: 0.1 } },
    expect: { '--algo.kl.init_coef': '0.02', '--algo.kl.target': '6', '--actor.eps_clip': '0.1' },
  },
  {
    engine: 'verl',
    algorithm: 'sft',
    entryPoint: 'fsdp_sft_trainer',
    over: { hyperparameters: { learning_rate: 1e-5, schedule: 'cosine', batch_size: 4 } },
    expect: { 'optim.lr': '0.00001', 'data.micro_batch_size_per_gpu': '4', use_remove_padding: 'True' },
  },
  {
    engine: 'verl',
    algorithm: 'ppo',
    entryPoint: 'main_ppo',
    over: { ppo: { kl_target: null, gamma: 0.99 } },
    expect: {
      'algorithm.kl_ctrl.type': 'fixed',
      'algorithm.gamma': '0.99',
      'algorithm.adv_estimator': 'gae',
    },
  },
];

describe('every engine × algorithm it supports fits the engine version fixture', () => {
  test.each(SUPPORTED)(
    '$engine $algorithm → $entryPoint',
    ({ engine, algorithm, entryPoint, over, expect: values }) => {
      const { fixture, syntax } = FIXTURES[engine];
      const launch = translateRecipe(
        engine,
        makeRecipe(algorithm, over),
        paths(engine === 'verl' ? 'parquet' : 'jsonl'),
      );
      expect(launch.entryPoint).toBe(entryPoint);
      expect(launch.version).toBe(fixture.version);
      const entry = fixture.entryPoints[entryPoint];
      if (!entry) throw new Error(`no fixture entry ${entryPoint}`);
      const split = splitLaunch(launch.argv, entry);
      expect(split, 'argv starts with the launch words').toBeDefined();
      expect(checkArgsAgainstFixture(split?.args ?? [], entry, syntax)).toEqual([]);
      for (const [key, value] of Object.entries(values))
        expect(givenValue(launch.argv, key, syntax), key).toBe(value);
    },
  );

  test.each(SUPPORTED)(
    '$engine $algorithm with LoRA on 4 GPUs still fits',
    ({ engine, algorithm, entryPoint, over }) => {
      const { fixture, syntax } = FIXTURES[engine];
      const launch = translateRecipe(
        engine,
        makeRecipe(algorithm, over),
        paths(engine === 'verl' ? 'parquet' : 'jsonl'),
        {
          gpus_per_node: 4,
          lora: { r: 8, alpha: 16, target_modules: ['q_proj', 'v_proj'] },
        },
      );
      const entry = fixture.entryPoints[entryPoint] as EntryPointFixture;
      expect(checkArgsAgainstFixture(splitLaunch(launch.argv, entry)?.args ?? [], entry, syntax)).toEqual([]);
      expect(launch.argv.join(' ')).toMatch(/lora/);
    },
  );

  test("DPO's rpo_alpha becomes TRL's weighted sft loss term and OpenRLHF's nll_loss_coef", () => {
    const recipe = makeRecipe('dpo', { dpo: { beta: 0.1, loss_type: 'sigmoid', rpo_alpha: 0.5 } });
    const trl = translateRecipe('trl', recipe, paths('jsonl'));
    const trlEntry = TRL_1_9_0.entryPoints.dpo as EntryPointFixture;
    expect(checkArgsAgainstFixture(splitLaunch(trl.argv, trlEntry)?.args ?? [], trlEntry, 'flags')).toEqual(
      [],
    );
    expect(trl.argv.join(' ')).toContain('--loss_type sigmoid sft --loss_weights 1 0.5');
    const orl = translateRecipe('openrlhf', recipe, paths('jsonl'));
    expect(givenValue(orl.argv, '--model.nll_loss_coef', 'flags')).toBe('0.5');
    expect(translateRecipe('trl', makeRecipe('dpo'), paths('jsonl')).argv).not.toContain('--loss_weights');
  });

  test('the supported table covers exactly the algorithms each adapter declares', () => {
    for (const engine of ['trl', 'openrlhf', 'verl'] as const)
      expect(
        SUPPORTED.filter((s) => s.engine === engine)
          .map((s) => s.algorithm)
          .sort(),
      ).toEqual([...ENGINE_ADAPTERS[engine].algorithms].sort());
  });
});

// Refusals: the code, the recipe field, the engine and the reason.
const REFUSED: {
  name: string;
  engine: EngineName;
  algorithm: Algorithm;
  over?: Partial<RecipeInput>;
  paths?: Partial<EnginePaths>;
  options?: EngineOptionsInput;
  code?: string;
  field: string;
  reason: RegExp;
}[] = [
  {
    name: 'trl has no PPO CLI',
    engine: 'trl',
    algorithm: 'ppo',
    field: 'algorithm',
    reason: /trl\.experimental/,
  },
  {
    name: 'trl has no online DPO CLI',
    engine: 'trl',
    algorithm: 'online_dpo',
    field: 'algorithm',
    reason: /no CLI/,
  },
  {
    name: 'trl packs BFD, not FFD',
    engine: 'trl',
    algorithm: 'sft',
    over: { packing: { strategy: 'ffd' } },
    field: 'packing.strategy',
    reason: /first-fit/,
  },
  {
    name: 'trl DPO cannot pack',
    engine: 'trl',
    algorithm: 'dpo',
    over: { packing: { strategy: 'bfd' } },
    field: 'packing.strategy',
    reason: /only SFTConfig has packing/,
  },
  {
    name: 'trl reward has no padding_free',
    engine: 'trl',
    algorithm: 'rm',
    field: 'packing.strategy',
    reason: /RewardConfig has no padding_free/,
  },
  {
    name: 'trl packs to max_length only',
    engine: 'trl',
    algorithm: 'sft',
    over: { packing: { strategy: 'bfd', capacity: 1024 } },
    field: 'packing.capacity',
    reason: /capacity 1024/,
  },
  {
    name: 'trl dpo takes no separate reference',
    engine: 'trl',
    algorithm: 'dpo',
    paths: { referenceModel: '/models/ref' },
    field: 'reference_model',
    reason: /reference/,
  },
  {
    name: 'trl dpo has no chat_template_path',
    engine: 'trl',
    algorithm: 'dpo',
    over: { template: { kind: 'chat', chat_template: '{{ messages }}' } },
    field: 'template.chat_template',
    reason: /chat_template_path/,
  },
  {
    name: 'openrlhf has no online DPO',
    engine: 'openrlhf',
    algorithm: 'online_dpo',
    field: 'algorithm',
    reason: /no online DPO entry point/,
  },
  {
    name: 'openrlhf has no bin packing',
    engine: 'openrlhf',
    algorithm: 'sft',
    over: { packing: { strategy: 'bfd' } },
    field: 'packing.strategy',
    reason: /packing_samples/,
  },
  {
    name: 'openrlhf has no step limit',
    engine: 'openrlhf',
    algorithm: 'dpo',
    over: { hyperparameters: { learning_rate: 1e-6, max_steps: 100 } },
    field: 'hyperparameters.max_steps',
    reason: /no step limit/,
  },
  {
    name: 'openrlhf warmup needs a total',
    engine: 'openrlhf',
    algorithm: 'sft',
    over: { hyperparameters: { learning_rate: 1e-6, warmup_steps: 10 } },
    field: 'hyperparameters.warmup_steps',
    reason: /ratio of total steps/,
  },
  {
    name: 'openrlhf PPO takes no separate reference',
    engine: 'openrlhf',
    algorithm: 'ppo',
    paths: { referenceModel: '/models/ref' },
    field: 'reference_model',
    reason: /separate reference/,
  },
  {
    name: 'openrlhf SFT/DPO launch on one machine',
    engine: 'openrlhf',
    algorithm: 'sft',
    options: { nodes: 2 },
    code: 'AB_TRAIN_ENGINE_INPUT',
    field: 'nodes',
    reason: /one machine/,
  },
  {
    name: 'verl has no DPO',
    engine: 'verl',
    algorithm: 'dpo',
    field: 'algorithm',
    reason: /no reward-model, DPO/,
  },
  {
    name: 'verl has no RM trainer',
    engine: 'verl',
    algorithm: 'rm',
    field: 'algorithm',
    reason: /reward-model/,
  },
  {
    name: 'verl has no online DPO',
    engine: 'verl',
    algorithm: 'online_dpo',
    field: 'algorithm',
    reason: /online DPO/,
  },
  {
    name: 'verl SFT schedules cosine only',
    engine: 'verl',
    algorithm: 'sft',
    field: 'hyperparameters.schedule',
    reason: /"cosine" or "wsd"/,
  },
  {
    name: 'verl PPO has no linear schedule',
    engine: 'verl',
    algorithm: 'ppo',
    over: { hyperparameters: { learning_rate: 1e-6, schedule: 'linear' } },
    field: 'hyperparameters.schedule',
    reason: /not "linear"/,
  },
  {
    name: 'verl always applies a chat template',
    engine: 'verl',
    algorithm: 'ppo',
    over: { template: { kind: 'plain' } },
    field: 'template.kind',
    reason: /plain template/,
  },
  {
    name: 'verl minibatches must divide the rollout',
    engine: 'verl',
    algorithm: 'ppo',
    over: { ppo: { prompts_per_iteration: 12 } },
    field: 'ppo.prompts_per_iteration',
    reason: /must divide/,
  },
  {
    name: 'verl reads parquet only',
    engine: 'verl',
    algorithm: 'ppo',
    paths: { trainFiles: ['/data/train.jsonl'] },
    code: 'AB_TRAIN_ENGINE_INPUT',
    field: 'trainFiles',
    reason: /\.parquet/,
  },
  {
    name: 'an extra flag the engine version lacks',
    engine: 'trl',
    algorithm: 'sft',
    options: { extra_args: ['--no_such_flag', '1'] },
    code: 'AB_TRAIN_ENGINE_INPUT',
    field: 'extra_args',
    reason: /unknown flag "--no_such_flag"/,
  },
  {
    name: 'an extra flag repeating a generated one',
    engine: 'openrlhf',
    algorithm: 'sft',
    options: { extra_args: ['--adam.lr', '1e-3'] },
    code: 'AB_TRAIN_ENGINE_INPUT',
    field: 'extra_args',
    reason: /given twice/,
  },
  {
    name: 'an unknown engine',
    engine: 'nemo' as EngineName,
    algorithm: 'sft',
    code: 'AB_TRAIN_ENGINE_INPUT',
    field: 'engine',
    reason: /unknown engine/,
  },
];

describe('unsupported combinations are refused with the reason and the field', () => {
  test.each(REFUSED)('$name', ({ engine, algorithm, over, paths: p, options, code, field, reason }) => {
    const ext = engine === 'verl' ? 'parquet' : 'jsonl';
    let error: unknown;
    try {
      translateRecipe(engine, makeRecipe(algorithm, over), { ...paths(ext), ...p }, options);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EngineAdapterError);
    const e = error as EngineAdapterError;
    expect(e.code).toBe(code ?? 'AB_TRAIN_ENGINE_UNSUPPORTED');
    expect(e.where.field).toBe(field);
    expect(e.message).toMatch(reason);
    expect(e.message).toContain(`${engine}: `);
    if (e.code === 'AB_TRAIN_ENGINE_UNSUPPORTED') expect(e.where.file).toBe('recipes/tiny.yaml');
  });
});
