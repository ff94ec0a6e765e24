import type { ModelSpec, Scalar } from './schemas.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Tied embeddings when config.json is silent: transformers' per-family defaults. */
const TIED_BY_FAMILY: Record<string, boolean> = {
  llama: false,
  mistral: false,
  qwen2: false,
  qwen3: false,
  gemma: true,
  gemma2: true,
  gemma3: true,
  gemma3_text: true,
  phi3: false,
};

/**
 * Reads the architecture from a parsed config.json. Handles both key layouts:
 * transformers v4 (`torch_dtype`, top-level `rope_theta` and `rope_scaling`) and v5 (`dtype`,
 * `rope_parameters` holding `rope_theta` and `rope_type`), and multimodal configs whose language
 * model sits under `text_config`. `hasLmHead` (from the safetensors headers) settles tied
 * embeddings when the config does not say.
 */
export function extractSpec(config: Json, hasLmHead: boolean | null): ModelSpec {
  const text = isObject(config.text_config) ? { ...config, ...config.text_config } : config;
  const isV5 =
    'rope_parameters' in text ||
    ('dtype' in config && !('torch_dtype' in config)) ||
    /^5\./.test(String(config.transformers_version ?? ''));
  const family = str(text.model_type) ?? str(config.model_type);
  const architectures = Array.isArray(config.architectures) ? config.architectures : [];
  const hidden = num(text.hidden_size) ?? num(text.n_embd) ?? num(text.d_model);
  const heads = num(text.num_attention_heads) ?? num(text.n_head);
  const kvHeads = num(text.num_key_value_heads) ?? heads;
  const headDim = num(text.head_dim) ?? (hidden !== null && heads ? hidden / heads : null);
  const explicitTied = typeof text.tie_word_embeddings === 'boolean' ? text.tie_word_embeddings : null;
  return {
    family,
    architecture: str(architectures[0]),
    configLayout: isV5 ? 'v5' : 'v4',
    layers: num(text.num_hidden_layers) ?? num(text.n_layer),
    hiddenSize: hidden,
    attentionHeads: heads,
    kvHeads,
    gqaRatio: heads !== null && kvHeads ? heads / kvHeads : null,
    headDim,
    intermediateSize: num(text.intermediate_size) ?? num(text.n_inner),
    vocabSize: num(text.vocab_size),
    contextLength: num(text.max_position_embeddings) ?? num(text.n_positions) ?? num(text.seq_length),
    rope: extractRope(text),
    tiedEmbeddings:
      explicitTied ?? (hasLmHead !== null ? !hasLmHead : family ? (TIED_BY_FAMILY[family] ?? null) : null),
    activation: str(text.hidden_act) ?? str(text.hidden_activation) ?? str(text.activation_function),
    dtype: str(config.dtype) ?? str(config.torch_dtype) ?? str(text.dtype) ?? str(text.torch_dtype),
  };
}

function extractRope(c: Json): ModelSpec['rope'] {
  // v5: everything under rope_parameters; v4: rope_theta at top level, scaling in rope_scaling.
  const params = isObject(c.rope_parameters)
    ? c.rope_parameters
    : isObject(c.rope_scaling)
      ? c.rope_scaling
      : null;
  const theta = num(params?.rope_theta) ?? num(c.rope_theta);
  const type = str(params?.rope_type) ?? str(params?.type) ?? (theta !== null ? 'default' : null);
  if (theta === null && params === null) return null;
  const scaling: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (k === 'rope_theta' || k === 'rope_type' || k === 'type') continue;
    scaling[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as Scalar);
  }
  return { theta, type, scaling: Object.keys(scaling).length > 0 ? scaling : null };
}
