// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// The Llama block as Hugging Face's LlamaForCausalLM defines it (Qwen2 = Llama + qkv bias):
//   x = embed(tokens)
//   per layer: x = x + o_proj(attn(rope(q(rms1(x))), rope(k(rms1(x))), v(rms1(x))))
//              x = x + down(silu(gate(rms2(x))) * up(rms2(x)))
//   logits = lm_head(rmsf(x))
// llamaForward is a flat list of op calls per layer; llamaBackward is the same list in reverse.
import type { ModelConfig } from './config.js';
import { EngineError } from './errors.js';
import { attentionBackward, attentionForward } from './ops/attention.js';
import { crossEntropyBackward, crossEntropyForward, IGNORE_INDEX } from './ops/cross-entropy.js';
import { embeddingBackward, embeddingForward } from './ops/embedding.js';
import { allocF32, matmulBackward, matmulForward } from './ops/matmul.js';
import { rmsnormBackward, rmsnormForward } from './ops/rmsnorm.js';
import { ropeBackward, ropeForward, ropeInvFreq, ropeTable } from './ops/rope.js';
import { swigluBackward, swigluForward } from './ops/swiglu.js';
import { type ParamViews, viewParams } from './params.js';

export interface LlamaModel {
  config: ModelConfig;
  /** All parameters, one buffer; `views` names its parts. */
  params: Float32Array;
  views: ParamViews;
  rope: { P: number; key: number; cos: Float32Array; sin: Float32Array };
}

export function createModel(config: ModelConfig, params: Float32Array): LlamaModel {
  return {
    config,
    params,
    views: viewParams(config, params),
    rope: { P: 0, key: -1, cos: new Float32Array(0), sin: new Float32Array(0) },
  };
}

/** cos, sin: (P, D/2) covering positions [0, P); rebuilt only when P grows or dynamic scaling changes. */
export function ropeFor(model: LlamaModel, P: number): { cos: Float32Array; sin: Float32Array } {
  const { D, ropeTheta, ropeScaling } = model.config;
  // Dynamic NTK scaling depends on the sequence length; the others do not.
  const key = ropeScaling.type === 'dynamic' && P > ropeScaling.originalMaxPositions ? P : 0;
  if (model.rope.key !== key || model.rope.P < P) {
    const size = key ? P : Math.max(P, model.rope.P * 2, 64);
    const t = ropeTable(ropeInvFreq(D, ropeTheta, ropeScaling, key || P), size);
    model.rope = { P: size, key, ...t };
  }
  return model.rope;
}

export interface LayerActs {
  ln1: Float32Array; // (rows, C)
  rstd1: Float32Array; // (rows)
  q: Float32Array; // (rows, H*D) after rope
  k: Float32Array; // (rows, Hkv*D) after rope
  v: Float32Array; // (rows, Hkv*D)
  att: Float32Array; // (B, H, T, T) attention probabilities
  y: Float32Array; // (rows, H*D) attention output before o_proj
  x2: Float32Array; // (rows, C) residual after attention
  ln2: Float32Array; // (rows, C)
  rstd2: Float32Array; // (rows)
  gate: Float32Array; // (rows, F)
  up: Float32Array; // (rows, F)
  h: Float32Array; // (rows, F) silu(gate) * up
}

/** Everything forward keeps for backward, plus backward's scratch; allocated once per (B, T). */
export interface Activations {
  B: number;
  T: number;
  tokens: Int32Array; // (B*T)
  pos: Int32Array; // (B*T)
  seg: Int32Array | null; // (B*T)
  resid: Float32Array[]; // L+1 of (rows, C): resid[l] is layer l's input
  layers: LayerActs[];
  lnf: Float32Array; // (rows, C)
  rstdf: Float32Array; // (rows)
  logits: Float32Array; // (rows, V)
  probs: Float32Array; // (rows, V)
  losses: Float32Array; // (rows)
  tmpC: Float32Array; // (rows, C) scratch for o_proj / down outputs
  // backward scratch
  dresid: Float32Array; // (rows, C)
  dln: Float32Array; // (rows, C)
  dq: Float32Array; // (rows, H*D)
  dk: Float32Array; // (rows, Hkv*D)
  dv: Float32Array; // (rows, Hkv*D)
  dy: Float32Array; // (rows, H*D)
  datt: Float32Array; // (T)
  dh: Float32Array; // (rows, F)
  dgate: Float32Array; // (rows, F)
  dup: Float32Array; // (rows, F)
  dlogits: Float32Array; // (rows, V)
}

export function allocActivations(cfg: ModelConfig, B: number, T: number): Activations {
  const { C, F, L, H, Hkv, D, V } = cfg;
  const rows = B * T;
  const layers: LayerActs[] = [];
  for (let l = 0; l < L; l++) {
    layers.push({
      ln1: allocF32(rows * C),
      rstd1: allocF32(rows),
      q: allocF32(rows * H * D),
      k: allocF32(rows * Hkv * D),
      v: allocF32(rows * Hkv * D),
      att: allocF32(B * H * T * T),
      y: allocF32(rows * H * D),
      x2: allocF32(rows * C),
      ln2: allocF32(rows * C),
      rstd2: allocF32(rows),
      gate: allocF32(rows * F),
      up: allocF32(rows * F),
      h: allocF32(rows * F),
    });
  }
  return {
    B,
    T,
    tokens: new Int32Array(rows),
    pos: new Int32Array(rows),
    seg: null,
    resid: Array.from({ length: L + 1 }, () => allocF32(rows * C)),
    layers,
    lnf: allocF32(rows * C),
    rstdf: allocF32(rows),
    logits: allocF32(rows * V),
    probs: allocF32(rows * V),
    losses: allocF32(rows),
    tmpC: allocF32(rows * C),
    dresid: allocF32(rows * C),
    dln: allocF32(rows * C),
    dq: allocF32(rows * H * D),
    dk: allocF32(rows * Hkv * D),
    dv: allocF32(rows * Hkv * D),
    dy: allocF32(rows * H * D),
    datt: allocF32(T),
    dh: allocF32(rows * F),
    dgate: allocF32(rows * F),
    dup: allocF32(rows * F),
    dlogits: allocF32(rows * V),
  };
}

export interface ForwardInput {
  /** (B*T) token ids in [0, V). */
  tokens: ArrayLike<number>;
  /** (B*T) position ids; default 0..T-1 in every row. Restarting at 0 starts a new packed segment. */
  positions?: ArrayLike<number>;
  /** (B*T) segment ids for a block-diagonal mask; default derived from positions restarting at 0. */
  segments?: ArrayLike<number>;
  /** (B*T) next-token targets, IGNORE_INDEX where no loss is taken. */
  targets?: Int32Array;
}

/** Checks ids and positions and fills acts.tokens / pos / seg. Throws EngineError naming the index. */
function loadInput(cfg: ModelConfig, acts: Activations, input: ForwardInput): void {
  const { B, T } = acts;
  const rows = B * T;
  if (input.tokens.length !== rows) {
    throw new EngineError('AB_ENGINE_INPUT', `got ${input.tokens.length} tokens, expected B*T = ${rows}`, {
      field: 'tokens',
    });
  }
  for (let i = 0; i < rows; i++) {
    const id = input.tokens[i] as number;
    if (!Number.isInteger(id) || id < 0 || id >= cfg.V) {
      throw new EngineError('AB_ENGINE_INPUT', `token id ${id} is outside [0, ${cfg.V})`, {
        field: `tokens[${i}]`,
      });
    }
    acts.tokens[i] = id;
    const p = input.positions ? (input.positions[i] as number) : i % T;
    if (!Number.isInteger(p) || p < 0 || p >= cfg.maxPositions) {
      throw new EngineError(
        'AB_ENGINE_INPUT',
        `position ${p} is outside the context [0, ${cfg.maxPositions})`,
        {
          field: `positions[${i}]`,
        },
      );
    }
    acts.pos[i] = p;
  }
  if (input.targets && input.targets.length !== rows) {
    throw new EngineError('AB_ENGINE_INPUT', `got ${input.targets.length} targets, expected ${rows}`, {
      field: 'targets',
    });
  }
  if (input.segments || input.positions) {
    const seg = acts.seg ?? new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      if (input.segments) seg[i] = input.segments[i] as number;
      else seg[i] = i % T === 0 ? 0 : (seg[i - 1] as number) + (acts.pos[i] === 0 ? 1 : 0);
    }
    acts.seg = seg;
  } else acts.seg = null;
}

/**
 * Forward pass over (B, T). Fills acts (logits in acts.logits: (B*T, V)); when targets are
 * given also acts.losses and returns the summed loss and the number of counted tokens.
 */
export function llamaForward(
  model: LlamaModel,
  acts: Activations,
  input: ForwardInput,
): { lossSum: number; counted: number } {
  const cfg = model.config;
  const { C, F, H, Hkv, D, V, rmsNormEps: eps } = cfg;
  const { B, T } = acts;
  const rows = B * T;
  loadInput(cfg, acts, input);
  let maxPos = 0;
  for (let i = 0; i < rows; i++) maxPos = Math.max(maxPos, acts.pos[i] as number);
  const { cos, sin } = ropeFor(model, maxPos + 1);
  const w = model.views;
  embeddingForward(acts.resid[0] as Float32Array, acts.tokens, w.wte, rows, C);
  for (let l = 0; l < cfg.L; l++) {
    const p = w.layers[l] as (typeof w.layers)[number];
    const a = acts.layers[l] as LayerActs;
    const x = acts.resid[l] as Float32Array;
    const xOut = acts.resid[l + 1] as Float32Array;
    rmsnormForward(a.ln1, a.rstd1, x, p.ln1, rows, C, eps);
    matmulForward(a.q, a.ln1, p.wq, p.bq, rows, C, H * D);
    matmulForward(a.k, a.ln1, p.wk, p.bk, rows, C, Hkv * D);
    matmulForward(a.v, a.ln1, p.wv, p.bv, rows, C, Hkv * D);
    ropeForward(a.q, acts.pos, cos, sin, rows, H, D);
    ropeForward(a.k, acts.pos, cos, sin, rows, Hkv, D);
    attentionForward(a.y, a.att, a.q, a.k, a.v, acts.seg, B, T, H, Hkv, D);
    matmulForward(acts.tmpC, a.y, p.wo, p.bo, rows, H * D, C);
    residualForward(a.x2, x, acts.tmpC, rows * C);
    rmsnormForward(a.ln2, a.rstd2, a.x2, p.ln2, rows, C, eps);
    matmulForward(a.gate, a.ln2, p.wg, null, rows, C, F);
    matmulForward(a.up, a.ln2, p.wu, null, rows, C, F);
    swigluForward(a.h, a.gate, a.up, rows * F);
    matmulForward(acts.tmpC, a.h, p.wd, null, rows, F, C);
    residualForward(xOut, a.x2, acts.tmpC, rows * C);
  }
  rmsnormForward(acts.lnf, acts.rstdf, acts.resid[cfg.L] as Float32Array, w.lnf, rows, C, eps);
  matmulForward(acts.logits, acts.lnf, w.lmHead, null, rows, C, V);
  if (!input.targets) return { lossSum: 0, counted: 0 };
  for (let i = 0; i < rows; i++) {
    const t = input.targets[i] as number;
    if (t !== IGNORE_INDEX && (!Number.isInteger(t) || t < 0 || t >= V)) {
      throw new EngineError('AB_ENGINE_INPUT', `target id ${t} is outside [0, ${V})`, {
        field: `targets[${i}]`,
      });
    }
  }
  const counted = crossEntropyForward(acts.losses, acts.probs, acts.logits, input.targets, rows, V);
  let lossSum = 0;
  for (let i = 0; i < rows; i++) lossSum += acts.losses[i] as number;
  return { lossSum, counted };
}

// out, a, b: (n). out = a + b.
function residualForward(out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = (a[i] as number) + (b[i] as number);
}

/**
 * Backward of the last llamaForward with targets. Accumulates into grads (same layout as params).
 * scale = d(total loss)/d(per-token loss), e.g. 1 / tokens counted over the accumulated batch.
 */
export function llamaBackward(
  model: LlamaModel,
  grads: ParamViews,
  acts: Activations,
  targets: Int32Array,
  scale: number,
): void {
  const cfg = model.config;
  const { C, F, H, Hkv, D, V } = cfg;
  const { B, T } = acts;
  const rows = B * T;
  const w = model.views;
  const { cos, sin } = model.rope;
  acts.dlogits.fill(0);
  crossEntropyBackward(acts.dlogits, acts.probs, targets, rows, V, scale);
  acts.dln.fill(0);
  matmulBackward(acts.dln, grads.lmHead, null, acts.dlogits, acts.lnf, w.lmHead, rows, C, V);
  acts.dresid.fill(0);
  rmsnormBackward(
    acts.dresid,
    grads.lnf,
    acts.dln,
    acts.resid[cfg.L] as Float32Array,
    w.lnf,
    acts.rstdf,
    rows,
    C,
  );
  for (let l = cfg.L - 1; l >= 0; l--) {
    const p = w.layers[l] as (typeof w.layers)[number];
    const g = grads.layers[l] as (typeof grads.layers)[number];
    const a = acts.layers[l] as LayerActs;
    const x = acts.resid[l] as Float32Array;
    // xOut = x2 + down(h): dresid flows to x2 unchanged and into down_proj
    acts.dh.fill(0);
    matmulBackward(acts.dh, g.wd, null, acts.dresid, a.h, p.wd, rows, F, C);
    acts.dgate.fill(0);
    acts.dup.fill(0);
    swigluBackward(acts.dgate, acts.dup, acts.dh, a.gate, a.up, rows * F);
    acts.dln.fill(0);
    matmulBackward(acts.dln, g.wu, null, acts.dup, a.ln2, p.wu, rows, C, F);
    matmulBackward(acts.dln, g.wg, null, acts.dgate, a.ln2, p.wg, rows, C, F);
    rmsnormBackward(acts.dresid, g.ln2, acts.dln, a.x2, p.ln2, a.rstd2, rows, C);
    // x2 = x + o_proj(y): dresid flows to x unchanged and into o_proj
    acts.dy.fill(0);
    matmulBackward(acts.dy, g.wo, g.bo, acts.dresid, a.y, p.wo, rows, H * D, C);
    acts.dq.fill(0);
    acts.dk.fill(0);
    acts.dv.fill(0);
    attentionBackward(acts.dq, acts.dk, acts.dv, acts.datt, acts.dy, a.att, a.q, a.k, a.v, B, T, H, Hkv, D);
    ropeBackward(acts.dk, acts.pos, cos, sin, rows, Hkv, D);
    ropeBackward(acts.dq, acts.pos, cos, sin, rows, H, D);
    acts.dln.fill(0);
    matmulBackward(acts.dln, g.wv, g.bv, acts.dv, a.ln1, p.wv, rows, C, Hkv * D);
    matmulBackward(acts.dln, g.wk, g.bk, acts.dk, a.ln1, p.wk, rows, C, Hkv * D);
    matmulBackward(acts.dln, g.wq, g.bq, acts.dq, a.ln1, p.wq, rows, C, H * D);
    rmsnormBackward(acts.dresid, g.ln1, acts.dln, x, p.ln1, a.rstd1, rows, C);
  }
  embeddingBackward(grads.wte, acts.dresid, acts.tokens, rows, C);
}
