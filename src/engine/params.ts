// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// Parameters (and, with the same layout, gradients and optimizer moments) are one Float32Array
// with named subarray views. The size table below is the single list of tensors, by their
// Hugging Face names, with shapes.
import type { ModelConfig } from './config.js';
import { allocF32 } from './ops/matmul.js';
import { createRng, randn } from './random.js';

export interface ParamSpec {
  /** Hugging Face tensor name, e.g. "model.layers.0.self_attn.q_proj.weight". */
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** Matrices get weight decay; norms and biases do not. */
  isMatrix: boolean;
}

export interface LayerParams {
  ln1: Float32Array; // (C) input_layernorm
  wq: Float32Array; // (H*D, C)
  bq: Float32Array | null; // (H*D)
  wk: Float32Array; // (Hkv*D, C)
  bk: Float32Array | null; // (Hkv*D)
  wv: Float32Array; // (Hkv*D, C)
  bv: Float32Array | null; // (Hkv*D)
  wo: Float32Array; // (C, H*D)
  bo: Float32Array | null; // (C)
  ln2: Float32Array; // (C) post_attention_layernorm
  wg: Float32Array; // (F, C) gate_proj
  wu: Float32Array; // (F, C) up_proj
  wd: Float32Array; // (C, F) down_proj
}

export interface ParamViews {
  data: Float32Array;
  wte: Float32Array; // (V, C)
  layers: LayerParams[];
  lnf: Float32Array; // (C)
  lmHead: Float32Array; // (V, C); the same view as wte when tied
}

/** The size table: every tensor of the model with its shape and offset in the flat buffer. */
export function paramLayout(cfg: ModelConfig): ParamSpec[] {
  const { V, C, F, L, H, Hkv, D } = cfg;
  const specs: ParamSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, offset, size, isMatrix: shape.length === 2 });
    offset += size;
  };
  add('model.embed_tokens.weight', [V, C]);
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [C]);
    add(`${p}.self_attn.q_proj.weight`, [H * D, C]);
    if (cfg.qkvBias) add(`${p}.self_attn.q_proj.bias`, [H * D]);
    add(`${p}.self_attn.k_proj.weight`, [Hkv * D, C]);
    if (cfg.qkvBias) add(`${p}.self_attn.k_proj.bias`, [Hkv * D]);
    add(`${p}.self_attn.v_proj.weight`, [Hkv * D, C]);
    if (cfg.qkvBias) add(`${p}.self_attn.v_proj.bias`, [Hkv * D]);
    add(`${p}.self_attn.o_proj.weight`, [C, H * D]);
    if (cfg.oBias) add(`${p}.self_attn.o_proj.bias`, [C]);
    add(`${p}.post_attention_layernorm.weight`, [C]);
    add(`${p}.mlp.gate_proj.weight`, [F, C]);
    add(`${p}.mlp.up_proj.weight`, [F, C]);
    add(`${p}.mlp.down_proj.weight`, [C, F]);
  }
  add('model.norm.weight', [C]);
  if (!cfg.tieWordEmbeddings) add('lm_head.weight', [V, C]);
  return specs;
}

export function countParams(cfg: ModelConfig): number {
  return paramLayout(cfg).reduce((n, s) => n + s.size, 0);
}

/** Named views over `data` (parameters or gradients; both use paramLayout). */
export function viewParams(cfg: ModelConfig, data: Float32Array): ParamViews {
  const byName = new Map(paramLayout(cfg).map((s) => [s.name, s]));
  const get = (name: string): Float32Array => {
    const s = byName.get(name);
    if (!s) throw new Error(`paramLayout has no tensor ${name}`);
    return data.subarray(s.offset, s.offset + s.size);
  };
  const opt = (name: string) => (byName.has(name) ? get(name) : null);
  const layers: LayerParams[] = [];
  for (let l = 0; l < cfg.L; l++) {
    const p = `model.layers.${l}`;
    layers.push({
      ln1: get(`${p}.input_layernorm.weight`),
      wq: get(`${p}.self_attn.q_proj.weight`),
      bq: opt(`${p}.self_attn.q_proj.bias`),
      wk: get(`${p}.self_attn.k_proj.weight`),
      bk: opt(`${p}.self_attn.k_proj.bias`),
      wv: get(`${p}.self_attn.v_proj.weight`),
      bv: opt(`${p}.self_attn.v_proj.bias`),
      wo: get(`${p}.self_attn.o_proj.weight`),
      bo: opt(`${p}.self_attn.o_proj.bias`),
      ln2: get(`${p}.post_attention_layernorm.weight`),
      wg: get(`${p}.mlp.gate_proj.weight`),
      wu: get(`${p}.mlp.up_proj.weight`),
      wd: get(`${p}.mlp.down_proj.weight`),
    });
  }
  const wte = get('model.embed_tokens.weight');
  return { data, wte, layers, lnf: get('model.norm.weight'), lmHead: opt('lm_head.weight') ?? wte };
}

/** A seeded init: matrices ~ N(0, std), norms 1, biases 0 (HF's `_init_weights` for Llama, std = initializer_range). */
export function initParams(cfg: ModelConfig, seed: number, std = 0.02): Float32Array {
  const specs = paramLayout(cfg);
  const data = allocF32(specs.reduce((n, s) => n + s.size, 0));
  const rng = createRng(seed);
  for (const s of specs) {
    const view = data.subarray(s.offset, s.offset + s.size);
    if (s.isMatrix) for (let i = 0; i < s.size; i++) view[i] = randn(rng) * std;
    else if (s.name.endsWith('norm.weight')) view.fill(1);
    else view.fill(0);
  }
  return data;
}
