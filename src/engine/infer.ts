// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// Inference with a KV cache: the same layer list as llamaForward, but each call only processes
// new tokens, appending their keys and values to per-sequence caches. Several sequences are
// processed in one call (their rows share every matmul), which batches prefill and decoding.
import { EngineError } from './errors.js';
import { type LlamaModel, ropeFor } from './llama.js';
import { embeddingForward } from './ops/embedding.js';
import { allocF32, matmulForward } from './ops/matmul.js';
import { rmsnormForward } from './ops/rmsnorm.js';
import { ropeForward } from './ops/rope.js';
import { swigluForward } from './ops/swiglu.js';

export interface KvCache {
  k: Float32Array[]; // L of (capacity, Hkv*D), rope applied
  v: Float32Array[]; // L of (capacity, Hkv*D)
  length: number;
  capacity: number;
}

export function createKvCache(model: LlamaModel, capacity = model.config.maxPositions): KvCache {
  const { L, Hkv, D } = model.config;
  const cap = Math.min(capacity, model.config.maxPositions);
  return {
    k: Array.from({ length: L }, () => new Float32Array(cap * Hkv * D)),
    v: Array.from({ length: L }, () => new Float32Array(cap * Hkv * D)),
    length: 0,
    capacity: cap,
  };
}

export function cloneKvCache(c: KvCache): KvCache {
  return {
    k: c.k.map((a) => a.slice()),
    v: c.v.map((a) => a.slice()),
    length: c.length,
    capacity: c.capacity,
  };
}

export interface CachedStream {
  cache: KvCache;
  /** New tokens to append to this sequence. */
  tokens: readonly number[];
}

export interface CachedForwardOptions {
  /** Return logits for every new token (scoring) instead of only the last (decoding). */
  allLogits?: boolean;
  /** Collect attention probabilities: per stream, per layer, (H, n_new, length after) rows. */
  attentions?: boolean;
}

export interface CachedForwardResult {
  /** Per stream: (n_new, V) with allLogits, else (1, V). */
  logits: Float32Array[];
  /** Per stream, per layer: (H, n_new, total) probabilities, when requested. */
  attentions?: Float32Array[][];
}

/** Runs the new tokens of every stream through the model and appends them to the caches. */
export function forwardCached(
  model: LlamaModel,
  streams: CachedStream[],
  opts: CachedForwardOptions = {},
): CachedForwardResult {
  const cfg = model.config;
  const { C, F, H, Hkv, D, V, rmsNormEps: eps } = cfg;
  const KD = Hkv * D;
  const rows = streams.reduce((n, s) => n + s.tokens.length, 0);
  const tokens = new Int32Array(rows);
  const pos = new Int32Array(rows);
  const owner = new Int32Array(rows); // which stream each row belongs to
  let r = 0;
  let maxPos = 0;
  for (const [si, s] of streams.entries()) {
    if (s.cache.length + s.tokens.length > s.cache.capacity) {
      throw new EngineError(
        'AB_ENGINE_INPUT',
        `${s.cache.length + s.tokens.length} tokens do not fit the context of ${s.cache.capacity} tokens`,
        { field: 'prompt' },
      );
    }
    for (const [j, id] of s.tokens.entries()) {
      if (!Number.isInteger(id) || id < 0 || id >= V) {
        throw new EngineError('AB_ENGINE_INPUT', `token id ${id} is outside [0, ${V})`, {
          field: `tokens[${j}]`,
        });
      }
      tokens[r] = id;
      pos[r] = s.cache.length + j;
      owner[r] = si;
      maxPos = Math.max(maxPos, pos[r] as number);
      r++;
    }
  }
  const { cos, sin } = ropeFor(model, maxPos + 1);
  const w = model.views;
  const x = allocF32(rows * C);
  const ln = allocF32(rows * C);
  const rstd = new Float32Array(rows);
  const q = allocF32(rows * H * D);
  const k = allocF32(rows * KD);
  const v = allocF32(rows * KD);
  const y = allocF32(rows * H * D);
  const tmp = allocF32(rows * C);
  const gate = allocF32(rows * F);
  const up = allocF32(rows * F);
  const scores = new Float64Array(cfg.maxPositions);
  const attentions: Float32Array[][] | undefined = opts.attentions ? streams.map(() => []) : undefined;
  const scale = 1 / Math.sqrt(D);
  const group = H / Hkv;
  embeddingForward(x, tokens, w.wte, rows, C);
  for (let l = 0; l < cfg.L; l++) {
    const p = w.layers[l] as (typeof w.layers)[number];
    rmsnormForward(ln, rstd, x, p.ln1, rows, C, eps);
    matmulForward(q, ln, p.wq, p.bq, rows, C, H * D);
    matmulForward(k, ln, p.wk, p.bk, rows, C, KD);
    matmulForward(v, ln, p.wv, p.bv, rows, C, KD);
    ropeForward(q, pos, cos, sin, rows, H, D);
    ropeForward(k, pos, cos, sin, rows, Hkv, D);
    for (let i = 0; i < rows; i++) {
      const c = (streams[owner[i] as number] as CachedStream).cache;
      (c.k[l] as Float32Array).set(k.subarray(i * KD, (i + 1) * KD), (pos[i] as number) * KD);
      (c.v[l] as Float32Array).set(v.subarray(i * KD, (i + 1) * KD), (pos[i] as number) * KD);
    }
    // attention of each new row over its own sequence's cache, causal by construction
    let row0 = 0;
    for (const [si, s] of streams.entries()) {
      const total = s.cache.length + s.tokens.length;
      const kc = s.cache.k[l] as Float32Array;
      const vc = s.cache.v[l] as Float32Array;
      const att = attentions ? new Float32Array(H * s.tokens.length * total) : null;
      for (let j = 0; j < s.tokens.length; j++) {
        const i = row0 + j;
        const tpos = pos[i] as number;
        for (let h = 0; h < H; h++) {
          const kh = Math.floor(h / group);
          const qo = (i * H + h) * D;
          let max = Number.NEGATIVE_INFINITY;
          for (let t2 = 0; t2 <= tpos; t2++) {
            const ko = t2 * KD + kh * D;
            let sc = 0;
            for (let d = 0; d < D; d++) sc += (q[qo + d] as number) * (kc[ko + d] as number);
            sc *= scale;
            scores[t2] = sc;
            if (sc > max) max = sc;
          }
          let sum = 0;
          for (let t2 = 0; t2 <= tpos; t2++) {
            const e = Math.exp((scores[t2] as number) - max);
            scores[t2] = e;
            sum += e;
          }
          for (let d = 0; d < D; d++) y[qo + d] = 0;
          for (let t2 = 0; t2 <= tpos; t2++) {
            const pr = (scores[t2] as number) / sum;
            if (att) att[(h * s.tokens.length + j) * total + t2] = pr;
            const vo = t2 * KD + kh * D;
            for (let d = 0; d < D; d++) y[qo + d] = (y[qo + d] as number) + pr * (vc[vo + d] as number);
          }
        }
      }
      if (att && attentions) (attentions[si] as Float32Array[]).push(att);
      row0 += s.tokens.length;
    }
    matmulForward(tmp, y, p.wo, p.bo, rows, H * D, C);
    for (let i = 0; i < rows * C; i++) x[i] = (x[i] as number) + (tmp[i] as number);
    rmsnormForward(ln, rstd, x, p.ln2, rows, C, eps);
    matmulForward(gate, ln, p.wg, null, rows, C, F);
    matmulForward(up, ln, p.wu, null, rows, C, F);
    swigluForward(gate, gate, up, rows * F);
    matmulForward(tmp, gate, p.wd, null, rows, F, C);
    for (let i = 0; i < rows * C; i++) x[i] = (x[i] as number) + (tmp[i] as number);
  }
  for (const s of streams) s.cache.length += s.tokens.length;
  // final norm and head only on the rows whose logits are wanted
  const pick: number[] = [];
  let at = 0;
  for (const s of streams) {
    if (opts.allLogits) for (let j = 0; j < s.tokens.length; j++) pick.push(at + j);
    else pick.push(at + s.tokens.length - 1);
    at += s.tokens.length;
  }
  const sel = allocF32(pick.length * C);
  for (const [i, row] of pick.entries()) sel.set(x.subarray(row * C, (row + 1) * C), i * C);
  const lnf = allocF32(pick.length * C);
  rmsnormForward(lnf, new Float32Array(pick.length), sel, w.lnf, pick.length, C, eps);
  const logits = new Float32Array(pick.length * V);
  matmulForward(logits, lnf, w.lmHead, null, pick.length, C, V);
  const out: Float32Array[] = [];
  let o = 0;
  for (const s of streams) {
    const n = opts.allLogits ? s.tokens.length : 1;
    out.push(logits.subarray(o * V, (o + n) * V));
    o += n;
  }
  return attentions ? { logits: out, attentions } : { logits: out };
}
