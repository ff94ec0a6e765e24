// The model's shape, read from a Hugging Face config.json (transformers v4 or v5 key layout).
import { z } from 'zod';
import { EngineError } from './errors.js';
import type { RopeScaling } from './ops/rope.js';

/** Architectures with the Llama block that this engine runs. */
const SUPPORTED_MODEL_TYPES = ['llama', 'qwen2', 'mistral'] as const;

/** The engine's own view of a model: letters from the shape legend, in camelCase. */
export interface ModelConfig {
  modelType: (typeof SUPPORTED_MODEL_TYPES)[number];
  architecture: string;
  V: number;
  C: number;
  F: number;
  L: number;
  H: number;
  Hkv: number;
  D: number;
  maxPositions: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling;
  /** Bias on q, k, v projections (Qwen2 always; Llama with attention_bias). */
  qkvBias: boolean;
  /** Bias on the output projection (Llama with attention_bias; never Qwen2). */
  oBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  dtype: 'float32' | 'float16' | 'bfloat16';
}

const int = z.number().int();
const pos = int.positive();
const tokenIds = z.union([int, z.array(int)]).nullish();

const RopeParamsSchema = z
  .object({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    rope_theta: z.number().positive().optional(),
    factor: z.number().positive().optional(),
    low_freq_factor: z.number().optional(),
    high_freq_factor: z.number().optional(),
    original_max_position_embeddings: pos.optional(),
  })
  .loose();

export const HfConfigSchema = z
  .object({
    architectures: z.array(z.string()).optional(),
    model_type: z.string(),
    vocab_size: pos,
    hidden_size: pos,
    intermediate_size: pos,
    num_hidden_layers: pos,
    num_attention_heads: pos,
    num_key_value_heads: pos.nullish(),
    head_dim: pos.nullish(),
    max_position_embeddings: pos.default(2048),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().optional(),
    rope_scaling: RopeParamsSchema.nullish(),
    rope_parameters: RopeParamsSchema.nullish(),
    attention_bias: z.boolean().optional(),
    mlp_bias: z.boolean().optional(),
    hidden_act: z.string().default('silu'),
    tie_word_embeddings: z.boolean().optional(),
    bos_token_id: tokenIds,
    eos_token_id: tokenIds,
    pad_token_id: tokenIds,
    torch_dtype: z.string().nullish(),
    dtype: z.string().nullish(),
    sliding_window: z.number().nullish(),
    use_sliding_window: z.boolean().optional(),
  })
  .loose();
export type HfConfig = z.infer<typeof HfConfigSchema>;

/** Parses a config.json object; `file` names it in errors. */
export function parseModelConfig(raw: unknown, file = 'config.json'): ModelConfig {
  const r = HfConfigSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new EngineError(
      'AB_ENGINE_CONFIG',
      `${issue?.message ?? 'invalid'}; expected a Hugging Face Llama-family config`,
      {
        file,
        field: issue?.path.map(String).join('.') || undefined,
      },
    );
  }
  const c = r.data;
  const modelType = SUPPORTED_MODEL_TYPES.find((t) => t === c.model_type);
  if (!modelType) {
    throw new EngineError(
      'AB_ENGINE_ARCH',
      `model_type "${c.model_type}" is not supported; the engine runs ${SUPPORTED_MODEL_TYPES.join(', ')}`,
      { file, field: 'model_type' },
    );
  }
  if (c.hidden_act !== 'silu') {
    throw new EngineError(
      'AB_ENGINE_ARCH',
      `hidden_act "${c.hidden_act}" is not supported; expected "silu"`,
      {
        file,
        field: 'hidden_act',
      },
    );
  }
  if (c.mlp_bias)
    throw new EngineError('AB_ENGINE_ARCH', 'mlp_bias true is not supported', { file, field: 'mlp_bias' });
  if (modelType !== 'llama' && c.sliding_window && (modelType === 'mistral' || c.use_sliding_window)) {
    // A window at least as long as the context changes nothing; otherwise we would compute the wrong thing.
    if (c.sliding_window < c.max_position_embeddings) {
      throw new EngineError('AB_ENGINE_ARCH', `sliding_window ${c.sliding_window} is not supported`, {
        file,
        field: 'sliding_window',
      });
    }
  }
  const H = c.num_attention_heads;
  const Hkv = c.num_key_value_heads ?? H;
  if (H % Hkv !== 0) {
    throw new EngineError(
      'AB_ENGINE_CONFIG',
      `num_attention_heads ${H} is not a multiple of num_key_value_heads ${Hkv}`,
      {
        file,
        field: 'num_key_value_heads',
      },
    );
  }
  const D = c.head_dim ?? c.hidden_size / H;
  if (!Number.isInteger(D) || D % 2 !== 0) {
    throw new EngineError('AB_ENGINE_CONFIG', `head dim ${D} must be an even integer`, {
      file,
      field: 'head_dim',
    });
  }
  // v5 moved rope_theta and the scaling into rope_parameters; v4 has rope_theta + rope_scaling.
  const rope = c.rope_parameters ?? c.rope_scaling ?? null;
  const ropeField = c.rope_parameters ? 'rope_parameters' : 'rope_scaling';
  const ropeTheta = c.rope_parameters?.rope_theta ?? c.rope_theta ?? 10000;
  const ropeScaling = parseRopeScaling(rope, c.max_position_embeddings, file, ropeField);
  const dtypeName = c.dtype ?? c.torch_dtype ?? 'float32';
  const dtype = dtypeName === 'bfloat16' || dtypeName === 'float16' ? dtypeName : 'float32';
  const ids = (v: number | number[] | null | undefined) => (v == null ? [] : Array.isArray(v) ? v : [v]);
  return {
    modelType,
    architecture: c.architectures?.[0] ?? 'LlamaForCausalLM',
    V: c.vocab_size,
    C: c.hidden_size,
    F: c.intermediate_size,
    L: c.num_hidden_layers,
    H,
    Hkv,
    D,
    maxPositions: c.max_position_embeddings,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta,
    ropeScaling,
    qkvBias: modelType === 'qwen2' ? true : (c.attention_bias ?? false),
    oBias: modelType === 'qwen2' ? false : (c.attention_bias ?? false),
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
    bosTokenId: ids(c.bos_token_id)[0] ?? null,
    eosTokenIds: ids(c.eos_token_id),
    padTokenId: ids(c.pad_token_id)[0] ?? null,
    dtype,
  };
}

function parseRopeScaling(
  rope: z.infer<typeof RopeParamsSchema> | null,
  maxPositions: number,
  file: string,
  field: string,
): RopeScaling {
  const type = rope?.rope_type ?? rope?.type ?? 'default';
  const need = (v: number | undefined, name: string): number => {
    if (v === undefined) {
      throw new EngineError('AB_ENGINE_CONFIG', `rope type "${type}" needs "${name}"`, {
        file,
        field: `${field}.${name}`,
      });
    }
    return v;
  };
  switch (type) {
    case 'default':
      return { type: 'default' };
    case 'linear':
      return { type: 'linear', factor: need(rope?.factor, 'factor') };
    case 'dynamic':
      return {
        type: 'dynamic',
        factor: need(rope?.factor, 'factor'),
        originalMaxPositions: rope?.original_max_position_embeddings ?? maxPositions,
      };
    case 'llama3':
      return {
        type: 'llama3',
        factor: need(rope?.factor, 'factor'),
        lowFreqFactor: need(rope?.low_freq_factor, 'low_freq_factor'),
        highFreqFactor: need(rope?.high_freq_factor, 'high_freq_factor'),
        originalMaxPositions: need(
          rope?.original_max_position_embeddings,
          'original_max_position_embeddings',
        ),
      };
    default:
      throw new EngineError(
        'AB_ENGINE_ARCH',
        `rope type "${type}" is not supported; expected default, linear, dynamic or llama3`,
        {
          file,
          field: `${field}.rope_type`,
        },
      );
  }
}

/** The config.json the engine writes: transformers v4 keys, which v5 also reads. */
export function formatModelConfig(
  cfg: ModelConfig,
  dtype: 'float32' | 'bfloat16' = 'float32',
): Record<string, unknown> {
  const s = cfg.ropeScaling;
  const ropeScaling =
    s.type === 'default'
      ? null
      : s.type === 'linear'
        ? { rope_type: 'linear', factor: s.factor }
        : s.type === 'dynamic'
          ? {
              rope_type: 'dynamic',
              factor: s.factor,
              original_max_position_embeddings: s.originalMaxPositions,
            }
          : {
              rope_type: 'llama3',
              factor: s.factor,
              low_freq_factor: s.lowFreqFactor,
              high_freq_factor: s.highFreqFactor,
              original_max_position_embeddings: s.originalMaxPositions,
            };
  const eos =
    cfg.eosTokenIds.length === 1 ? cfg.eosTokenIds[0] : cfg.eosTokenIds.length ? cfg.eosTokenIds : null;
  return {
    architectures: [cfg.architecture],
    model_type: cfg.modelType,
    vocab_size: cfg.V,
    hidden_size: cfg.C,
    intermediate_size: cfg.F,
    num_hidden_layers: cfg.L,
    num_attention_heads: cfg.H,
    num_key_value_heads: cfg.Hkv,
    head_dim: cfg.D,
    max_position_embeddings: cfg.maxPositions,
    rms_norm_eps: cfg.rmsNormEps,
    rope_theta: cfg.ropeTheta,
    rope_scaling: ropeScaling,
    ...(cfg.modelType === 'qwen2' ? {} : { attention_bias: cfg.qkvBias, mlp_bias: false }),
    hidden_act: 'silu',
    tie_word_embeddings: cfg.tieWordEmbeddings,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: eos,
    ...(cfg.padTokenId !== null ? { pad_token_id: cfg.padTokenId } : {}),
    torch_dtype: dtype,
    use_cache: true,
    transformers_version: '4.57.1',
  };
}
