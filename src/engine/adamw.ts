// AdamW (Loshchilov & Hutter 2019) over the flat parameter buffer, with global-norm clipping.
import type { ModelConfig } from './config.js';
import { allocF32 } from './ops/matmul.js';
import { paramLayout } from './params.js';

export interface AdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export interface AdamWState {
  m: Float32Array; // (P) first moment
  v: Float32Array; // (P) second moment
  /** 1 where a parameter gets weight decay (matrices), 0 for norms and biases. */
  decay: Uint8Array; // (P)
  step: number;
}

export function createAdamW(cfg: ModelConfig): AdamWState {
  const specs = paramLayout(cfg);
  const n = specs.reduce((a, s) => a + s.size, 0);
  const decay = new Uint8Array(n);
  for (const s of specs) if (s.isMatrix) decay.fill(1, s.offset, s.offset + s.size);
  return { m: allocF32(n), v: allocF32(n), decay, step: 0 };
}

/** Sets every gradient to zero; backward only accumulates. */
export function zeroGrad(grads: Float32Array): void {
  grads.fill(0);
}

/** Scales grads so their global L2 norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  let ss = 0;
  for (let i = 0; i < grads.length; i++) ss += (grads[i] as number) * (grads[i] as number);
  const norm = Math.sqrt(ss);
  if (norm > maxNorm && norm > 0) {
    const s = maxNorm / norm;
    for (let i = 0; i < grads.length; i++) grads[i] = (grads[i] as number) * s;
  }
  return norm;
}

/** One AdamW update, decoupled weight decay as in torch.optim.AdamW. */
export function adamwStep(
  params: Float32Array,
  grads: Float32Array,
  state: AdamWState,
  opts: AdamWOptions,
): void {
  const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 } = opts;
  state.step++;
  const bc1 = 1 - beta1 ** state.step;
  const bc2 = 1 - beta2 ** state.step;
  const { m, v, decay } = state;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i] as number;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
    const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let p = params[i] as number;
    if (decay[i]) p -= lr * weightDecay * p;
    params[i] = p - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}
