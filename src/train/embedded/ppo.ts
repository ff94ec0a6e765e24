// PPO for language models (Ziegler et al. 2019; Ouyang et al. 2022): a value head on the shared
// trunk, clipped surrogate objective, GAE(γ, λ), per-token KL penalty against the frozen reference
// with an adaptive KL controller, reward from the reward model at the last token.
import type { LlamaModel } from '../../engine/index.js';
import {
  backwardFromLogits,
  batchOf,
  beginStep,
  finishStep,
  forwardBatch,
  rowLogprobs,
  type ScoredSequence,
} from './logit-grads.js';
import type { AlgorithmLoop, LoopContext, RewardModel, Sampler } from './loop.js';
import { scoreSequences, scoringTrainer } from './reward-model.js';
import { headBackward, headScore, headStep, type ScalarHead } from './scalar-head.js';
import { learningRate } from './schedule.js';
import { mixSeed, permutation, rngFor } from './seeded.js';

/** GAE over one sequence's action rows: returns advantages and returns (same length as rewards). */
export function gae(
  rewards: number[],
  values: number[],
  gamma: number,
  lam: number,
): { adv: number[]; ret: number[] } {
  const n = rewards.length;
  const adv = new Array<number>(n).fill(0);
  let last = 0;
  for (let t = n - 1; t >= 0; t--) {
    const next = t + 1 < n ? (values[t + 1] as number) : 0;
    const delta = (rewards[t] as number) + gamma * next - (values[t] as number);
    last = delta + gamma * lam * last;
    adv[t] = last;
  }
  return { adv, ret: adv.map((a, t) => a + (values[t] as number)) };
}

/** Ziegler et al.'s proportional controller: β ← β·(1 + clip(KL/target − 1, ±0.2)·n/horizon). */
export function updateKlCoef(coef: number, kl: number, target: number, n: number, horizon: number): number {
  const err = Math.max(-0.2, Math.min(0.2, kl / target - 1));
  return coef * (1 + (err * n) / horizon);
}

export function createPpoLoop(ctx: LoopContext, prompts: readonly number[][]): AlgorithmLoop {
  const hp = ctx.recipe.hyperparameters;
  const o = ctx.recipe.ppo;
  const totalSteps = hp.max_steps ?? o.iterations;
  const rm = ctx.rewardModel as RewardModel;
  const sampler = ctx.sampler as Sampler;
  const reference = ctx.reference as LlamaModel;
  const trainer = ctx.state.trainer;
  const head = ctx.state.head as ScalarHead;
  const V = trainer.model.config.V;
  let klCoef = o.kl_coef;

  return {
    totalSteps,
    async runStep(step) {
      const t0 = performance.now();
      const order = permutation(prompts.length, rngFor(hp.seed, 7, step));
      const chosenPrompts = order.slice(0, o.prompts_per_iteration).map((i) => prompts[i] as number[]);
      const sampled = await sampler.sample(
        chosenPrompts.map((prompt, pi) => ({ prompt, seed: mixSeed(hp.seed, 8, step, pi) })),
        { n: 1, temperature: o.temperature, maxTokens: o.max_new_tokens },
      );
      const seqs: ScoredSequence[] = chosenPrompts.map((prompt, pi) => {
        const c = sampled[pi]?.[0];
        const comp = c?.length ? c : [trainer.model.config.eosTokenIds[0] ?? 0];
        return { tokens: [...prompt, ...comp], start: prompt.length };
      });
      const scores = scoreSequences(rm, seqs);
      const batch = batchOf(seqs);
      const { B, T } = batch;
      // Rollout statistics under the sampling policy (old) and the reference.
      const refActs = forwardBatch(scoringTrainer(reference), batch);
      const refLp = rowLogprobs(refActs, batch.targets, V);
      const oldActs = forwardBatch(trainer, batch);
      const oldLp = rowLogprobs(oldActs, batch.targets, V);
      const rows: number[][] = [];
      const advs = new Float64Array(B * T);
      const rets = new Float64Array(B * T);
      let klSum = 0;
      for (const [b, s] of seqs.entries()) {
        const r: number[] = [];
        for (let t = s.start - 1; t + 1 < s.tokens.length; t++) r.push(b * T + t);
        rows.push(r);
        const values = r.map((row) => headScore(head, oldActs.logits, row, V));
        const kl = r.map((row) => (oldLp[row] as number) - (refLp[row] as number));
        klSum += kl.reduce((a, x) => a + x, 0);
        const rewards = kl.map((k) => -klCoef * k);
        rewards[rewards.length - 1] = (rewards.at(-1) as number) + (scores[b] as number);
        const { adv, ret } = gae(rewards, values, o.gamma, o.lam);
        for (const [k, row] of r.entries()) {
          advs[row] = adv[k] as number;
          rets[row] = ret[k] as number;
        }
      }
      const all = rows.flat();
      const nTok = all.length;
      // Whitened advantages.
      let mean = 0;
      for (const row of all) mean += (advs[row] as number) / nTok;
      let vr = 0;
      for (const row of all) vr += ((advs[row] as number) - mean) ** 2 / nTok;
      const sd = Math.sqrt(vr) + 1e-8;
      for (const row of all) advs[row] = ((advs[row] as number) - mean) / sd;

      const lr = learningRate(hp.learning_rate, hp.schedule, hp.warmup_steps, step, totalSteps);
      let pgLoss = 0;
      let vLoss = 0;
      let clipFrac = 0;
      for (let e = 0; e < o.ppo_epochs; e++) {
        beginStep(trainer);
        const acts = forwardBatch(trainer, batch);
        const lp = rowLogprobs(acts, batch.targets, V);
        const dLogp = new Float64Array(B * T);
        const extra = new Float32Array(B * T * V);
        pgLoss = 0;
        vLoss = 0;
        clipFrac = 0;
        for (const row of all) {
          const ratio = Math.exp((lp[row] as number) - (oldLp[row] as number));
          const a = advs[row] as number;
          const clipped = Math.max(1 - o.clip_range, Math.min(1 + o.clip_range, ratio));
          pgLoss += -Math.min(ratio * a, clipped * a) / nTok;
          const active = (a >= 0 && ratio < 1 + o.clip_range) || (a < 0 && ratio > 1 - o.clip_range);
          if (!active) clipFrac += 1 / nTok;
          dLogp[row] = active ? (-a * ratio) / nTok : 0;
          const v = headScore(head, acts.logits, row, V);
          const err = v - (rets[row] as number);
          vLoss += (0.5 * err * err) / nTok;
          headBackward(head, acts.logits, row, V, (o.vf_coef * err) / nTok, extra);
        }
        backwardFromLogits(trainer, acts, batch, dLogp, extra);
        finishStep(trainer, { lr, weightDecay: hp.weight_decay, maxGradNorm: hp.max_grad_norm });
        headStep(head, lr);
      }
      const kl = klSum / B;
      if (o.kl_target !== null) klCoef = updateKlCoef(klCoef, kl, o.kl_target, B, o.kl_horizon);
      const secs = (performance.now() - t0) / 1000;
      return {
        mean_reward: scores.reduce((a, x) => a + x, 0) / B,
        kl,
        kl_coef: klCoef,
        pg_loss: pgLoss,
        value_loss: vLoss,
        clip_frac: clipFrac,
        lr,
        tokens_per_s: seqs.reduce((a, s) => a + s.tokens.length, 0) / secs,
      };
    },
    extraState: () => ({ kl_coef: klCoef }),
    restoreExtra(extra) {
      if (extra.kl_coef !== undefined) klCoef = extra.kl_coef;
    },
  };
}
