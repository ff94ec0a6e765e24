import { describe, expect, test } from 'vitest';
import { checkArgsAgainstFixture, type EntryPointFixture, splitLaunch } from './engine-fixture.js';
import { OPENRLHF_0_11_0 } from './fixtures/openrlhf-0.11.0.js';
import { TRL_1_9_0 } from './fixtures/trl-1.9.0.js';
import { VERL_0_7_0 } from './fixtures/verl-0.7.0.js';

const entry: EntryPointFixture = {
  launch: ['tool', 'run'],
  required: ['--model'],
  options: { '--model': 'value', '--packing': 'switch', '--targets': 'list', '--mode': 'value' },
  choices: { '--mode': ['a', 'b'] },
};

describe('checkArgsAgainstFixture (flags)', () => {
  test.each([
    { name: 'fits', args: ['--model', 'm', '--packing', '--targets', 'q', 'v', '--mode', 'a'], problems: [] },
    { name: 'unknown flag', args: ['--model', 'm', '--nope', '1'], problems: ['unknown flag "--nope"'] },
    {
      name: 'switch with a value',
      args: ['--model', 'm', '--packing', 'true'],
      problems: ['switch "--packing" given a value'],
    },
    { name: 'value missing', args: ['--model'], problems: ['flag "--model" needs exactly one value'] },
    { name: 'two values', args: ['--model', 'a', 'b'], problems: ['flag "--model" needs exactly one value'] },
    {
      name: 'empty list',
      args: ['--model', 'm', '--targets'],
      problems: ['flag "--targets" needs at least one value'],
    },
    {
      name: 'bad choice',
      args: ['--model', 'm', '--mode', 'c'],
      problems: ['"--mode" is "c", not one of a, b'],
    },
    { name: 'repeated', args: ['--model', 'm', '--model', 'n'], problems: ['flag "--model" given twice'] },
    { name: 'required missing', args: ['--packing'], problems: ['required "--model" is missing'] },
    { name: 'stray value', args: ['x', '--model', 'm'], problems: ['stray value "x" at position 0'] },
  ])('$name', ({ args, problems }) => {
    expect(checkArgsAgainstFixture(args, entry, 'flags')).toEqual(problems);
  });
});

describe('checkArgsAgainstFixture (hydra)', () => {
  const hydra: EntryPointFixture = {
    launch: ['python3', '-m', 'x'],
    required: ['data.train_files'],
    options: { 'data.train_files': 'value', 'trainer.logger': 'list' },
    choices: {},
  };
  test.each([
    { name: 'fits', args: ['data.train_files=/a', 'trainer.logger=[console]'], problems: [] },
    {
      name: 'unknown key',
      args: ['data.train_files=/a', 'data.nope=1'],
      problems: ['unknown override "data.nope"'],
    },
    {
      name: 'not key=value',
      args: ['data.train_files=/a', 'oops'],
      problems: ['"oops" is not a key=value override'],
    },
    { name: 'required missing', args: [], problems: ['required "data.train_files" is missing'] },
  ])('$name', ({ args, problems }) => {
    expect(checkArgsAgainstFixture(args, hydra, 'hydra')).toEqual(problems);
  });
});

test('splitLaunch separates launcher options from the entry point options', () => {
  const e = OPENRLHF_0_11_0.entryPoints.train_sft as EntryPointFixture;
  expect(
    splitLaunch(['deepspeed', '--num_gpus', '8', '--module', 'openrlhf.cli.train_sft', '--adam.lr', '1'], e),
  ).toEqual({
    launcher: ['deepspeed', '--num_gpus', '8', '--module', 'openrlhf.cli.train_sft'],
    args: ['--adam.lr', '1'],
  });
  expect(splitLaunch(['python3', '-m', 'openrlhf.cli.train_sft'], e)).toBeUndefined();
});

// The fixtures are recorded from the engines' source; these are spot checks that they say what the
// engines' documentation says, so a bad regeneration cannot pass unnoticed.
describe('fixtures record the pinned engine versions', () => {
  test.each([
    { fixture: TRL_1_9_0, ref: 'v1.9.0', commit: '35def3ee000a87f6839e66f4b7749b06274ed1b3' },
    { fixture: OPENRLHF_0_11_0, ref: 'v0.11.0', commit: '3c3be6234e0cb353e76bb8019947db9dfe99fca7' },
    { fixture: VERL_0_7_0, ref: 'v0.7.0', commit: 'f9c855f7cf04d603c9546bc01776c74806a879c1' },
  ])('$ref', ({ fixture, ref, commit }) => {
    expect(fixture.source.ref).toBe(ref);
    expect(fixture.source.commit).toBe(commit);
    expect(fixture.source.files.length).toBeGreaterThan(0);
  });

  test.each([
    [
      TRL_1_9_0,
      'sft',
      ['--packing', '--padding_free', '--max_length', '--learning_rate', '--use_peft', '--lora_r'],
    ],
    [TRL_1_9_0, 'dpo', ['--beta', '--loss_type', '--precompute_ref_log_probs', '--padding_free']],
    [TRL_1_9_0, 'reward', ['--center_rewards_coefficient', '--test_split_size']],
    [
      OPENRLHF_0_11_0,
      'train_dpo',
      ['--model.beta', '--model.ipo_enable', '--ref.model_name_or_path', '--data.chosen_key'],
    ],
    [
      OPENRLHF_0_11_0,
      'train_ppo_ray',
      ['--actor.adam.lr', '--critic.adam.lr', '--algo.kl.target', '--vllm.num_engines'],
    ],
    [
      VERL_0_7_0,
      'main_ppo',
      ['algorithm.adv_estimator', 'algorithm.kl_ctrl.kl_coef', 'actor_rollout_ref.model.path'],
    ],
    [VERL_0_7_0, 'fsdp_sft_trainer', ['model.partial_pretrain', 'optim.lr', 'data.response_key']],
  ] as const)('%#: entry point %s has its documented options', (fixture, name, options) => {
    const e = fixture.entryPoints[name];
    for (const option of options) expect(e?.options, option).toHaveProperty([option]);
  });

  test.each([
    [TRL_1_9_0, 'sft', '--beta'],
    [TRL_1_9_0, 'reward', '--packing'],
    [TRL_1_9_0, 'dpo', '--packing'],
    [OPENRLHF_0_11_0, 'train_ppo_ray', '--ref.model_name_or_path'],
    [OPENRLHF_0_11_0, 'train_sft', '--max_steps'],
  ] as const)('%#: entry point %s lacks %s (why some recipes are refused)', (fixture, name, option) => {
    expect(fixture.entryPoints[name]?.options).not.toHaveProperty([option]);
  });
});
