// Legend: B batch, T time, V vocab, rows = B*T.
// Forward once, then backward from any gradient with respect to the logits. The engine's backward
// starts from cross-entropy, dlogits = scale·(probs − onehot(target)); writing
// probs' = onehot(0) + g for a row with target 0 makes that dlogits exactly g, so preference,
// policy-gradient and scalar-head losses reuse the engine's backward unchanged.
import {
  type Activations,
  adamwStep,
  allocActivations,
  clipGradNorm,
  IGNORE_INDEX,
  llamaBackward,
  llamaForward,
  type Trainer,
  zeroGrad,
} from '../../engine/index.js';

/** Rows of right-padded (or packed) sequences. targets[r] = next token scored at row r, or IGNORE_INDEX. */
export interface TokenBatch {
  B: number;
  T: number;
  tokens: Int32Array; // (rows)
  positions?: Int32Array; // (rows) restarting at 0 per packed segment
  targets: Int32Array; // (rows)
}

/** A sequence split into a prompt and a scored part (completion, chosen or rejected side). */
export interface ScoredSequence {
  tokens: number[];
  /** Tokens from this index on are scored (log-probabilities, loss); at least 1. */
  start: number;
}

/** Right-pads sequences into one batch; row r of sequence b targets tokens[r+1] when r+1 >= start. */
export function batchOf(seqs: readonly ScoredSequence[]): TokenBatch {
  const B = seqs.length;
  const T = Math.max(1, ...seqs.map((s) => s.tokens.length));
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T).fill(IGNORE_INDEX);
  for (const [b, s] of seqs.entries()) {
    for (let t = 0; t < s.tokens.length; t++) tokens[b * T + t] = s.tokens[t] as number;
    for (let t = Math.max(0, s.start - 1); t + 1 < s.tokens.length; t++)
      targets[b * T + t] = s.tokens[t + 1] as number;
  }
  return { B, T, tokens, targets };
}

function actsFor(trainer: Trainer, B: number, T: number): Activations {
  const key = `${B}x${T}`;
  let acts = trainer.acts.get(key);
  if (!acts) {
    acts = allocActivations(trainer.model.config, B, T);
    trainer.acts.set(key, acts);
  }
  return acts;
}

/** Forward pass; the returned activations hold the logits until the next forward of the same shape. */
export function forwardBatch(trainer: Trainer, batch: TokenBatch): Activations {
  const acts = actsFor(trainer, batch.B, batch.T);
  llamaForward(trainer.model, acts, {
    tokens: batch.tokens,
    ...(batch.positions ? { positions: batch.positions } : {}),
  });
  return acts;
}

/** log p(target) per row in double precision (0 where the target is ignored). */
export function rowLogprobs(acts: Activations, targets: Int32Array, V: number): Float64Array {
  const rows = targets.length;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const y = targets[r] as number;
    if (y === IGNORE_INDEX) continue;
    out[r] = logSoftmaxAt(acts.logits, r * V, V, y);
  }
  return out;
}

function logSoftmaxAt(logits: Float32Array, o: number, V: number, y: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < V; i++) if ((logits[o + i] as number) > max) max = logits[o + i] as number;
  let sum = 0;
  for (let i = 0; i < V; i++) sum += Math.exp((logits[o + i] as number) - max);
  return (logits[o + y] as number) - max - Math.log(sum);
}

/** Sums of row log-probs per sequence of a padded batch. */
export function sequenceLogprobs(rowLp: Float64Array, B: number, T: number): Float64Array {
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += rowLp[b * T + t] as number;
    out[b] = s;
  }
  return out;
}

/**
 * Accumulates parameter gradients for dL/dlogits = dLogp[r]·(onehot(y_r) − softmax_r) + extra[r]
 * (extra: a dense (rows, V) gradient, e.g. from a scalar head reading the logits).
 */
export function backwardFromLogits(
  trainer: Trainer,
  acts: Activations,
  batch: TokenBatch,
  dLogp: Float64Array | null,
  extra?: Float32Array,
): void {
  const V = trainer.model.config.V;
  const rows = batch.B * batch.T;
  const fake = new Int32Array(rows).fill(IGNORE_INDEX);
  for (let r = 0; r < rows; r++) {
    const y = batch.targets[r] as number;
    const w = dLogp && y !== IGNORE_INDEX ? (dLogp[r] as number) : 0;
    let any = w !== 0;
    const o = r * V;
    if (extra && !any) for (let i = 0; i < V && !any; i++) any = (extra[o + i] as number) !== 0;
    if (!any) continue;
    fake[r] = 0;
    // softmax of the row, then g = w·(onehot(y) − p) + extra; probs' = onehot(0) + g.
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < V; i++) if ((acts.logits[o + i] as number) > max) max = acts.logits[o + i] as number;
    let sum = 0;
    for (let i = 0; i < V; i++) sum += Math.exp((acts.logits[o + i] as number) - max);
    for (let i = 0; i < V; i++) {
      const p = Math.exp((acts.logits[o + i] as number) - max) / sum;
      let g = w * ((i === y ? 1 : 0) - p);
      if (extra) g += extra[o + i] as number;
      acts.probs[o + i] = (i === 0 ? 1 : 0) + g;
    }
  }
  llamaBackward(trainer.model, trainer.gradViews, acts, fake, 1);
}

export interface UpdateOptions {
  lr: number;
  weightDecay: number;
  maxGradNorm: number;
}

export function beginStep(trainer: Trainer): void {
  zeroGrad(trainer.grads);
}

/** Clips the accumulated gradients and applies AdamW; returns the gradient norm before clipping. */
export function finishStep(trainer: Trainer, opts: UpdateOptions): number {
  const norm = clipGradNorm(
    trainer.grads,
    opts.maxGradNorm > 0 ? opts.maxGradNorm : Number.POSITIVE_INFINITY,
  );
  adamwStep(trainer.model.params, trainer.grads, trainer.opt, { lr: opts.lr, weightDecay: opts.weightDecay });
  return norm;
}
