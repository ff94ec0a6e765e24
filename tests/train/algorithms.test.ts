import { beforeAll, describe, expect, test } from 'vitest';
import {
  createModel,
  createTrainer,
  type EngineTokenizer,
  type LlamaModel,
  loadModelDir,
  setEngineThreads,
} from '../../src/engine/index.js';
import { createDpoLoop } from '../../src/train/embedded/dpo.js';
import { engineSampler } from '../../src/train/embedded/engine-sampler.js';
import type { AlgorithmLoop, LoopContext, PreferencePair } from '../../src/train/embedded/loop.js';
import { createOnlineDpoLoop } from '../../src/train/embedded/online-dpo.js';
import { createPpoLoop } from '../../src/train/embedded/ppo.js';
import { createRewardModelLoop, scoreSequences } from '../../src/train/embedded/reward-model.js';
import { createScalarHead } from '../../src/train/embedded/scalar-head.js';
import { createSftLoop } from '../../src/train/embedded/sft.js';
import { type RecipeInput, RecipeSchema } from '../../src/train/index.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { isPolite, politePairs, promptIds, replyIds } from './synthetic.js';

const recipe = (over: Partial<RecipeInput>) =>
  RecipeSchema.parse({
    name: 't',
    algorithm: 'sft',
    base_model: 'tiny',
    datasets: [{ name: 'd', version: 'v1' }],
    hyperparameters: { learning_rate: 3e-3, batch_size: 8, max_length: 64, seed: 1 },
    reward_model: 'rm',
    ...over,
  });

const copy = (m: LlamaModel) => createModel(m.config, Float32Array.from(m.params));
const drain = (loop: AlgorithmLoop) => Array.from({ length: loop.totalSteps }, (_, i) => loop.runStep(i));

// The engine's matmul worker pool does not start under vitest's transform; one thread is enough for tiny models.
beforeAll(() => setEngineThreads(1));

describe('algorithms on the embedded engine', () => {
  test('SFT → RM → DPO → online DPO → PPO learn the polite preference', { timeout: 120_000 }, async () => {
    const { dir } = await writeTinyModel({ seed: 3 });
    const loaded = await loadModelDir(dir);
    const tok = loaded.tokenizer as EngineTokenizer;
    const data = politePairs(80, 2);
    const pairs: PreferencePair[] = data.map((d) => ({
      prompt: promptIds(tok, d.prompt),
      chosen: replyIds(tok, d.chosen),
      rejected: replyIds(tok, d.rejected),
    }));
    const t0 = performance.now();
    // SFT on both kinds of replies: the policy learns to answer, politely or not.
    const sftModel = copy(loaded.model);
    const sftCtx: LoopContext = {
      recipe: recipe({
        algorithm: 'sft',
        hyperparameters: { learning_rate: 3e-3, batch_size: 16, max_length: 64, seed: 1, max_steps: 16 },
      }),
      state: { trainer: createTrainer(sftModel), head: null },
      tokenizer: tok,
    };
    const sftSeqs = pairs.flatMap((p, i) => [
      { tokens: [...p.prompt, ...(i % 2 ? p.chosen : p.rejected)], start: p.prompt.length },
    ]);
    const sftM = drain(createSftLoop(sftCtx, sftSeqs));
    console.log(
      'sft',
      (sftM[0]?.loss ?? 0).toFixed(3),
      '→',
      (sftM.at(-1)?.loss ?? 0).toFixed(3),
      `${((performance.now() - t0) / 1000).toFixed(1)}s`,
    );
    expect(sftM.at(-1)?.loss).toBeLessThan((sftM[0]?.loss ?? 0) * 0.6);

    // Reward model.
    const rmModel = copy(loaded.model);
    const rmHead = createScalarHead(rmModel.config.V, 9);
    const rmCtx: LoopContext = {
      recipe: recipe({
        algorithm: 'rm',
        hyperparameters: { learning_rate: 3e-3, batch_size: 8, max_length: 64, seed: 1, max_steps: 16 },
      }),
      state: { trainer: createTrainer(rmModel), head: rmHead },
      tokenizer: tok,
    };
    const rmLoop = createRewardModelLoop(rmCtx, pairs);
    drain(rmLoop);
    const rmFinal = rmLoop.finalMetrics?.() ?? {};
    console.log('rm', rmFinal, `${((performance.now() - t0) / 1000).toFixed(1)}s`);
    expect(rmFinal.eval_accuracy).toBeGreaterThanOrEqual(0.9);
    const rm = { model: rmModel, head: rmHead };

    // DPO from the SFT model.
    const dpoModel = copy(sftModel);
    const dpoCtx: LoopContext = {
      recipe: recipe({
        algorithm: 'dpo',
        hyperparameters: { learning_rate: 2e-3, batch_size: 8, max_length: 64, seed: 1, max_steps: 8 },
      }),
      state: { trainer: createTrainer(dpoModel), head: null },
      tokenizer: tok,
      reference: sftModel,
    };
    const dpoM = drain(createDpoLoop(dpoCtx, pairs));
    console.log(
      'dpo margin',
      dpoM[0]?.margin,
      '→',
      dpoM.at(-1)?.margin,
      `${((performance.now() - t0) / 1000).toFixed(1)}s`,
    );
    expect(dpoM.at(-1)?.margin).toBeGreaterThan((dpoM[0]?.margin ?? 0) + 0.5);
    const prompts = pairs.slice(0, 16).map((p) => p.prompt);
    const meanReward = (m: LlamaModel) => {
      const s = engineSampler(m, tok);
      const seqs = prompts.map((p, i) => ({
        tokens: [...p, ...(s.sample(p, { n: 1, temperature: 1, maxTokens: 12, seed: i })[0] ?? [])],
        start: p.length,
      }));
      const texts = seqs.map((q) => tok.decode(q.tokens.slice(q.start), { skipSpecialTokens: true }));
      const r = scoreSequences(rm, seqs);
      return {
        reward: r.reduce((a, x) => a + x, 0) / r.length,
        polite: texts.filter(isPolite).length / texts.length,
        r,
      };
    };
    const sftR = meanReward(sftModel);
    const dpoR = meanReward(dpoModel);
    const wins = dpoR.r.filter((x, i) => x > (sftR.r[i] as number)).length / dpoR.r.length;
    console.log(
      'sft reward',
      sftR.reward,
      sftR.polite,
      'dpo reward',
      dpoR.reward,
      dpoR.polite,
      'win rate',
      wins,
    );
    expect(dpoR.reward).toBeGreaterThan(sftR.reward);

    // Online DPO from the SFT model.
    const odModel = copy(sftModel);
    const odCtx: LoopContext = {
      recipe: recipe({
        algorithm: 'online_dpo',
        hyperparameters: { learning_rate: 2e-3, batch_size: 16, max_length: 64, seed: 1 },
        online_dpo: {
          iterations: 4,
          prompts_per_iteration: 6,
          k: 4,
          max_new_tokens: 10,
          steps_per_iteration: 2,
        },
      }),
      state: { trainer: createTrainer(odModel), head: null },
      tokenizer: tok,
      reference: sftModel,
      rewardModel: rm,
      sampler: engineSampler(odModel, tok),
    };
    const odM = drain(createOnlineDpoLoop(odCtx, prompts));
    console.log(
      'online dpo',
      odM.map((m) => m.mean_reward?.toFixed(2)).join(' '),
      `${((performance.now() - t0) / 1000).toFixed(1)}s`,
    );

    // PPO from the SFT model.
    const ppoModel = copy(sftModel);
    const ppoCtx: LoopContext = {
      recipe: recipe({
        algorithm: 'ppo',
        hyperparameters: { learning_rate: 1e-3, batch_size: 16, max_length: 64, seed: 1 },
        ppo: { iterations: 6, prompts_per_iteration: 12, max_new_tokens: 10, kl_target: 2, kl_coef: 0.05 },
      }),
      state: { trainer: createTrainer(ppoModel), head: createScalarHead(ppoModel.config.V, 10) },
      tokenizer: tok,
      reference: sftModel,
      rewardModel: rm,
      sampler: engineSampler(ppoModel, tok),
    };
    const ppoM = drain(createPpoLoop(ppoCtx, prompts));
    const avg = (xs: (number | undefined)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0) / xs.length;
    expect(avg(ppoM.slice(-2).map((m) => m.mean_reward))).toBeGreaterThan(ppoM[0]?.mean_reward ?? 0);
    // The adaptive controller keeps KL inside its band (below twice the target).
    for (const m of ppoM) expect(m.kl).toBeLessThan(2 * 2);
    console.log(
      'ppo',
      ppoM.map((m) => `${m.mean_reward?.toFixed(2)}/${m.kl?.toFixed(2)}`).join(' '),
      `${((performance.now() - t0) / 1000).toFixed(1)}s`,
    );
  });
});
