// Legend: T time, C model dim, H heads, D head dim (C/H), F ffn dim, V vocab, P positions, L layers.
// GPT-2 as Hugging Face's GPT2LMHeadModel defines it:
//   x = wte[tokens] + wpe[positions]
//   per layer: x = x + c_proj(attn(split(c_attn(ln_1(x)))))      c_attn is the fused q|k|v projection
//              x = x + mlp.c_proj(gelu_new(mlp.c_fc(ln_2(x))))
//   logits = ln_f(x) @ wte^T                                       (the head is tied to wte)
// HF stores GPT-2's linear layers as Conv1D with weight (in, out); we transpose them once at load
// into nn.Linear's (out, in), so the engine's matmul runs them unchanged.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { allocF32, attentionForward, matmulForward, readSafetensors, type Tensor } from '../engine/index.js';
import { VizError } from './errors.js';

export interface Gpt2Config {
  V: number;
  C: number;
  F: number;
  L: number;
  H: number;
  D: number;
  P: number;
  eps: number;
  /** GPT-2's scale_attn_by_inverse_layer_idx: scores of layer l are also divided by l + 1. */
  scaleByLayer: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
}

export interface Gpt2Layer {
  ln1w: Float32Array; // (C)
  ln1b: Float32Array; // (C)
  wqkv: Float32Array; // (3C, C) transposed from c_attn (C, 3C)
  bqkv: Float32Array; // (3C)
  wo: Float32Array; // (C, C) transposed from attn.c_proj
  bo: Float32Array; // (C)
  ln2w: Float32Array; // (C)
  ln2b: Float32Array; // (C)
  wfc: Float32Array; // (F, C) transposed from mlp.c_fc (C, F)
  bfc: Float32Array; // (F)
  wproj: Float32Array; // (C, F) transposed from mlp.c_proj (F, C)
  bproj: Float32Array; // (C)
}

export interface Gpt2Model {
  config: Gpt2Config;
  wte: Float32Array; // (V, C)
  wpe: Float32Array; // (P, C)
  layers: Gpt2Layer[];
  lnfw: Float32Array; // (C)
  lnfb: Float32Array; // (C)
  lmHead: Float32Array; // (V, C); wte unless the checkpoint has its own lm_head
}

const Gpt2ConfigSchema = z
  .object({
    model_type: z.literal('gpt2'),
    vocab_size: z.number().int().positive(),
    n_embd: z.number().int().positive(),
    n_layer: z.number().int().positive(),
    n_head: z.number().int().positive(),
    n_positions: z.number().int().positive().default(1024),
    n_inner: z.number().int().positive().nullish(),
    layer_norm_epsilon: z.number().positive().default(1e-5),
    activation_function: z.string().default('gelu_new'),
    scale_attn_weights: z.boolean().default(true),
    scale_attn_by_inverse_layer_idx: z.boolean().default(false),
    reorder_and_upcast_attn: z.boolean().default(false),
    bos_token_id: z.number().int().nullish(),
    eos_token_id: z.number().int().nullish(),
  })
  .loose();

/** Parses a GPT-2 config.json object; `file` names it in errors. */
export function parseGpt2Config(raw: unknown, file = 'config.json'): Gpt2Config {
  const r = Gpt2ConfigSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new VizError('AB_VIZ_ARCH', `${issue?.message ?? 'invalid'}; expected a GPT-2 config`, {
      file,
      field: issue?.path.map(String).join('.') || undefined,
    });
  }
  const c = r.data;
  // gelu_new and gelu_pytorch_tanh are the same tanh approximation.
  if (c.activation_function !== 'gelu_new' && c.activation_function !== 'gelu_pytorch_tanh') {
    throw new VizError(
      'AB_VIZ_ARCH',
      `activation_function "${c.activation_function}" is not supported; expected gelu_new`,
      {
        file,
        field: 'activation_function',
      },
    );
  }
  if (!c.scale_attn_weights) {
    throw new VizError('AB_VIZ_ARCH', 'scale_attn_weights false is not supported', {
      file,
      field: 'scale_attn_weights',
    });
  }
  if (c.n_embd % c.n_head !== 0) {
    throw new VizError('AB_VIZ_ARCH', `n_embd ${c.n_embd} is not a multiple of n_head ${c.n_head}`, {
      file,
      field: 'n_head',
    });
  }
  return {
    V: c.vocab_size,
    C: c.n_embd,
    F: c.n_inner ?? 4 * c.n_embd,
    L: c.n_layer,
    H: c.n_head,
    D: c.n_embd / c.n_head,
    P: c.n_positions,
    eps: c.layer_norm_epsilon,
    scaleByLayer: c.scale_attn_by_inverse_layer_idx,
    bosTokenId: c.bos_token_id ?? null,
    eosTokenId: c.eos_token_id ?? null,
  };
}

/** The tensors of a GPT-2 checkpoint, by their names without the `transformer.` prefix, with shapes. */
export function gpt2TensorShapes(cfg: Gpt2Config): [string, number[]][] {
  const { V, C, F, L, P } = cfg;
  const out: [string, number[]][] = [
    ['wte.weight', [V, C]],
    ['wpe.weight', [P, C]],
  ];
  for (let l = 0; l < L; l++) {
    const p = `h.${l}`;
    out.push(
      [`${p}.ln_1.weight`, [C]],
      [`${p}.ln_1.bias`, [C]],
      [`${p}.attn.c_attn.weight`, [C, 3 * C]],
      [`${p}.attn.c_attn.bias`, [3 * C]],
      [`${p}.attn.c_proj.weight`, [C, C]],
      [`${p}.attn.c_proj.bias`, [C]],
      [`${p}.ln_2.weight`, [C]],
      [`${p}.ln_2.bias`, [C]],
      [`${p}.mlp.c_fc.weight`, [C, F]],
      [`${p}.mlp.c_fc.bias`, [F]],
      [`${p}.mlp.c_proj.weight`, [F, C]],
      [`${p}.mlp.c_proj.bias`, [C]],
    );
  }
  out.push(['ln_f.weight', [C]], ['ln_f.bias', [C]]);
  return out;
}

// w: (rows, cols) → (cols, rows).
function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = allocF32(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c] as number;
  return out;
}

/** Builds the model from checkpoint tensors (names with or without `transformer.`). */
export function gpt2FromTensors(
  cfg: Gpt2Config,
  tensors: Map<string, Tensor>,
  file = 'model.safetensors',
): Gpt2Model {
  const shapes = new Map(gpt2TensorShapes(cfg));
  const get = (name: string): Float32Array => {
    const t = tensors.get(name) ?? tensors.get(`transformer.${name}`);
    const shape = shapes.get(name) ?? [];
    if (!t) {
      throw new VizError(
        'AB_VIZ_WEIGHTS',
        `tensor is missing from the checkpoint (shape [${shape}] expected)`,
        {
          file,
          field: name,
        },
      );
    }
    if (t.shape.join(',') !== shape.join(',')) {
      throw new VizError(
        'AB_VIZ_WEIGHTS',
        `shape [${t.shape}] does not match config.json, which implies [${shape}]`,
        {
          file,
          field: name,
        },
      );
    }
    return t.data;
  };
  const { C, F, L } = cfg;
  const layers: Gpt2Layer[] = [];
  for (let l = 0; l < L; l++) {
    const p = `h.${l}`;
    layers.push({
      ln1w: get(`${p}.ln_1.weight`),
      ln1b: get(`${p}.ln_1.bias`),
      wqkv: transpose(get(`${p}.attn.c_attn.weight`), C, 3 * C),
      bqkv: get(`${p}.attn.c_attn.bias`),
      wo: transpose(get(`${p}.attn.c_proj.weight`), C, C),
      bo: get(`${p}.attn.c_proj.bias`),
      ln2w: get(`${p}.ln_2.weight`),
      ln2b: get(`${p}.ln_2.bias`),
      wfc: transpose(get(`${p}.mlp.c_fc.weight`), C, F),
      bfc: get(`${p}.mlp.c_fc.bias`),
      wproj: transpose(get(`${p}.mlp.c_proj.weight`), F, C),
      bproj: get(`${p}.mlp.c_proj.bias`),
    });
  }
  const wte = get('wte.weight');
  const head = tensors.get('lm_head.weight');
  return {
    config: cfg,
    wte,
    wpe: get('wpe.weight'),
    layers,
    lnfw: get('ln_f.weight'),
    lnfb: get('ln_f.bias'),
    lmHead: head && head.shape.join(',') === `${cfg.V},${C}` ? head.data : wte,
  };
}

/** Reads config.json and model.safetensors (single file or shards) of a GPT-2 folder. */
export async function loadGpt2Dir(dir: string): Promise<Gpt2Model> {
  const configFile = join(dir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configFile, 'utf8'));
  } catch (err) {
    throw new VizError(
      'AB_VIZ_MODEL',
      `cannot read config.json (${(err as Error).message})`,
      { file: configFile },
      { cause: err },
    );
  }
  const cfg = parseGpt2Config(raw, configFile);
  const indexFile = join(dir, 'model.safetensors.index.json');
  let files = ['model.safetensors'];
  try {
    const index: unknown = JSON.parse(await readFile(indexFile, 'utf8'));
    const map = z.object({ weight_map: z.record(z.string(), z.string()) }).safeParse(index);
    if (map.success) files = [...new Set(Object.values(map.data.weight_map))];
  } catch {
    // no index: a single model.safetensors, the common case for GPT-2 sizes
  }
  const tensors = new Map<string, Tensor>();
  for (const f of files) for (const [name, t] of await readSafetensors(join(dir, f))) tensors.set(name, t);
  return gpt2FromTensors(cfg, tensors, join(dir, files[0] ?? 'model.safetensors'));
}

// rows = T. inp, out: (rows, C). weight, bias: (C). out = (inp - mean) / sqrt(var + eps) * weight + bias.
export function layernormForward(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array,
  rows: number,
  C: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let mean = 0;
    for (let i = 0; i < C; i++) mean += inp[o + i] as number;
    mean /= C;
    let v = 0;
    for (let i = 0; i < C; i++) {
      const d = (inp[o + i] as number) - mean;
      v += d * d;
    }
    const s = 1 / Math.sqrt(v / C + eps);
    for (let i = 0; i < C; i++)
      out[o + i] = ((inp[o + i] as number) - mean) * s * (weight[i] as number) + (bias[i] as number);
  }
}

// x: (n), in place. gelu_new (Hendrycks & Gimpel, tanh form): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
export function geluNewForward(x: Float32Array, n: number): void {
  const k = Math.sqrt(2 / Math.PI);
  for (let i = 0; i < n; i++) {
    const v = x[i] as number;
    x[i] = 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)));
  }
}

/**
 * Forward over one sequence. Returns logits (T, V) and, per layer, attention probabilities
 * (H, T, T) with zeros above the diagonal.
 */
export function gpt2Forward(
  model: Gpt2Model,
  tokens: readonly number[],
  opts: { logits?: boolean } = {},
): { logits: Float32Array; attentions: Float32Array[] } {
  const cfg = model.config;
  const { V, C, F, H, D, P, eps } = cfg;
  const T = tokens.length;
  if (T === 0) throw new VizError('AB_VIZ_INPUT', 'the input has no tokens', { field: 'input' });
  if (T > P)
    throw new VizError('AB_VIZ_INPUT', `${T} tokens do not fit the context of ${P} positions`, {
      field: 'input',
    });
  const x = allocF32(T * C);
  for (let t = 0; t < T; t++) {
    const id = tokens[t] as number;
    if (!Number.isInteger(id) || id < 0 || id >= V) {
      throw new VizError('AB_VIZ_INPUT', `token id ${id} is outside [0, ${V})`, { field: `tokens[${t}]` });
    }
    for (let i = 0; i < C; i++)
      x[t * C + i] = (model.wte[id * C + i] as number) + (model.wpe[t * C + i] as number);
  }
  const ln = allocF32(T * C);
  const qkv = allocF32(T * 3 * C);
  const q = new Float32Array(T * C);
  const k = new Float32Array(T * C);
  const v = new Float32Array(T * C);
  const y = allocF32(T * C);
  const tmp = allocF32(T * C);
  const h = allocF32(T * F);
  const attentions: Float32Array[] = [];
  for (let l = 0; l < cfg.L; l++) {
    const p = model.layers[l] as Gpt2Layer;
    layernormForward(ln, x, p.ln1w, p.ln1b, T, C, eps);
    matmulForward(qkv, ln, p.wqkv, p.bqkv, T, C, 3 * C);
    for (let t = 0; t < T; t++) {
      q.set(qkv.subarray(t * 3 * C, t * 3 * C + C), t * C);
      k.set(qkv.subarray(t * 3 * C + C, t * 3 * C + 2 * C), t * C);
      v.set(qkv.subarray(t * 3 * C + 2 * C, t * 3 * C + 3 * C), t * C);
    }
    const att = new Float32Array(H * T * T);
    const scale = 1 / Math.sqrt(D) / (cfg.scaleByLayer ? l + 1 : 1);
    attentionForward(y, att, q, k, v, null, 1, T, H, H, D, scale);
    attentions.push(att);
    matmulForward(tmp, y, p.wo, p.bo, T, C, C);
    for (let i = 0; i < T * C; i++) x[i] = (x[i] as number) + (tmp[i] as number);
    layernormForward(ln, x, p.ln2w, p.ln2b, T, C, eps);
    matmulForward(h, ln, p.wfc, p.bfc, T, C, F);
    geluNewForward(h, T * F);
    matmulForward(tmp, h, p.wproj, p.bproj, T, F, C);
    for (let i = 0; i < T * C; i++) x[i] = (x[i] as number) + (tmp[i] as number);
  }
  if (opts.logits === false) return { logits: new Float32Array(0), attentions };
  layernormForward(ln, x, model.lnfw, model.lnfb, T, C, eps);
  const logits = new Float32Array(T * V);
  matmulForward(logits, ln, model.lmHead, null, T, C, V);
  return { logits, attentions };
}
