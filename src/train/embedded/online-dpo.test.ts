import { beforeAll, expect, test } from 'vitest';
import { writeTinyModel } from '../../../tests/helpers/tiny-model.js';
import {
  createModel,
  createTrainer,
  type EngineTokenizer,
  initParams,
  loadModelDir,
  setEngineThreads,
} from '../../engine/index.js';
import { RecipeSchema } from '../recipe.js';
import type { LoopContext, Sampler } from './loop.js';
import { createOnlineDpoLoop } from './online-dpo.js';
import { scoreSequences } from './reward-model.js';
import { createScalarHead } from './scalar-head.js';

// The engine's matmul worker pool does not start under vitest's transform; one thread suffices here.
beforeAll(() => setEngineThreads(1));

test('online DPO pairs the best and worst completion of a prompt, and leaves a prompt with one completion out of best/worst', async () => {
  const { dir } = await writeTinyModel({ seed: 5 });
  const { model, tokenizer } = await loadModelDir(dir);
  const V = model.config.V;
  const rm = {
    model: createModel(model.config, initParams(model.config, 6, 0.1)),
    head: createScalarHead(V, 7, 0.1),
  };
  const paired = [1, 2, 3];
  const single = [4, 5, 6];
  const completions = [[10, 11], [12, 13, 14], [15], [16, 17]];
  // A fixed sampler, so the reward of every completion is known before the loop runs.
  const sampler: Sampler = {
    sample: async (prompts, { n }) =>
      prompts.map(({ prompt }) =>
        prompt[0] === paired[0] ? completions.slice(0, n) : completions.slice(0, 1),
      ),
  };
  const ctx: LoopContext = {
    recipe: RecipeSchema.parse({
      name: 't',
      algorithm: 'online_dpo',
      base_model: 'tiny',
      reward_model: 'rm',
      datasets: [{ name: 'd', version: 'v1' }],
      hyperparameters: { learning_rate: 1e-3, batch_size: 8, max_length: 32, seed: 1 },
      online_dpo: {
        iterations: 1,
        prompts_per_iteration: 2,
        k: 4,
        max_new_tokens: 4,
        steps_per_iteration: 1,
      },
    }),
    state: { trainer: createTrainer(createModel(model.config, Float32Array.from(model.params))), head: null },
    tokenizer: tokenizer as EngineTokenizer,
    reference: model,
    rewardModel: rm,
    sampler,
  };
  const m = await createOnlineDpoLoop(ctx, [paired, single]).runStep(0);
  const scores = scoreSequences(
    rm,
    completions.map((c) => ({ tokens: [...paired, ...c], start: paired.length })),
  );
  expect(m.pairs).toBe(1);
  expect(m.best_reward).toBeCloseTo(Math.max(...scores), 5);
  expect(m.worst_reward).toBeCloseTo(Math.min(...scores), 5);
  expect(m.mean_reward).toBeCloseTo(scores.reduce((a, x) => a + x, 0) / scores.length, 5);
});
