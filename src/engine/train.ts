// The trainer core: one optimizer step over a list of micro-batches (gradient accumulation),
// with the loss normalised per token over everything accumulated.
import {
  type AdamWOptions,
  type AdamWState,
  adamwStep,
  clipGradNorm,
  createAdamW,
  zeroGrad,
} from './adamw.js';
import { EngineError } from './errors.js';
import { type Activations, allocActivations, type LlamaModel, llamaBackward, llamaForward } from './llama.js';
import { IGNORE_INDEX } from './ops/cross-entropy.js';
import { allocF32 } from './ops/matmul.js';
import { type ParamViews, viewParams } from './params.js';

export interface MicroBatch {
  B: number;
  T: number;
  tokens: ArrayLike<number>; // (B*T)
  targets: Int32Array; // (B*T) IGNORE_INDEX where no loss
  positions?: ArrayLike<number>; // (B*T) for packed sequences
}

export interface Trainer {
  model: LlamaModel;
  grads: Float32Array;
  gradViews: ParamViews;
  opt: AdamWState;
  acts: Map<string, Activations>;
}

export function createTrainer(model: LlamaModel): Trainer {
  const grads = allocF32(model.params.length);
  return {
    model,
    grads,
    gradViews: viewParams(model.config, grads),
    opt: createAdamW(model.config),
    acts: new Map(),
  };
}

export interface StepOptions extends AdamWOptions {
  /** Clip the global gradient norm to this value; 0 or undefined turns clipping off. */
  maxGradNorm?: number;
}

export interface StepResult {
  /** Mean loss per counted token over all micro-batches. */
  loss: number;
  tokens: number;
  gradNorm: number;
}

/** Forward + backward over every micro-batch, then one clipped AdamW update. */
export function trainStep(trainer: Trainer, batches: MicroBatch[], opts: StepOptions): StepResult {
  const total = batches.reduce((n, b) => n + countTargets(b.targets), 0);
  if (total === 0)
    throw new EngineError('AB_ENGINE_INPUT', 'no target tokens in the batch (every target is ignored)', {
      field: 'targets',
    });
  zeroGrad(trainer.grads);
  let lossSum = 0;
  for (const b of batches) {
    const key = `${b.B}x${b.T}`;
    let acts = trainer.acts.get(key);
    if (!acts) {
      acts = allocActivations(trainer.model.config, b.B, b.T);
      trainer.acts.set(key, acts);
    }
    const r = llamaForward(trainer.model, acts, b);
    lossSum += r.lossSum;
    llamaBackward(trainer.model, trainer.gradViews, acts, b.targets, 1 / total);
  }
  const gradNorm = opts.maxGradNorm
    ? clipGradNorm(trainer.grads, opts.maxGradNorm)
    : clipGradNorm(trainer.grads, Infinity);
  adamwStep(trainer.model.params, trainer.grads, trainer.opt, opts);
  return { loss: lossSum / total, tokens: total, gradNorm };
}

function countTargets(targets: Int32Array): number {
  let n = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] !== IGNORE_INDEX) n++;
  return n;
}

/**
 * Next-token targets for one row: targets[t] = tokens[t+1] where lossMask[t+1] is set, else
 * IGNORE_INDEX (the last position never has a target). lossMask marks the tokens to learn.
 */
export function makeTargets(tokens: ArrayLike<number>, lossMask?: ArrayLike<number | boolean>): Int32Array {
  const out = new Int32Array(tokens.length).fill(IGNORE_INDEX);
  for (let t = 0; t + 1 < tokens.length; t++) {
    if (!lossMask || lossMask[t + 1]) out[t] = tokens[t + 1] as number;
  }
  return out;
}
