import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes tiny Hugging Face model folders for registry tests: config.json in the transformers v4
 * or v5 key layout, safetensors files (a real header plus seeded random data), an optional shard
 * index, tokenizer_config.json, chat_template.jinja, generation_config.json, a README.md card,
 * adapter_config.json, trainer_state.json and training_args.json. Nothing binary is committed.
 */

export type Family = 'llama' | 'qwen2' | 'gemma';

export interface TensorSpec {
  name: string;
  dtype: 'F32' | 'F16' | 'BF16';
  shape: number[];
}

const BYTES = { F32: 4, F16: 2, BF16: 2 } as const;

/** A small deterministic generator (mulberry32) so the same seed writes the same bytes. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes a safetensors file: 8-byte LE header length, JSON header, then the tensor data. */
export async function writeSafetensors(
  file: string,
  tensors: TensorSpec[],
  opts: { seed?: number; metadata?: Record<string, string> } = {},
): Promise<void> {
  const rand = seeded(opts.seed ?? 1);
  const header: Record<string, unknown> = {};
  if (opts.metadata) header.__metadata__ = opts.metadata;
  let offset = 0;
  const chunks: Buffer[] = [];
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const size = n * BYTES[t.dtype];
    const data = Buffer.alloc(size);
    if (t.dtype === 'F32') for (let i = 0; i < n; i++) data.writeFloatLE((rand() - 0.5) * 0.04, i * 4);
    else for (let i = 0; i < n; i++) data.writeUInt16LE(Math.floor(rand() * 0x3c00), i * 2);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
    chunks.push(data);
  }
  // The format pads the header with spaces to an 8-byte boundary.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  await writeFile(file, Buffer.concat([len, Buffer.from(json), ...chunks]));
}

export interface TinyShape {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
  headDim?: number;
}

export const TINY: TinyShape = { layers: 2, hidden: 16, heads: 4, kvHeads: 2, intermediate: 32, vocab: 64 };

/** config.json for a tiny model of `family` in the v4 (`torch_dtype`, `rope_theta`) or v5 layout. */
export function tinyConfig(
  family: Family,
  layout: 'v4' | 'v5',
  shape: TinyShape = TINY,
): Record<string, unknown> {
  const architectures = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', gemma: 'GemmaForCausalLM' };
  const theta = family === 'qwen2' ? 1_000_000 : 10_000;
  const base: Record<string, unknown> = {
    architectures: [architectures[family]],
    model_type: family,
    hidden_size: shape.hidden,
    intermediate_size: shape.intermediate,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    vocab_size: shape.vocab,
    max_position_embeddings: 256,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: family === 'gemma',
  };
  if (shape.headDim !== undefined) base.head_dim = shape.headDim;
  if (family === 'gemma') base.hidden_activation = 'gelu_pytorch_tanh';
  else base.hidden_act = 'silu';
  if (layout === 'v4') {
    return {
      ...base,
      torch_dtype: 'bfloat16',
      rope_theta: theta,
      ...(family === 'llama' ? { rope_scaling: { rope_type: 'llama3', factor: 8.0 } } : {}),
      transformers_version: '4.46.0',
    };
  }
  return {
    ...base,
    dtype: 'bfloat16',
    rope_parameters: {
      rope_type: family === 'llama' ? 'llama3' : 'default',
      rope_theta: theta,
      ...(family === 'llama' ? { factor: 8.0 } : {}),
    },
    transformers_version: '5.0.0',
  };
}

/** The tensors of a tiny decoder: embeddings, per-layer attention/MLP/norms, final norm, lm_head. */
export function tinyTensors(
  family: Family,
  shape: TinyShape = TINY,
  dtype: TensorSpec['dtype'] = 'BF16',
): TensorSpec[] {
  const headDim = shape.headDim ?? shape.hidden / shape.heads;
  const q = shape.heads * headDim;
  const kv = shape.kvHeads * headDim;
  const out: TensorSpec[] = [
    { name: 'model.embed_tokens.weight', dtype, shape: [shape.vocab, shape.hidden] },
  ];
  for (let l = 0; l < shape.layers; l++) {
    const p = `model.layers.${l}`;
    out.push(
      { name: `${p}.input_layernorm.weight`, dtype, shape: [shape.hidden] },
      { name: `${p}.self_attn.q_proj.weight`, dtype, shape: [q, shape.hidden] },
      { name: `${p}.self_attn.k_proj.weight`, dtype, shape: [kv, shape.hidden] },
      { name: `${p}.self_attn.v_proj.weight`, dtype, shape: [kv, shape.hidden] },
      { name: `${p}.self_attn.o_proj.weight`, dtype, shape: [shape.hidden, q] },
      { name: `${p}.post_attention_layernorm.weight`, dtype, shape: [shape.hidden] },
      { name: `${p}.mlp.gate_proj.weight`, dtype, shape: [shape.intermediate, shape.hidden] },
      { name: `${p}.mlp.up_proj.weight`, dtype, shape: [shape.intermediate, shape.hidden] },
      { name: `${p}.mlp.down_proj.weight`, dtype, shape: [shape.hidden, shape.intermediate] },
    );
    if (family === 'qwen2') {
      out.push(
        { name: `${p}.self_attn.q_proj.bias`, dtype, shape: [q] },
        { name: `${p}.self_attn.k_proj.bias`, dtype, shape: [kv] },
        { name: `${p}.self_attn.v_proj.bias`, dtype, shape: [kv] },
      );
    }
  }
  out.push({ name: 'model.norm.weight', dtype, shape: [shape.hidden] });
  if (family !== 'gemma') out.push({ name: 'lm_head.weight', dtype, shape: [shape.vocab, shape.hidden] });
  return out;
}

export const countParameters = (tensors: TensorSpec[]): number =>
  tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);

export const CHATML_TEMPLATE =
  "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}" +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

export interface HfFolderOptions {
  family?: Family;
  layout?: 'v4' | 'v5';
  shape?: TinyShape;
  /** Split the weights into this many shards with a model.safetensors.index.json. */
  shards?: number;
  seed?: number;
  /** Card front matter (written as YAML) or a raw README.md text; omitted: no README. */
  card?: Record<string, unknown> | string;
  chatTemplate?: string | null;
  /** Write the template to chat_template.jinja (v5) instead of tokenizer_config.json (v4). */
  chatTemplateFile?: boolean;
  generation?: Record<string, unknown>;
  trainerState?: { steps: number } | null;
  trainingArgs?: Record<string, unknown>;
  /** Overrides merged into config.json. */
  config?: Record<string, unknown>;
  /** Write no config.json (a broken folder). */
  omitConfig?: boolean;
}

export interface WrittenFolder {
  dir: string;
  tensors: TensorSpec[];
  parameterCount: number;
}

/** Writes a tiny full model folder into `dir` (created if needed). */
export async function writeHfModelFolder(dir: string, opts: HfFolderOptions = {}): Promise<WrittenFolder> {
  const family = opts.family ?? 'llama';
  const layout = opts.layout ?? 'v4';
  const shape = opts.shape ?? TINY;
  await mkdir(dir, { recursive: true });
  const tensors = tinyTensors(family, shape);
  if (!opts.omitConfig) {
    await writeJson(path.join(dir, 'config.json'), { ...tinyConfig(family, layout, shape), ...opts.config });
  }
  const shards = opts.shards ?? 1;
  if (shards <= 1) {
    await writeSafetensors(path.join(dir, 'model.safetensors'), tensors, {
      seed: opts.seed,
      metadata: { format: 'pt' },
    });
  } else {
    const per = Math.ceil(tensors.length / shards);
    const weightMap: Record<string, string> = {};
    for (let s = 0; s < shards; s++) {
      const name = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const part = tensors.slice(s * per, (s + 1) * per);
      for (const t of part) weightMap[t.name] = name;
      await writeSafetensors(path.join(dir, name), part, { seed: (opts.seed ?? 1) + s });
    }
    await writeJson(path.join(dir, 'model.safetensors.index.json'), {
      metadata: { total_size: 0 },
      weight_map: weightMap,
    });
  }
  const template = opts.chatTemplate === undefined ? CHATML_TEMPLATE : opts.chatTemplate;
  await writeJson(path.join(dir, 'tokenizer_config.json'), {
    bos_token: family === 'gemma' ? '<bos>' : '<s>',
    eos_token: { content: family === 'qwen2' ? '<|im_end|>' : '</s>', lstrip: false },
    pad_token: null,
    model_max_length: 256,
    tokenizer_class: 'PreTrainedTokenizerFast',
    ...(template && !opts.chatTemplateFile ? { chat_template: template } : {}),
  });
  if (template && opts.chatTemplateFile) await writeFile(path.join(dir, 'chat_template.jinja'), template);
  await writeJson(path.join(dir, 'generation_config.json'), {
    bos_token_id: 1,
    eos_token_id: 2,
    do_sample: true,
    temperature: 0.7,
    top_p: 0.9,
    ...opts.generation,
  });
  if (opts.card !== undefined) await writeFile(path.join(dir, 'README.md'), cardText(opts.card));
  if (opts.trainerState)
    await writeJson(path.join(dir, 'trainer_state.json'), trainerState(opts.trainerState.steps));
  if (opts.trainingArgs) await writeJson(path.join(dir, 'training_args.json'), opts.trainingArgs);
  return { dir, tensors, parameterCount: countParameters(tensors) };
}

export interface AdapterOptions {
  baseModel: string;
  rank?: number;
  alpha?: number;
  targetModules?: string[];
  shape?: TinyShape;
  card?: Record<string, unknown> | string;
}

/** Writes a LoRA adapter folder: adapter_config.json and adapter_model.safetensors, no config.json. */
export async function writeLoraAdapterFolder(dir: string, opts: AdapterOptions): Promise<WrittenFolder> {
  const shape = opts.shape ?? TINY;
  const rank = opts.rank ?? 4;
  const modules = opts.targetModules ?? ['q_proj', 'v_proj'];
  await mkdir(dir, { recursive: true });
  await writeJson(path.join(dir, 'adapter_config.json'), {
    peft_type: 'LORA',
    base_model_name_or_path: opts.baseModel,
    r: rank,
    lora_alpha: opts.alpha ?? 16,
    lora_dropout: 0.05,
    target_modules: modules,
    task_type: 'CAUSAL_LM',
  });
  const headDim = shape.headDim ?? shape.hidden / shape.heads;
  const out = (m: string) =>
    m === 'q_proj' || m === 'o_proj' ? shape.heads * headDim : shape.kvHeads * headDim;
  const tensors: TensorSpec[] = [];
  for (let l = 0; l < shape.layers; l++) {
    for (const m of modules) {
      const p = `base_model.model.model.layers.${l}.self_attn.${m}`;
      tensors.push(
        { name: `${p}.lora_A.weight`, dtype: 'F32', shape: [rank, shape.hidden] },
        { name: `${p}.lora_B.weight`, dtype: 'F32', shape: [out(m), rank] },
      );
    }
  }
  await writeSafetensors(path.join(dir, 'adapter_model.safetensors'), tensors, { seed: 7 });
  if (opts.card !== undefined) await writeFile(path.join(dir, 'README.md'), cardText(opts.card));
  return { dir, tensors, parameterCount: countParameters(tensors) };
}

function cardText(card: Record<string, unknown> | string): string {
  if (typeof card === 'string') return card;
  const yaml = Object.entries(card)
    .map(([k, v]) =>
      Array.isArray(v) ? `${k}:\n${v.map((x) => `- ${String(x)}`).join('\n')}` : `${k}: ${String(v)}`,
    )
    .join('\n');
  return `---\n${yaml}\n---\n\n# Model card\n\nA tiny test model.\n`;
}

function trainerState(steps: number): Record<string, unknown> {
  const log_history = Array.from({ length: steps }, (_, i) => ({
    step: i + 1,
    epoch: (i + 1) / steps,
    loss: 2.5 - i * 0.1,
    learning_rate: 1e-5 * (1 - i / steps),
    grad_norm: 1.0,
  }));
  return { global_step: steps, log_history };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}
