import { describe, expect, test } from 'vitest';
import { type RecipeInput, RecipeSchema } from '../recipe.js';
import { CommandMetricRowSchema, splitCommandLine } from './command-engine.js';
import type { EngineOptionsInput, EnginePaths } from './engine-launch.js';
import { EngineAdapterError } from './errors.js';
import { translateRecipe } from './translate-recipe.js';

const recipe = (over: Partial<RecipeInput> = {}) =>
  RecipeSchema.parse({
    name: 'tiny dpo',
    algorithm: 'dpo',
    base_model: 'tiny@1',
    datasets: [{ name: 'prefs', version: 'v2' }],
    hyperparameters: { learning_rate: 5e-7, seed: 3 },
    dpo: { beta: 0.25, loss_type: 'ipo' },
    ...over,
  });

const paths: EnginePaths = {
  baseModel: '/models/base model',
  trainFiles: ['/data/prefs.jsonl'],
  outputDir: '/runs/7/out',
  workDir: '/runs/7/work',
};

const run = (template: string | string[], extra: EngineOptionsInput = {}, p: Partial<EnginePaths> = {}) =>
  translateRecipe('command', recipe(), { ...paths, ...p }, { command: { template }, ...extra });

describe('command engine placeholders', () => {
  test.each([
    { template: 'train --model {base_model}', argv: ['train', '--model', '/models/base model'] },
    { template: '--lr={learning_rate} --beta {dpo.beta}', argv: ['--lr=5e-7', '--beta', '0.25'] },
    { template: 'x {dpo.loss_type} {algorithm} {seed}', argv: ['x', 'ipo', 'dpo', '3'] },
    { template: 'x \'{name}\' "a b"', argv: ['x', 'tiny dpo', 'a b'] },
    { template: 'x {{literal}} {{{seed}}}', argv: ['x', '{literal}', '{3}'] },
    {
      template: 'x {metrics_file} {recipe_file}',
      argv: ['x', '/runs/7/out/metrics.jsonl', '/runs/7/work/recipe.json'],
    },
    { template: 'x {reference_model} {packing_capacity}', argv: ['x', '/models/base model', '512'] },
    {
      template: ['x', '--data={train_files}', '{ppo.kl_target}'],
      argv: ['x', '--data=/data/prefs.jsonl', '1'],
    },
  ])('$template', ({ template, argv }) => {
    expect(run(template).argv).toEqual(argv);
  });

  test('a value with spaces or quotes stays one argument and is never shell-expanded', () => {
    const launch = run('t {base_model}', {}, { baseModel: "/m/it's $HOME; rm -rf /" });
    expect(launch.argv).toEqual(['t', "/m/it's $HOME; rm -rf /"]);
  });

  test('the launch carries the contract: env, recipe file, metrics file', () => {
    const launch = run('t', { command: { template: 't', env: { OURLAB: '1' } } });
    expect(launch.env).toEqual({
      OURLAB: '1',
      ALIGNBOARD_RECIPE_FILE: '/runs/7/work/recipe.json',
      ALIGNBOARD_OUTPUT_DIR: '/runs/7/out',
      ALIGNBOARD_METRICS_FILE: '/runs/7/out/metrics.jsonl',
    });
    expect(launch.metrics).toEqual({ format: 'jsonl', path: '/runs/7/out/metrics.jsonl' });
    const [file] = launch.files;
    expect(file?.path).toBe('/runs/7/work/recipe.json');
    expect(JSON.parse(file?.content ?? '')).toMatchObject({
      recipe: { dpo: { beta: 0.25 } },
      paths: { outputDir: '/runs/7/out' },
    });
  });

  test('splitCommandLine keeps quoted whitespace and escaped quotes', () => {
    expect(splitCommandLine(`  a  'b c' "d \\"e\\" \\\\"f  `)).toEqual(['a', 'b c', 'd "e" \\f']);
  });
});

describe('command engine template errors name the placeholder and the word', () => {
  test.each([
    { template: 't --x {nope}', field: 'command.template[2]', reason: /unknown placeholder \{nope\}/ },
    { template: 't {max_steps}', field: 'command.template[1]', reason: /no max_steps/ },
    { template: 't {eval_file}', field: 'command.template[1]', reason: /no held-out file/ },
    { template: 't {reward_model}', field: 'command.template[1]', reason: /no reward model/ },
    { template: 't {seed', field: 'command.template[1]', reason: /stray "\{"/ },
    { template: "t 'open", field: 'command.template', reason: /unclosed ' quote at column 3/ },
    { template: '   ', field: 'command.template', reason: /empty/ },
  ])('$template', ({ template, field, reason }) => {
    let error: unknown;
    try {
      run(template);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EngineAdapterError);
    expect((error as EngineAdapterError).code).toBe('AB_TRAIN_ENGINE_TEMPLATE');
    expect((error as EngineAdapterError).where.field).toBe(field);
    expect((error as EngineAdapterError).message).toMatch(reason);
  });

  test('{train_file} with several files points to {train_files}', () => {
    expect(() => run('t {train_file}', {}, { trainFiles: ['/a.jsonl', '/b.jsonl'] })).toThrow(
      /use \{train_files\}/,
    );
  });

  test('no template at all is an input error', () => {
    expect(() => translateRecipe('command', recipe(), paths)).toThrow(
      expect.objectContaining({ code: 'AB_TRAIN_ENGINE_INPUT', where: { field: 'command.template' } }),
    );
  });
});

describe('metrics line schema of the contract', () => {
  test.each([
    { line: { step: 3, loss: 0.5, note: 'x' }, ok: true },
    { line: { step: 0 }, ok: true },
    { line: { loss: 0.5 }, ok: false },
    { line: { step: -1 }, ok: false },
    { line: { step: 1.5 }, ok: false },
    { line: { step: 1, nested: { a: 1 } }, ok: false },
  ])('$line', ({ line, ok }) => {
    expect(CommandMetricRowSchema.safeParse(line).success).toBe(ok);
  });
});
