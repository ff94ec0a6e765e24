// Export to GGUF (llama.cpp's format, https://github.com/ggml-org/ggml/blob/master/docs/gguf.md),
// version 3, all tensors F32, so the same weights can be run by llama.cpp for parity checks.
// Follows transformers-to-GGUF conversion in llama.cpp's convert_hf_to_gguf.py for `llama`:
// tensor names, metadata keys, and the q/k row permutation (GGML's llama rope rotates adjacent
// pairs, Hugging Face rotates halves).
import { writeFile } from 'node:fs/promises';
import { EngineError } from './errors.js';
import type { LlamaModel } from './llama.js';
import { paramLayout } from './params.js';

const ALIGN = 32;
const T_UINT32 = 4;
const T_INT32 = 5;
const T_FLOAT32 = 6;
const T_BOOL = 7;
const T_STRING = 8;
const T_ARRAY = 9;
const GGML_F32 = 0;

type Meta =
  | [string, 'u32' | 'f32' | 'bool' | 'str', number | boolean | string]
  | [string, 'str[]', string[]]
  | [string, 'i32[]', number[]];

class ByteWriter {
  private chunks: Uint8Array[] = [];
  size = 0;
  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.byteLength;
  }
  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.push(b);
  }
  i32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    this.push(b);
  }
  u64(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    this.push(b);
  }
  f32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }
  u8(v: number): void {
    this.push(Uint8Array.of(v));
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.byteLength);
    this.push(b);
  }
  bytes(b: Uint8Array): void {
    this.push(b);
  }
  pad(): void {
    const n = (ALIGN - (this.size % ALIGN)) % ALIGN;
    if (n) this.push(new Uint8Array(n));
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

/** Rows of a (nHead*D, C) projection reordered from HF's half layout to GGML's interleaved pairs. */
function permuteRows(w: Float32Array, nHead: number, C: number): Float32Array {
  const D = w.length / C / nHead;
  const out = new Float32Array(w.length);
  for (let h = 0; h < nHead; h++) {
    for (let i = 0; i < D / 2; i++) {
      for (let j = 0; j < 2; j++) {
        const src = (h * D + j * (D / 2) + i) * C;
        const dst = (h * D + i * 2 + j) * C;
        out.set(w.subarray(src, src + C), dst);
      }
    }
  }
  return out;
}

export interface GgufTokenizer {
  /** Token strings by id (byte-level BPE strings, as in tokenizer.json's vocab). */
  tokens: string[];
  /** Ids of control (special) tokens. */
  specialIds: Set<number>;
  /** Merges as "a b". */
  merges: string[];
  eosTokenId: number | null;
}

/** Writes `model` as a GGUF v3 file with llama architecture and F32 tensors. */
export async function writeGguf(
  file: string,
  model: LlamaModel,
  tok: GgufTokenizer,
  name = 'alignboard-tiny',
): Promise<void> {
  const cfg = model.config;
  if (cfg.qkvBias || cfg.oBias || cfg.ropeScaling.type !== 'default') {
    throw new EngineError(
      'AB_ENGINE_ARCH',
      'GGUF export covers plain llama models (no attention bias, default rope)',
      { field: 'config' },
    );
  }
  const meta: Meta[] = [
    ['general.architecture', 'str', 'llama'],
    ['general.name', 'str', name],
    ['general.alignment', 'u32', ALIGN],
    ['general.file_type', 'u32', 0],
    ['llama.context_length', 'u32', cfg.maxPositions],
    ['llama.embedding_length', 'u32', cfg.C],
    ['llama.block_count', 'u32', cfg.L],
    ['llama.feed_forward_length', 'u32', cfg.F],
    ['llama.rope.dimension_count', 'u32', cfg.D],
    ['llama.attention.head_count', 'u32', cfg.H],
    ['llama.attention.head_count_kv', 'u32', cfg.Hkv],
    ['llama.attention.key_length', 'u32', cfg.D],
    ['llama.attention.value_length', 'u32', cfg.D],
    ['llama.attention.layer_norm_rms_epsilon', 'f32', cfg.rmsNormEps],
    ['llama.rope.freq_base', 'f32', cfg.ropeTheta],
    ['llama.vocab_size', 'u32', cfg.V],
    ['tokenizer.ggml.model', 'str', 'gpt2'],
    ['tokenizer.ggml.pre', 'str', 'default'],
    ['tokenizer.ggml.tokens', 'str[]', tok.tokens],
    ['tokenizer.ggml.token_type', 'i32[]', tok.tokens.map((_, i) => (tok.specialIds.has(i) ? 3 : 1))],
    ['tokenizer.ggml.merges', 'str[]', tok.merges],
    ['tokenizer.ggml.add_bos_token', 'bool', false],
  ];
  if (tok.eosTokenId !== null) meta.push(['tokenizer.ggml.eos_token_id', 'u32', tok.eosTokenId]);

  const w = model.views;
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [];
  const byName = new Map(paramLayout(cfg).map((s) => [s.name, s]));
  const view = (hf: string) => {
    const s = byName.get(hf);
    if (!s) throw new Error(`no tensor ${hf}`);
    return { shape: s.shape, data: model.params.subarray(s.offset, s.offset + s.size) };
  };
  tensors.push({ name: 'token_embd.weight', ...view('model.embed_tokens.weight') });
  for (let l = 0; l < cfg.L; l++) {
    const p = `model.layers.${l}`;
    const lp = w.layers[l];
    if (!lp) throw new Error(`no layer ${l}`);
    tensors.push({ name: `blk.${l}.attn_norm.weight`, ...view(`${p}.input_layernorm.weight`) });
    tensors.push({
      name: `blk.${l}.attn_q.weight`,
      shape: [cfg.H * cfg.D, cfg.C],
      data: permuteRows(lp.wq, cfg.H, cfg.C),
    });
    tensors.push({
      name: `blk.${l}.attn_k.weight`,
      shape: [cfg.Hkv * cfg.D, cfg.C],
      data: permuteRows(lp.wk, cfg.Hkv, cfg.C),
    });
    tensors.push({ name: `blk.${l}.attn_v.weight`, ...view(`${p}.self_attn.v_proj.weight`) });
    tensors.push({ name: `blk.${l}.attn_output.weight`, ...view(`${p}.self_attn.o_proj.weight`) });
    tensors.push({ name: `blk.${l}.ffn_norm.weight`, ...view(`${p}.post_attention_layernorm.weight`) });
    tensors.push({ name: `blk.${l}.ffn_gate.weight`, ...view(`${p}.mlp.gate_proj.weight`) });
    tensors.push({ name: `blk.${l}.ffn_up.weight`, ...view(`${p}.mlp.up_proj.weight`) });
    tensors.push({ name: `blk.${l}.ffn_down.weight`, ...view(`${p}.mlp.down_proj.weight`) });
  }
  tensors.push({ name: 'output_norm.weight', ...view('model.norm.weight') });
  if (!cfg.tieWordEmbeddings) tensors.push({ name: 'output.weight', ...view('lm_head.weight') });

  const out = new ByteWriter();
  out.u32(0x46554747); // "GGUF"
  out.u32(3);
  out.u64(tensors.length);
  out.u64(meta.length);
  for (const [key, type, value] of meta) {
    out.str(key);
    if (type === 'u32') {
      out.u32(T_UINT32);
      out.u32(value as number);
    } else if (type === 'f32') {
      out.u32(T_FLOAT32);
      out.f32(value as number);
    } else if (type === 'bool') {
      out.u32(T_BOOL);
      out.u8(value ? 1 : 0);
    } else if (type === 'str') {
      out.u32(T_STRING);
      out.str(value as string);
    } else if (type === 'str[]') {
      out.u32(T_ARRAY);
      out.u32(T_STRING);
      out.u64((value as string[]).length);
      for (const s of value as string[]) out.str(s);
    } else {
      out.u32(T_ARRAY);
      out.u32(T_INT32);
      out.u64((value as number[]).length);
      for (const v of value as number[]) out.i32(v);
    }
  }
  let offset = 0;
  for (const t of tensors) {
    out.str(t.name);
    out.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) out.u64(d); // GGML lists the fastest-moving dim first
    out.u32(GGML_F32);
    out.u64(offset);
    offset += Math.ceil((t.data.length * 4) / ALIGN) * ALIGN;
  }
  out.pad();
  for (const t of tensors) {
    out.bytes(new Uint8Array(Float32Array.from(t.data).buffer));
    out.pad();
  }
  await writeFile(file, out.concat());
}
