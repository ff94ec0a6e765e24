// Online DPO (Guo et al. 2024): per iteration, sample k completions per prompt from the current
// policy, score them with the reward model, pair best against worst, and take DPO steps on the pairs.
// As in TRL's OnlineDPOTrainer the reference stays the frozen starting policy; the sampler must draw
// from the weights being trained, or the pairs go stale.
import type { LlamaModel } from '../../engine/index.js';
import { dpoStep, frozenLogprobs } from './dpo.js';
import type { AlgorithmLoop, LoopContext, PreferencePair, RewardModel, Sampler } from './loop.js';
import { pairSeqs } from './loop.js';
import { scoreSequences } from './reward-model.js';
import { learningRate } from './schedule.js';
import { mixSeed, permutation, rngFor } from './seeded.js';

export function createOnlineDpoLoop(ctx: LoopContext, prompts: readonly number[][]): AlgorithmLoop {
  const hp = ctx.recipe.hyperparameters;
  const o = ctx.recipe.online_dpo;
  const totalSteps = hp.max_steps ?? o.iterations;
  const rm = ctx.rewardModel as RewardModel;
  const sampler = ctx.sampler as Sampler;
  const reference = ctx.reference as LlamaModel;
  return {
    totalSteps,
    async runStep(step) {
      const t0 = performance.now();
      const order = permutation(prompts.length, rngFor(hp.seed, 5, step));
      const chosenPrompts = order.slice(0, o.prompts_per_iteration).map((i) => prompts[i] as number[]);
      const sampled = await sampler.sample(
        chosenPrompts.map((prompt, pi) => ({ prompt, seed: mixSeed(hp.seed, 6, step, pi) })),
        { n: o.k, temperature: o.temperature, maxTokens: o.max_new_tokens },
      );
      const sampleSeconds = (performance.now() - t0) / 1000;
      const pairs: PreferencePair[] = [];
      let rewardSum = 0;
      let samples = 0;
      let best = 0;
      let worst = 0;
      let scored = 0;
      for (const [pi, prompt] of chosenPrompts.entries()) {
        const comps = (sampled[pi] ?? []).filter((c) => c.length > 0);
        if (comps.length < 2) continue;
        const scores = scoreSequences(
          rm,
          comps.map((c) => ({ tokens: [...prompt, ...c], start: prompt.length })),
        );
        let hi = 0;
        let lo = 0;
        for (let i = 0; i < scores.length; i++) {
          rewardSum += scores[i] as number;
          samples++;
          if ((scores[i] as number) > (scores[hi] as number)) hi = i;
          if ((scores[i] as number) < (scores[lo] as number)) lo = i;
        }
        best += scores[hi] as number;
        worst += scores[lo] as number;
        scored++;
        if (hi !== lo) pairs.push({ prompt, chosen: comps[hi] as number[], rejected: comps[lo] as number[] });
      }
      const metrics: Record<string, number> = {
        mean_reward: samples ? rewardSum / samples : 0,
        // over the prompts that were scored: one with fewer than two completions is skipped
        best_reward: scored ? best / scored : 0,
        worst_reward: scored ? worst / scored : 0,
        pairs: pairs.length,
      };
      if (pairs.length) {
        const refLp = frozenLogprobs(reference, pairs.flatMap(pairSeqs));
        const lr = learningRate(hp.learning_rate, hp.schedule, hp.warmup_steps, step, totalSteps);
        for (let s = 0; s < o.steps_per_iteration; s++) {
          const r = dpoStep(ctx, pairs, refLp, lr);
          Object.assign(metrics, {
            loss: r.loss,
            margin: r.margin,
            accuracy: r.accuracy,
            lr,
            grad_norm: r.gradNorm,
          });
        }
      }
      metrics.sample_seconds = sampleSeconds;
      metrics.seconds = (performance.now() - t0) / 1000;
      return metrics;
    },
    extraState: () => ({}),
    restoreExtra() {},
  };
}
