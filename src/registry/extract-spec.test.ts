import { describe, expect, test } from 'vitest';
import { extractSpec } from './extract-spec.js';

describe('extractSpec', () => {
  test('a multimodal v5 config reads the language model under text_config', () => {
    const spec = extractSpec(
      {
        architectures: ['Gemma3ForConditionalGeneration'],
        model_type: 'gemma3',
        dtype: 'bfloat16',
        text_config: {
          model_type: 'gemma3_text',
          hidden_size: 2560,
          num_hidden_layers: 34,
          num_attention_heads: 8,
          num_key_value_heads: 4,
          head_dim: 256,
          intermediate_size: 10240,
          vocab_size: 262208,
          max_position_embeddings: 131072,
          rope_parameters: { rope_type: 'linear', rope_theta: 1_000_000, factor: 8 },
        },
      },
      null,
    );
    expect(spec).toMatchObject({
      family: 'gemma3_text',
      architecture: 'Gemma3ForConditionalGeneration',
      configLayout: 'v5',
      layers: 34,
      gqaRatio: 2,
      headDim: 256,
      contextLength: 131072,
      rope: { theta: 1_000_000, type: 'linear', scaling: { factor: 8 } },
      tiedEmbeddings: true,
      dtype: 'bfloat16',
    });
  });

  test('missing kv heads means multi-head attention; head dim from hidden/heads; GPT-2 names', () => {
    const spec = extractSpec(
      { model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257 },
      true,
    );
    expect(spec).toMatchObject({
      hiddenSize: 768,
      layers: 12,
      kvHeads: 12,
      gqaRatio: 1,
      headDim: 64,
      contextLength: 1024,
      tiedEmbeddings: false,
      rope: null,
    });
  });
});
