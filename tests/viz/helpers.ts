// Tiny GPT-2 and constructed Llama models for the attention lab's tests, plus naive reference
// forward passes written straight from the Hugging Face definitions (plain number arrays, no
// engine ops), to check the lab's matrices against an independent computation.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createModel,
  createRng,
  createTokenizer,
  type EngineTokenizer,
  initParams,
  type LlamaModel,
  type ModelConfig,
  paramLayout,
  parseModelConfig,
  writeSafetensors,
} from '../../src/engine/index.js';
import { type Gpt2Config, gpt2TensorShapes } from '../../src/viz/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { tinyTokenizerFiles } from '../helpers/tiny-model.js';

export type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

/** A tokenizer without a chat template, as GPT-2 ships. */
export function plainTokenizerFiles(vocabSize = 320) {
  const tok = tinyTokenizerFiles(vocabSize);
  const { chat_template: _drop, ...tokenizerConfig } = tok.tokenizerConfig;
  return { tokenizerJson: tok.tokenizerJson, tokenizerConfig };
}

export function tinyTokenizer(withTemplate = true): EngineTokenizer {
  const files = withTemplate ? tinyTokenizerFiles() : plainTokenizerFiles();
  return createTokenizer({ ...files, chatTemplateJinja: null });
}

/** Writes a tiny random GPT-2 folder (Conv1D layouts, `transformer.` prefix, tied head). */
export async function writeTinyGpt2(
  opts: { seed?: number; L?: number; H?: number; C?: number; P?: number; scaleByLayer?: boolean } = {},
): Promise<{ dir: string; config: Gpt2Config; tensors: Tensors }> {
  const dir = await makeTempDir('alignboard-gpt2-');
  const tok = plainTokenizerFiles();
  const C = opts.C ?? 16;
  const config: Gpt2Config = {
    V: 320,
    C,
    F: 4 * C,
    L: opts.L ?? 2,
    H: opts.H ?? 4,
    D: C / (opts.H ?? 4),
    P: opts.P ?? 1100,
    eps: 1e-5,
    scaleByLayer: opts.scaleByLayer ?? false,
    bosTokenId: 0,
    eosTokenId: 0,
  };
  const rng = createRng(opts.seed ?? 7);
  const tensors: Tensors = new Map();
  for (const [name, shape] of gpt2TensorShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNormWeight = /ln_\w+\.weight$/.test(name);
    for (let i = 0; i < n; i++) data[i] = isNormWeight ? 1 + (rng() - 0.5) * 0.2 : (rng() - 0.5) * 0.4;
    tensors.set(name, { shape, data });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      vocab_size: config.V,
      n_embd: C,
      n_layer: config.L,
      n_head: config.H,
      n_positions: config.P,
      n_inner: null,
      layer_norm_epsilon: 1e-5,
      activation_function: 'gelu_new',
      scale_attn_by_inverse_layer_idx: config.scaleByLayer,
      bos_token_id: 0,
      eos_token_id: 0,
    }),
  );
  await writeSafetensors(
    join(dir, 'model.safetensors'),
    [...tensors].map(([name, t]) => ({ name: `transformer.${name}`, ...t })),
  );
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tok.tokenizerJson));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tok.tokenizerConfig));
  return { dir, config, tensors };
}

// ---- naive references: one row at a time, plain arrays, straight from the HF modeling code ----

type Vec = number[];
const dot = (a: Vec, b: Vec) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
/** y = W x for W stored (out, in). */
const linOutIn = (w: Float32Array, x: Vec, out: number): Vec =>
  Array.from({ length: out }, (_, o) => x.reduce((s, v, i) => s + v * (w[o * x.length + i] as number), 0));
/** y = x W for W stored (in, out), HF Conv1D. */
const linInOut = (w: Float32Array, x: Vec, out: number): Vec =>
  Array.from({ length: out }, (_, o) => x.reduce((s, v, i) => s + v * (w[i * out + o] as number), 0));
const add = (a: Vec, b: Vec | Float32Array) => a.map((v, i) => v + (b[i] as number));
function softmax(s: Vec): Vec {
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** GPT-2 attention probabilities [layer][head][t][k] from the raw Conv1D tensors. */
export function naiveGpt2Attentions(cfg: Gpt2Config, w: Tensors, tokens: number[]): number[][][][] {
  const g = (n: string) => (w.get(n) as { data: Float32Array }).data;
  const { C, H, D, F } = cfg;
  const ln = (x: Vec, wt: Float32Array, b: Float32Array) => {
    const m = x.reduce((a, v) => a + v, 0) / C;
    const v = x.reduce((a, u) => a + (u - m) ** 2, 0) / C;
    return x.map((u, i) => ((u - m) / Math.sqrt(v + cfg.eps)) * (wt[i] as number) + (b[i] as number));
  };
  let xs: Vec[] = tokens.map((id, t) =>
    Array.from(
      { length: C },
      (_, i) => (g('wte.weight')[id * C + i] as number) + (g('wpe.weight')[t * C + i] as number),
    ),
  );
  const out: number[][][][] = [];
  for (let l = 0; l < cfg.L; l++) {
    const p = `h.${l}`;
    const qkv = xs.map((x) =>
      add(
        linInOut(g(`${p}.attn.c_attn.weight`), ln(x, g(`${p}.ln_1.weight`), g(`${p}.ln_1.bias`)), 3 * C),
        g(`${p}.attn.c_attn.bias`),
      ),
    );
    const layer: number[][][] = [];
    const ys: Vec[] = xs.map(() => new Array(C).fill(0));
    for (let h = 0; h < H; h++) {
      const rows: number[][] = [];
      for (let t = 0; t < tokens.length; t++) {
        const q = (qkv[t] as Vec).slice(h * D, (h + 1) * D);
        const scores = Array.from(
          { length: t + 1 },
          (_, k) =>
            dot(q, (qkv[k] as Vec).slice(C + h * D, C + (h + 1) * D)) /
            Math.sqrt(D) /
            (cfg.scaleByLayer ? l + 1 : 1),
        );
        const p2 = softmax(scores);
        rows.push([...p2, ...new Array(tokens.length - t - 1).fill(0)]);
        for (let k = 0; k <= t; k++)
          for (let d = 0; d < D; d++)
            (ys[t] as Vec)[h * D + d] =
              ((ys[t] as Vec)[h * D + d] as number) +
              (p2[k] as number) * ((qkv[k] as Vec)[2 * C + h * D + d] as number);
      }
      layer.push(rows);
    }
    out.push(layer);
    xs = xs.map((x, t) =>
      add(x, add(linInOut(g(`${p}.attn.c_proj.weight`), ys[t] as Vec, C), g(`${p}.attn.c_proj.bias`))),
    );
    xs = xs.map((x) => {
      const hdn = add(
        linInOut(g(`${p}.mlp.c_fc.weight`), ln(x, g(`${p}.ln_2.weight`), g(`${p}.ln_2.bias`)), F),
        g(`${p}.mlp.c_fc.bias`),
      ).map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
      return add(x, add(linInOut(g(`${p}.mlp.c_proj.weight`), hdn, C), g(`${p}.mlp.c_proj.bias`)));
    });
  }
  return out;
}

/** Llama attention probabilities [layer][head][t][k] by HF tensor name, default RoPE, GQA. */
export function naiveLlamaAttentions(model: LlamaModel, tokens: number[]): number[][][][] {
  const cfg = model.config;
  const w = new Map(
    paramLayout(cfg).map((s) => [s.name, model.params.subarray(s.offset, s.offset + s.size)]),
  );
  const g = (n: string) => w.get(n) as Float32Array;
  const { C, H, Hkv, D, F } = cfg;
  const rms = (x: Vec, wt: Float32Array) => {
    const s = 1 / Math.sqrt(x.reduce((a, v) => a + v * v, 0) / C + cfg.rmsNormEps);
    return x.map((v, i) => v * s * (wt[i] as number));
  };
  const rope = (x: Vec, pos: number) => {
    const y = x.slice();
    for (let i = 0; i < D / 2; i++) {
      const a = pos * (1 / cfg.ropeTheta ** ((2 * i) / D));
      y[i] = (x[i] as number) * Math.cos(a) - (x[i + D / 2] as number) * Math.sin(a);
      y[i + D / 2] = (x[i + D / 2] as number) * Math.cos(a) + (x[i] as number) * Math.sin(a);
    }
    return y;
  };
  let xs: Vec[] = tokens.map((id) =>
    Array.from(g('model.embed_tokens.weight').subarray(id * C, (id + 1) * C)),
  );
  const out: number[][][][] = [];
  for (let l = 0; l < cfg.L; l++) {
    const p = `model.layers.${l}`;
    const n1 = xs.map((x) => rms(x, g(`${p}.input_layernorm.weight`)));
    const bias = (name: string, v: Vec) => (w.has(name) ? add(v, g(name)) : v);
    const qs = n1.map((x) =>
      bias(`${p}.self_attn.q_proj.bias`, linOutIn(g(`${p}.self_attn.q_proj.weight`), x, H * D)),
    );
    const ks = n1.map((x) =>
      bias(`${p}.self_attn.k_proj.bias`, linOutIn(g(`${p}.self_attn.k_proj.weight`), x, Hkv * D)),
    );
    const vs = n1.map((x) =>
      bias(`${p}.self_attn.v_proj.bias`, linOutIn(g(`${p}.self_attn.v_proj.weight`), x, Hkv * D)),
    );
    const layer: number[][][] = [];
    const ys: Vec[] = xs.map(() => new Array(H * D).fill(0));
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / (H / Hkv));
      const rows: number[][] = [];
      for (let t = 0; t < tokens.length; t++) {
        const q = rope((qs[t] as Vec).slice(h * D, (h + 1) * D), t);
        const p2 = softmax(
          Array.from(
            { length: t + 1 },
            (_, k) => dot(q, rope((ks[k] as Vec).slice(kh * D, (kh + 1) * D), k)) / Math.sqrt(D),
          ),
        );
        rows.push([...p2, ...new Array(tokens.length - t - 1).fill(0)]);
        for (let k = 0; k <= t; k++)
          for (let d = 0; d < D; d++)
            (ys[t] as Vec)[h * D + d] =
              ((ys[t] as Vec)[h * D + d] as number) +
              (p2[k] as number) * ((vs[k] as Vec)[kh * D + d] as number);
      }
      layer.push(rows);
    }
    out.push(layer);
    xs = xs.map((x, t) => add(x, linOutIn(g(`${p}.self_attn.o_proj.weight`), ys[t] as Vec, C)));
    xs = xs.map((x) => {
      const n2 = rms(x, g(`${p}.post_attention_layernorm.weight`));
      const gate = linOutIn(g(`${p}.mlp.gate_proj.weight`), n2, F);
      const up = linOutIn(g(`${p}.mlp.up_proj.weight`), n2, F);
      const hdn = gate.map((v, i) => (v / (1 + Math.exp(-v))) * (up[i] as number));
      return add(x, linOutIn(g(`${p}.mlp.down_proj.weight`), hdn, C));
    });
  }
  return out;
}

/** The worst |a - b| over a (H, T, T) layer from the lab and a naive [head][t][k]. */
export function maxDiff(att: Float32Array, ref: number[][][], T: number): number {
  let worst = 0;
  for (const [h, rows] of ref.entries()) {
    for (const [t, row] of rows.entries()) {
      for (const [k, v] of row.entries())
        worst = Math.max(worst, Math.abs((att[(h * T + t) * T + k] as number) - v));
    }
  }
  return worst;
}

/**
 * A Llama-family model whose attention is known by construction. Every layer's residual branch
 * is zero (o_proj = down_proj = 0), so every layer sees the embeddings. Embeddings: dim 0 is 1
 * for every token; `markers` get dim 1 = 1, the others dim 2 = 1 (same RMS for both).
 * - head 0 attends to the previous token: q and k are constant and placed in every rotary pair
 *   with q's angle set back by one position's rotation, so q_t · k_s peaks at s = t - 1.
 * - head 1 attends to the marker tokens: q constant, k = marker, in the slowest rotary pair.
 * With `allMarker`, head 0 attends to the markers too.
 */
export function constructedLlama(
  markers: Iterable<number>,
  opts: { V?: number; L?: number /** Both heads attend to the markers. */; allMarker?: boolean } = {},
): LlamaModel {
  const D = 16;
  const config: ModelConfig = parseModelConfig({
    model_type: 'llama',
    vocab_size: opts.V ?? 320,
    hidden_size: 4,
    intermediate_size: 8,
    num_hidden_layers: opts.L ?? 2,
    num_attention_heads: 2,
    num_key_value_heads: 2,
    head_dim: D,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: false,
  });
  const model = createModel(config, initParams(config, 3, 0.5));
  const { C, V } = config;
  const v = model.views;
  const isMarker = new Set(markers);
  for (let id = 0; id < V; id++) {
    v.wte.fill(0, id * C, (id + 1) * C);
    v.wte[id * C] = 1;
    v.wte[id * C + (isMarker.has(id) ? 1 : 2)] = 1;
  }
  const Mprev = 16; // score gap to the next-best position is ~0.46 * Mprev^2 / 2: e^-59
  const Mmark = 20; // marker score Mmark^2 / 2 = 200 over 0 elsewhere
  for (const p of v.layers) {
    p.wq.fill(0);
    p.wk.fill(0);
    p.wv.fill(0);
    p.wo.fill(0);
    p.wd.fill(0);
    for (let i = 0; i < D / 2 && !opts.allMarker; i++) {
      const f = Math.fround(1 / 10000 ** ((2 * i) / D));
      // head 0: q angle -f in pair (i, i + D/2); k angle 0.
      p.wq[i * C] = Mprev * Math.cos(-f);
      p.wq[(i + D / 2) * C] = Mprev * Math.sin(-f);
      p.wk[i * C] = Mprev;
    }
    // head 1: the slowest pair (i = D/2 - 1 rotates 3e-4 rad per position).
    p.wq[(D + D / 2 - 1) * C] = Mmark;
    p.wk[(D + D / 2 - 1) * C + 1] = Mmark;
    if (opts.allMarker) {
      p.wq[(D / 2 - 1) * C] = Mmark;
      p.wk[(D / 2 - 1) * C + 1] = Mmark;
    }
    // values: copy dim 0 so outputs are well defined (they are dropped by o_proj = 0)
    for (let d = 0; d < 2 * D; d++) p.wv[d * C] = 1;
  }
  return model;
}
