// Supervised fine-tuning: cross-entropy on completion tokens only, micro-batches packed.
import { trainStep } from '../../engine/index.js';
import type { ScoredSequence } from './logit-grads.js';
import type { AlgorithmLoop, LoopContext } from './loop.js';
import { packedBatch } from './packed-batch.js';
import { learningRate } from './schedule.js';
import { permutation, rngFor } from './seeded.js';

export function createSftLoop(ctx: LoopContext, data: readonly ScoredSequence[]): AlgorithmLoop {
  const hp = ctx.recipe.hyperparameters;
  const perStep = hp.batch_size * hp.grad_accum;
  const stepsPerEpoch = Math.max(1, Math.ceil(data.length / perStep));
  const totalSteps = hp.max_steps ?? stepsPerEpoch * hp.epochs;
  const capacity = ctx.recipe.packing.capacity ?? hp.max_length;
  const orders = new Map<number, number[]>();
  const orderOf = (epoch: number) => {
    let o = orders.get(epoch);
    if (!o) {
      o = permutation(data.length, rngFor(hp.seed, 1, epoch));
      orders.set(epoch, o);
    }
    return o;
  };
  return {
    totalSteps,
    runStep(step) {
      const t0 = performance.now();
      const epoch = Math.floor(step / stepsPerEpoch);
      const order = orderOf(epoch);
      const at = (step % stepsPerEpoch) * perStep;
      const micro = [];
      for (let m = 0; m < hp.grad_accum; m++) {
        const ids = order.slice(at + m * hp.batch_size, at + (m + 1) * hp.batch_size);
        if (ids.length)
          micro.push(
            packedBatch(
              ids.map((i) => data[i] as ScoredSequence),
              capacity,
              ctx.recipe.packing.strategy,
            ),
          );
      }
      const lr = learningRate(hp.learning_rate, hp.schedule, hp.warmup_steps, step, totalSteps);
      const r = trainStep(ctx.state.trainer, micro, {
        lr,
        weightDecay: hp.weight_decay,
        maxGradNorm: hp.max_grad_norm,
      });
      const rows = micro.reduce((n, b) => n + b.B * b.T, 0);
      const real = micro.reduce((n, b) => n + b.placement.reduce((s, p) => s + p.length, 0), 0);
      const secs = (performance.now() - t0) / 1000;
      return {
        loss: r.loss,
        lr,
        grad_norm: r.gradNorm,
        tokens: real,
        packing_efficiency: real / rows,
        tokens_per_s: real / secs,
        epoch,
      };
    },
    extraState: () => ({}),
    restoreExtra() {},
  };
}
