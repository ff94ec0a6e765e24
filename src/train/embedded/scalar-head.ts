// A scalar head (reward or value) reading the final logits of a row: s = w·z + b, w: (V).
// Because z = lm_head(h), this is a linear head on the final hidden state h with weight
// lm_headᵀw, and its gradient reaches the trunk through the engine's own backward (see logit-grads.ts).
import { type AdamWState, adamwStep, createRng } from '../../engine/index.js';

export interface ScalarHead {
  /** (V + 1): w then b. */
  params: Float32Array;
  grads: Float32Array;
  opt: AdamWState;
}

export function createScalarHead(V: number, seed: number, std = 0.01): ScalarHead {
  const params = new Float32Array(V + 1);
  const rng = createRng(seed);
  for (let i = 0; i < V; i++) params[i] = (rng() * 2 - 1) * std * Math.sqrt(3);
  const n = V + 1;
  return {
    params,
    grads: new Float32Array(n),
    opt: { m: new Float32Array(n), v: new Float32Array(n), decay: new Uint8Array(n), step: 0 },
  };
}

/** s for row r of logits (rows, V). */
export function headScore(head: ScalarHead, logits: Float32Array, r: number, V: number): number {
  const o = r * V;
  let s = head.params[V] as number;
  for (let i = 0; i < V; i++) s += (head.params[i] as number) * (logits[o + i] as number);
  return s;
}

/** Accumulates ds into the head's gradients and into extra, the dense dL/dlogits (rows, V). */
export function headBackward(
  head: ScalarHead,
  logits: Float32Array,
  r: number,
  V: number,
  ds: number,
  extra: Float32Array,
): void {
  const o = r * V;
  for (let i = 0; i < V; i++) {
    head.grads[i] = (head.grads[i] as number) + ds * (logits[o + i] as number);
    extra[o + i] = (extra[o + i] as number) + ds * (head.params[i] as number);
  }
  head.grads[V] = (head.grads[V] as number) + ds;
}

export function headStep(head: ScalarHead, lr: number): void {
  adamwStep(head.params, head.grads, head.opt, { lr });
  head.grads.fill(0);
}
