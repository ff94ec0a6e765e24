// Direct preference optimization (Rafailov et al. 2023) with the sigmoid loss and IPO (Azar et al.
// 2023). The reference model is frozen; its log-probs are computed once for the whole dataset.
import type { LlamaModel } from '../../engine/index.js';
import {
  backwardFromLogits,
  batchOf,
  beginStep,
  finishStep,
  forwardBatch,
  rowLogprobs,
  type ScoredSequence,
  sequenceLogprobs,
} from './logit-grads.js';
import { type AlgorithmLoop, type LoopContext, type PreferencePair, pairSeqs } from './loop.js';
import { scoringTrainer } from './reward-model.js';
import { learningRate } from './schedule.js';
import { permutation, rngFor } from './seeded.js';

const logSigmoid = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Summed completion log-probs of each sequence under a frozen model, in chunks. */
export function frozenLogprobs(model: LlamaModel, seqs: readonly ScoredSequence[], chunk = 16): Float64Array {
  const out = new Float64Array(seqs.length);
  const trainer = scoringTrainer(model);
  for (let i = 0; i < seqs.length; i += chunk) {
    const part = seqs.slice(i, i + chunk);
    const batch = batchOf(part);
    const acts = forwardBatch(trainer, batch);
    const lp = sequenceLogprobs(rowLogprobs(acts, batch.targets, model.config.V), batch.B, batch.T);
    out.set(lp, i);
  }
  return out;
}

export interface DpoStepResult {
  loss: number;
  accuracy: number;
  rewardChosen: number;
  rewardRejected: number;
  margin: number;
  gradNorm: number;
  tokens: number;
}

/** One DPO optimizer step over `pairs` with reference log-probs refLp[2j] (chosen), refLp[2j+1] (rejected). */
export function dpoStep(
  ctx: LoopContext,
  pairs: readonly PreferencePair[],
  refLp: Float64Array,
  lr: number,
): DpoStepResult {
  const hp = ctx.recipe.hyperparameters;
  const { beta, loss_type } = ctx.recipe.dpo;
  const rpoAlpha = ctx.recipe.dpo.rpo_alpha ?? 0;
  const trainer = ctx.state.trainer;
  const V = trainer.model.config.V;
  const n = pairs.length;
  beginStep(trainer);
  let loss = 0;
  let right = 0;
  let rc = 0;
  let rr = 0;
  let tokens = 0;
  for (let i = 0; i < n; i += hp.batch_size) {
    const chunk = pairs.slice(i, i + hp.batch_size);
    const seqs = chunk.flatMap(pairSeqs);
    const batch = batchOf(seqs);
    const acts = forwardBatch(trainer, batch);
    const rowLp = rowLogprobs(acts, batch.targets, V);
    const seqLp = sequenceLogprobs(rowLp, batch.B, batch.T);
    const dSeq = new Float64Array(batch.B);
    for (let j = 0; j < chunk.length; j++) {
      const hc = (seqLp[2 * j] as number) - (refLp[2 * (i + j)] as number);
      const hr = (seqLp[2 * j + 1] as number) - (refLp[2 * (i + j) + 1] as number);
      const h = hc - hr;
      let dh: number;
      if (loss_type === 'ipo') {
        const e = h - 1 / (2 * beta);
        loss += (e * e) / n;
        dh = (2 * e) / n;
      } else {
        loss -= logSigmoid(beta * h) / n;
        dh = (-beta * sigmoid(-beta * h)) / n;
      }
      dSeq[2 * j] = dh;
      dSeq[2 * j + 1] = -dh;
      if (rpoAlpha > 0) {
        const c = seqs[2 * j] as ScoredSequence;
        const nC = c.tokens.length - c.start;
        loss -= (rpoAlpha * (seqLp[2 * j] as number)) / nC / n;
        dSeq[2 * j] = (dSeq[2 * j] as number) - rpoAlpha / nC / n;
      }
      if (h > 0) right++;
      rc += (beta * hc) / n;
      rr += (beta * hr) / n;
    }
    const dRow = new Float64Array(batch.B * batch.T);
    for (let b = 0; b < batch.B; b++) dRow.fill(dSeq[b] as number, b * batch.T, (b + 1) * batch.T);
    backwardFromLogits(trainer, acts, batch, dRow);
    tokens += seqs.reduce((s, q) => s + q.tokens.length, 0);
  }
  const gradNorm = finishStep(trainer, { lr, weightDecay: hp.weight_decay, maxGradNorm: hp.max_grad_norm });
  return {
    loss,
    accuracy: right / n,
    rewardChosen: rc,
    rewardRejected: rr,
    margin: rc - rr,
    gradNorm,
    tokens,
  };
}

export function createDpoLoop(ctx: LoopContext, pairs: readonly PreferencePair[]): AlgorithmLoop {
  const hp = ctx.recipe.hyperparameters;
  const perStep = hp.batch_size * hp.grad_accum;
  const stepsPerEpoch = Math.max(1, Math.ceil(pairs.length / perStep));
  const totalSteps = hp.max_steps ?? stepsPerEpoch * hp.epochs;
  const reference = ctx.reference as LlamaModel;
  const refAll = frozenLogprobs(reference, pairs.flatMap(pairSeqs));
  return {
    totalSteps,
    runStep(step) {
      const t0 = performance.now();
      const epoch = Math.floor(step / stepsPerEpoch);
      const order = permutation(pairs.length, rngFor(hp.seed, 4, epoch));
      const at = (step % stepsPerEpoch) * perStep;
      const ids = order.slice(at, at + perStep);
      const refLp = new Float64Array(ids.length * 2);
      for (const [j, k] of ids.entries()) {
        refLp[2 * j] = refAll[2 * k] as number;
        refLp[2 * j + 1] = refAll[2 * k + 1] as number;
      }
      const lr = learningRate(hp.learning_rate, hp.schedule, hp.warmup_steps, step, totalSteps);
      const r = dpoStep(
        ctx,
        ids.map((k) => pairs[k] as PreferencePair),
        refLp,
        lr,
      );
      const secs = (performance.now() - t0) / 1000;
      return {
        loss: r.loss,
        accuracy: r.accuracy,
        reward_chosen: r.rewardChosen,
        reward_rejected: r.rewardRejected,
        margin: r.margin,
        lr,
        grad_norm: r.gradNorm,
        tokens_per_s: r.tokens / secs,
      };
    },
    extraState: () => ({}),
    restoreExtra() {},
  };
}
