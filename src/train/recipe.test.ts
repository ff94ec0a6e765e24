import { expect, test } from 'vitest';
import { parseRecipe } from './recipe.js';

const OK = `name: dpo-1
algorithm: dpo
base_model: sft@3
datasets:
  - { name: prefs, version: v7 }
hyperparameters:
  learning_rate: 0.0001
  max_length: 1024
dpo: { beta: 0.2, loss_type: ipo }
`;

test('a recipe parses with defaults and a hash that ignores formatting', () => {
  const a = parseRecipe(OK, 'r.yaml');
  expect(a.recipe.dpo).toEqual({ beta: 0.2, loss_type: 'ipo' });
  expect(a.recipe.packing.strategy).toBe('bfd');
  const b = parseRecipe(
    `# same recipe, other layout\n${OK.replace('dpo: { beta: 0.2, loss_type: ipo }', 'dpo:\n  loss_type: ipo\n  beta: 0.2')}`,
  );
  expect(b.hash).toBe(a.hash);
  expect(parseRecipe(OK.replace('0.2', '0.3')).hash).not.toBe(a.hash);
});

test.each([
  [
    'a bad value names file, line and field',
    OK.replace('beta: 0.2', 'beta: -1'),
    /r\.yaml:9 field "dpo\.beta"/,
  ],
  [
    'an unknown key is refused',
    OK.replace('max_length: 1024', 'max_length: 1024\n  lr: 3'),
    /r\.yaml:7 field "hyperparameters"/,
  ],
  [
    'PPO without a reward model',
    OK.replace('algorithm: dpo', 'algorithm: ppo'),
    /field "reward_model".*needs a reward_model/,
  ],
  ['broken YAML', 'name: [x', /r\.yaml:1: not valid YAML/],
  [
    'the command engine without its template',
    `${OK}engine: command\nexecutor: slurm\n`,
    /field "engine_options\.command".*needs engine_options\.command\.template/,
  ],
  ['the ray executor without an address', `${OK}executor: ray\n`, /field "executor_options\.ray"/],
  ['an engine that runs as a command, inline', `${OK}engine: trl\nexecutor: inline\n`, /field "executor"/],
])('%s', (_name, text, message) => {
  expect(() => parseRecipe(text, 'r.yaml')).toThrow(message);
});

test('engine and executor settings parse, and leave the hash of a recipe without them unchanged', () => {
  const plain = parseRecipe(OK);
  const slurm = parseRecipe(
    `${OK}engine: command\nengine_options: { command: { template: "train {recipe_file}" } }\nexecutor: slurm\nexecutor_options: { slurm: { partition: gpu, time_limit_minutes: 30 } }\n`,
  );
  expect(slurm.recipe.executor_options).toEqual({
    poll_ms: 1000,
    slurm: { partition: 'gpu', time_limit_minutes: 30 },
  });
  expect(slurm.hash).not.toBe(plain.hash);
  expect(plain.recipe.engine_options).toBeUndefined();
});
