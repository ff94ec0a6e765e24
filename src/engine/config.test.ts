import { describe, expect, test } from 'vitest';
import { parseModelConfig } from './config.js';
import { countParams, paramLayout } from './params.js';

// config.json files of real checkpoints (as published on the Hub, trimmed of unused keys), with
// their published parameter counts: the size table must reproduce them exactly.
const REAL: [string, Record<string, unknown>, number][] = [
  [
    'HuggingFaceTB/SmolLM2-135M',
    {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: 49152,
      hidden_size: 576,
      intermediate_size: 1536,
      num_hidden_layers: 30,
      num_attention_heads: 9,
      num_key_value_heads: 3,
      max_position_embeddings: 8192,
      rms_norm_eps: 1e-5,
      rope_theta: 100000,
      rope_scaling: null,
      tie_word_embeddings: true,
      hidden_act: 'silu',
      attention_bias: false,
      mlp_bias: false,
      bos_token_id: 0,
      eos_token_id: 0,
      torch_dtype: 'bfloat16',
      transformers_version: '4.40.1',
    },
    134_515_008,
  ],
  [
    'meta-llama/Llama-3.2-1B',
    {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: 128256,
      hidden_size: 2048,
      intermediate_size: 8192,
      num_hidden_layers: 16,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 64,
      max_position_embeddings: 131072,
      rms_norm_eps: 1e-5,
      rope_theta: 500000.0,
      tie_word_embeddings: true,
      hidden_act: 'silu',
      attention_bias: false,
      mlp_bias: false,
      rope_scaling: {
        factor: 32.0,
        high_freq_factor: 4.0,
        low_freq_factor: 1.0,
        original_max_position_embeddings: 8192,
        rope_type: 'llama3',
      },
      bos_token_id: 128000,
      eos_token_id: 128001,
      torch_dtype: 'bfloat16',
    },
    1_235_814_400,
  ],
  [
    'Qwen/Qwen2.5-0.5B',
    {
      architectures: ['Qwen2ForCausalLM'],
      model_type: 'qwen2',
      vocab_size: 151936,
      hidden_size: 896,
      intermediate_size: 4864,
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      max_position_embeddings: 32768,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000.0,
      sliding_window: 32768,
      use_sliding_window: false,
      max_window_layers: 24,
      tie_word_embeddings: true,
      hidden_act: 'silu',
      bos_token_id: 151643,
      eos_token_id: 151643,
      torch_dtype: 'bfloat16',
    },
    494_032_768,
  ],
];

describe('real checkpoint configs', () => {
  test.each(REAL)(
    '%s parses and its size table gives the published parameter count',
    (_name, raw, params) => {
      const cfg = parseModelConfig(raw);
      expect(countParams(cfg)).toBe(params);
      expect(paramLayout(cfg).every((s) => s.size > 0)).toBe(true);
    },
  );

  test('Llama 3.2 gets llama3 rope scaling; Qwen2 gets qkv bias', () => {
    expect(parseModelConfig(REAL[1]?.[1]).ropeScaling).toEqual({
      type: 'llama3',
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositions: 8192,
    });
    expect(parseModelConfig(REAL[2]?.[1])).toMatchObject({ qkvBias: true, oBias: false, Hkv: 2, D: 64 });
  });
});

describe('config errors name the field', () => {
  const base = {
    model_type: 'llama',
    vocab_size: 10,
    hidden_size: 8,
    intermediate_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
  };
  test.each([
    ['missing vocab_size', { ...base, vocab_size: undefined }, 'AB_ENGINE_CONFIG', 'vocab_size'],
    ['gelu activation', { ...base, hidden_act: 'gelu' }, 'AB_ENGINE_ARCH', 'hidden_act'],
    [
      'heads not divisible by kv heads',
      { ...base, num_key_value_heads: 3 },
      'AB_ENGINE_CONFIG',
      'num_key_value_heads',
    ],
    [
      'unknown rope type',
      { ...base, rope_scaling: { rope_type: 'yarn', factor: 4 } },
      'AB_ENGINE_ARCH',
      'rope_scaling.rope_type',
    ],
    [
      'llama3 rope without its keys',
      { ...base, rope_parameters: { rope_type: 'llama3', factor: 8 } },
      'AB_ENGINE_CONFIG',
      'rope_parameters.low_freq_factor',
    ],
    [
      'a real sliding window',
      { ...base, model_type: 'mistral', sliding_window: 4, max_position_embeddings: 64 },
      'AB_ENGINE_ARCH',
      'sliding_window',
    ],
  ])('%s', (_name, raw, code, field) => {
    try {
      parseModelConfig(raw, 'm/config.json');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code, where: { file: 'm/config.json', field } });
    }
  });
});
