// Legend: T time, C model dim, H heads, Hkv kv heads, G = H/Hkv query heads per kv head, D head dim,
// F ffn dim, V vocab, L layers.
// The ONNX graph of a Llama-family model (Llama, Qwen2 with q/k/v bias, Mistral without sliding
// window; tied or untied head; GQA) built from the engine's config and weights, with every layer's
// attention probabilities as outputs. One sequence, no batch axis, T symbolic. Standard ONNX ops at
// opset 17, so any runtime can run it; RMSNorm is written from primitives in the
// Pow → ReduceMean → Add → Sqrt → Div → Mul shape that onnxruntime fuses into its
// SimplifiedLayerNormalization kernel.
//
// Inputs:  input_ids (T) int64; rope_cos, rope_sin (T, 1, 1, D) from ropeInputs; causal_mask (T, T).
// Outputs: logits (T, V); attentions.<l> (H, T, T) for l in [0, L), zeros above the diagonal.
import type { LlamaModel } from '../../engine/index.js';
import {
  type AttrValue,
  attrInt,
  attrInts,
  type GraphDef,
  type NodeDef,
  ONNX_FLOAT,
  ONNX_INT64,
  type TensorDef,
} from './encode-onnx.js';

export const LLAMA_GRAPH_OPSET = 17;
export const LLAMA_GRAPH_IR_VERSION = 8; // the IR version that goes with opset 17 (onnx 1.12)

export const attentionOutput = (l: number) => `attentions.${l}`;

const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Appends nodes with unique names and outputs; initializers reference the weights' bytes (no copy). */
class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly initializers: TensorDef[] = [];
  private n = 0;

  op(op: string, inputs: string[], attrs?: Record<string, AttrValue>, hint = op.toLowerCase()): string {
    const name = `${hint}_${this.n++}`;
    this.nodes.push({ op, inputs, outputs: [name], name, ...(attrs ? { attrs } : {}) });
    return name;
  }

  /** A node whose output gets a fixed name (a graph output). */
  opNamed(op: string, inputs: string[], output: string, attrs?: Record<string, AttrValue>): string {
    this.nodes.push({
      op,
      inputs,
      outputs: [output],
      name: `${op.toLowerCase()}_${this.n++}`,
      ...(attrs ? { attrs } : {}),
    });
    return output;
  }

  f32(name: string, dims: number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size)
      throw new Error(`initializer ${name}: ${data.length} values for shape [${dims}]`);
    this.initializers.push({ name, dataType: ONNX_FLOAT, dims, data: bytesOf(data) });
    return name;
  }

  i64(name: string, values: number[]): string {
    this.initializers.push({
      name,
      dataType: ONNX_INT64,
      dims: [values.length],
      data: bytesOf(BigInt64Array.from(values, BigInt)),
    });
    return name;
  }

  scalar(name: string, v: number): string {
    this.initializers.push({ name, dataType: ONNX_FLOAT, dims: [], data: bytesOf(Float32Array.of(v)) });
    return name;
  }
}

/** The graph of `model`; its initializers share memory with `model.params`. */
export function buildLlamaGraph(model: LlamaModel): GraphDef {
  const cfg = model.config;
  const { V, C, F, L, H, Hkv, D } = cfg;
  const G = H / Hkv;
  const v = model.views;
  const g = new GraphBuilder();

  const two = g.scalar('const.two', 2);
  const eps = g.scalar('const.rms_eps', cfg.rmsNormEps);
  const scale = g.scalar('const.attn_scale', 1 / Math.sqrt(D));
  const shapeQ = g.i64('shape.q', [-1, Hkv, G, D]); // (T, H*D) → (T, Hkv, G, D)
  const shapeKv = g.i64('shape.kv', [-1, Hkv, 1, D]); // (T, Hkv*D) → (T, Hkv, 1, D)
  const shapeAtt = g.i64('shape.att', [H, -1, 0]); // (Hkv, G, T, T) → (H, T, T); 0 copies T
  const shapeY = g.i64('shape.y', [-1, H * D]); // (T, Hkv, G, D) → (T, H*D)
  const swap = g.i64('index.swap_halves', [
    ...Array.from({ length: D / 2 }, (_, i) => D / 2 + i),
    ...Array.from({ length: D / 2 }, (_, i) => i),
  ]);

  // x: (T, C) → (T, C), y = x / sqrt(mean(x^2) + eps) * w
  const rmsnorm = (x: string, w: string) => {
    const ms = g.op('ReduceMean', [g.op('Pow', [x, two])], { axes: attrInts([-1]), keepdims: attrInt(1) });
    const rms = g.op('Sqrt', [g.op('Add', [ms, eps])]);
    return g.op('Mul', [g.op('Div', [x, rms]), w]);
  };
  // x: (T, in) → (T, out) with w (out, in) as Hugging Face stores it
  const linear = (x: string, w: string, b: string | null) =>
    g.op('Gemm', b ? [x, w, b] : [x, w], { transB: attrInt(1) }, 'linear');
  // x: (T, n, m, D), rotated by position: x * cos + swapHalves(x) * sinSigned
  const rope = (x: string) =>
    g.op('Add', [
      g.op('Mul', [x, 'rope_cos']),
      g.op('Mul', [g.op('Gather', [x, swap], { axis: attrInt(-1) }), 'rope_sin']),
    ]);

  const embed = g.f32('model.embed_tokens.weight', [V, C], v.wte);
  let x = g.op('Gather', [embed, 'input_ids'], { axis: attrInt(0) }, 'embed'); // (T, C)
  for (let l = 0; l < L; l++) {
    const p = v.layers[l];
    if (!p) throw new Error(`model has no layer ${l}`);
    const name = (s: string) => `model.layers.${l}.${s}`;
    const opt = (n: string, dims: number[], a: Float32Array | null) => (a ? g.f32(name(n), dims, a) : null);

    const h = rmsnorm(x, g.f32(name('input_layernorm.weight'), [C], p.ln1));
    const q = linear(
      h,
      g.f32(name('self_attn.q_proj.weight'), [H * D, C], p.wq),
      opt('self_attn.q_proj.bias', [H * D], p.bq),
    );
    const k = linear(
      h,
      g.f32(name('self_attn.k_proj.weight'), [Hkv * D, C], p.wk),
      opt('self_attn.k_proj.bias', [Hkv * D], p.bk),
    );
    const vv = linear(
      h,
      g.f32(name('self_attn.v_proj.weight'), [Hkv * D, C], p.wv),
      opt('self_attn.v_proj.bias', [Hkv * D], p.bv),
    );
    const qh = g.op('Transpose', [rope(g.op('Reshape', [q, shapeQ]))], { perm: attrInts([1, 2, 0, 3]) }); // (Hkv, G, T, D)
    const kt = g.op('Transpose', [rope(g.op('Reshape', [k, shapeKv]))], { perm: attrInts([1, 2, 3, 0]) }); // (Hkv, 1, D, T)
    const vh = g.op('Transpose', [g.op('Reshape', [vv, shapeKv])], { perm: attrInts([1, 2, 0, 3]) }); // (Hkv, 1, T, D)
    // query head h = kv * G + j reads kv head h / G: the broadcast over the size-1 axis does GQA
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [qh, kt]), scale]), 'causal_mask']); // (Hkv, G, T, T)
    const probs = g.op('Softmax', [scores], { axis: attrInt(-1) });
    g.opNamed('Reshape', [probs, shapeAtt], attentionOutput(l)); // (H, T, T)
    const y = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: attrInts([2, 0, 1, 3]) }); // (T, Hkv, G, D)
    const o = linear(
      g.op('Reshape', [y, shapeY]),
      g.f32(name('self_attn.o_proj.weight'), [C, H * D], p.wo),
      opt('self_attn.o_proj.bias', [C], p.bo),
    );
    x = g.op('Add', [x, o], undefined, 'residual');

    const h2 = rmsnorm(x, g.f32(name('post_attention_layernorm.weight'), [C], p.ln2));
    const gate = linear(h2, g.f32(name('mlp.gate_proj.weight'), [F, C], p.wg), null); // (T, F)
    const up = linear(h2, g.f32(name('mlp.up_proj.weight'), [F, C], p.wu), null);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]); // silu(gate) * up
    x = g.op(
      'Add',
      [x, linear(act, g.f32(name('mlp.down_proj.weight'), [C, F], p.wd), null)],
      undefined,
      'residual',
    );
  }
  const xf = rmsnorm(x, g.f32('model.norm.weight', [C], v.lnf));
  const head = cfg.tieWordEmbeddings ? embed : g.f32('lm_head.weight', [V, C], v.lmHead);
  g.opNamed('Gemm', [xf, head], 'logits', { transB: attrInt(1) }); // (T, V)

  return {
    name: `${cfg.modelType}_attentions`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [
      { name: 'input_ids', elemType: ONNX_INT64, shape: ['T'] },
      { name: 'rope_cos', elemType: ONNX_FLOAT, shape: ['T', 1, 1, D] },
      { name: 'rope_sin', elemType: ONNX_FLOAT, shape: ['T', 1, 1, D] },
      { name: 'causal_mask', elemType: ONNX_FLOAT, shape: ['T', 'T'] },
    ],
    outputs: [
      { name: 'logits', elemType: ONNX_FLOAT, shape: ['T', V] },
      ...Array.from({ length: L }, (_, l) => ({
        name: attentionOutput(l),
        elemType: ONNX_FLOAT,
        shape: [H, 'T', 'T'],
      })),
    ],
  };
}
