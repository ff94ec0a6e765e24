// Reward model: a scalar head on the final token, Bradley–Terry loss −log σ(r_c − r_r − m),
// accuracy on a held-out split.
import type { LlamaModel } from '../../engine/index.js';
import { createTrainer } from '../../engine/index.js';
import {
  backwardFromLogits,
  batchOf,
  beginStep,
  finishStep,
  forwardBatch,
  type ScoredSequence,
} from './logit-grads.js';
import {
  type AlgorithmLoop,
  type LoopContext,
  type PreferencePair,
  pairSeqs,
  type RewardModel,
} from './loop.js';
import { headBackward, headScore, headStep, type ScalarHead } from './scalar-head.js';
import { learningRate } from './schedule.js';
import { permutation, rngFor } from './seeded.js';

const logSigmoid = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Rewards of whole sequences: the head read at each sequence's last token. */
export function scoreSequences(rm: RewardModel, seqs: readonly ScoredSequence[]): number[] {
  const trainer = scoringTrainer(rm.model);
  const batch = batchOf(seqs);
  const acts = forwardBatch(trainer, batch);
  const V = rm.model.config.V;
  return seqs.map((s, b) => headScore(rm.head, acts.logits, b * batch.T + s.tokens.length - 1, V));
}

const scoringTrainers = new WeakMap<LlamaModel, ReturnType<typeof createTrainer>>();
/** Forward-only use of a frozen model reuses one trainer's activation buffers. */
export function scoringTrainer(model: LlamaModel) {
  let t = scoringTrainers.get(model);
  if (!t) {
    t = createTrainer(model);
    scoringTrainers.set(model, t);
  }
  return t;
}

export function createRewardModelLoop(ctx: LoopContext, pairs: readonly PreferencePair[]): AlgorithmLoop {
  const hp = ctx.recipe.hyperparameters;
  const head = ctx.state.head as ScalarHead;
  const split = permutation(pairs.length, rngFor(hp.seed, 2));
  const nEval = Math.floor(pairs.length * ctx.recipe.rm.eval_fraction);
  const evalIds = split.slice(0, nEval);
  const trainIds = split.slice(nEval);
  const perStep = hp.batch_size * hp.grad_accum;
  const stepsPerEpoch = Math.max(1, Math.ceil(trainIds.length / perStep));
  const totalSteps = hp.max_steps ?? stepsPerEpoch * hp.epochs;
  const V = ctx.state.trainer.model.config.V;
  const useMargin = ctx.recipe.rm.use_margin;

  const accuracy = (ids: number[]) => {
    if (!ids.length) return Number.NaN;
    const rm = { model: ctx.state.trainer.model, head };
    let right = 0;
    for (let i = 0; i < ids.length; i += 16) {
      const chunk = ids.slice(i, i + 16).map((k) => pairs[k] as PreferencePair);
      const r = scoreSequences(rm, chunk.flatMap(pairSeqs));
      for (let j = 0; j < chunk.length; j++) if ((r[2 * j] as number) > (r[2 * j + 1] as number)) right++;
    }
    return right / ids.length;
  };

  return {
    totalSteps,
    runStep(step) {
      const t0 = performance.now();
      const epoch = Math.floor(step / stepsPerEpoch);
      const order = permutation(trainIds.length, rngFor(hp.seed, 3, epoch)).map((i) => trainIds[i] as number);
      const at = (step % stepsPerEpoch) * perStep;
      const ids = order.slice(at, at + perStep);
      const lr = learningRate(hp.learning_rate, hp.schedule, hp.warmup_steps, step, totalSteps);
      beginStep(ctx.state.trainer);
      let loss = 0;
      let right = 0;
      let marginSum = 0;
      let tokens = 0;
      for (let m = 0; m < hp.grad_accum; m++) {
        const chunk = ids
          .slice(m * hp.batch_size, (m + 1) * hp.batch_size)
          .map((k) => pairs[k] as PreferencePair);
        if (!chunk.length) continue;
        const seqs = chunk.flatMap(pairSeqs);
        const batch = batchOf(seqs);
        const acts = forwardBatch(ctx.state.trainer, batch);
        const extra = new Float32Array(batch.B * batch.T * V);
        for (const [j, p] of chunk.entries()) {
          const rc = seqs[2 * j] as ScoredSequence;
          const rr = seqs[2 * j + 1] as ScoredSequence;
          const rowC = 2 * j * batch.T + rc.tokens.length - 1;
          const rowR = (2 * j + 1) * batch.T + rr.tokens.length - 1;
          const d =
            headScore(head, acts.logits, rowC, V) -
            headScore(head, acts.logits, rowR, V) -
            (useMargin ? (p.margin ?? 0) : 0);
          loss -= logSigmoid(d) / ids.length;
          if (d > 0) right++;
          marginSum += d;
          const g = -sigmoid(-d) / ids.length; // dL/dr_c; dL/dr_r = −g
          headBackward(head, acts.logits, rowC, V, g, extra);
          headBackward(head, acts.logits, rowR, V, -g, extra);
          tokens += rc.tokens.length + rr.tokens.length;
        }
        backwardFromLogits(ctx.state.trainer, acts, batch, null, extra);
      }
      const gradNorm = finishStep(ctx.state.trainer, {
        lr,
        weightDecay: hp.weight_decay,
        maxGradNorm: hp.max_grad_norm,
      });
      headStep(head, lr);
      const secs = (performance.now() - t0) / 1000;
      return {
        loss,
        accuracy: right / ids.length,
        margin: marginSum / ids.length,
        lr,
        grad_norm: gradNorm,
        tokens_per_s: tokens / secs,
      };
    },
    extraState: () => ({}),
    restoreExtra() {},
    finalMetrics: () => ({ eval_accuracy: accuracy(evalIds), train_accuracy: accuracy(trainIds) }),
  };
}
