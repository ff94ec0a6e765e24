// Writes tiny Hugging Face model folders (config.json, seeded random safetensors, a BPE
// tokenizer trained on a small corpus) into fresh temp dirs, for tests that need a real model.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createModel,
  initParams,
  type LlamaModel,
  parseModelConfig,
  saveModelDir,
  trainBpeTokenizer,
} from '../../src/engine/index.js';

export const TINY_CORPUS = [
  'The quick brown fox jumps over the lazy dog.',
  'Alignment is the art of making models do what we mean.',
  'One plus one is two. Two plus two is four.',
  'Hello world! How are you today? I am fine, thank you.',
  'A tiny model learns tiny things, step by step.',
];

export interface TinyModelOptions {
  seed?: number;
  /** config.json overrides (Hugging Face keys). */
  config?: Record<string, unknown>;
  dtype?: 'float32' | 'bfloat16';
  maxShardBytes?: number;
  vocabSize?: number;
  /** Init std; larger than HF's 0.02 so a random model's outputs are not all alike. */
  std?: number;
  withTokenizer?: boolean;
}

export async function makeTempDir(prefix = 'alignboard-engine-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function tinyTokenizerFiles(vocabSize = 320) {
  return trainBpeTokenizer(
    Array.from({ length: 20 }, (_, i) => TINY_CORPUS.map((s) => `${s} ${i}`).join('\n')),
    { vocabSize },
  );
}

/** Writes a tiny random model folder and returns its path and the in-memory model. */
export async function writeTinyModel(
  opts: TinyModelOptions = {},
): Promise<{ dir: string; model: LlamaModel }> {
  const dir = await makeTempDir();
  const vocabSize = opts.vocabSize ?? 320;
  const tok = tinyTokenizerFiles(vocabSize);
  const eos = (tok.tokenizerJson.model as { vocab: Record<string, number> }).vocab['<|im_end|>'] ?? 2;
  const config = parseModelConfig({
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: vocabSize,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 128,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: false,
    bos_token_id: null,
    eos_token_id: eos,
    ...opts.config,
  });
  const model = createModel(config, initParams(config, opts.seed ?? 1, opts.std ?? 0.1));
  await saveModelDir(dir, model, {
    dtype: opts.dtype ?? 'float32',
    ...(opts.maxShardBytes ? { maxShardBytes: opts.maxShardBytes } : {}),
    ...(opts.withTokenizer === false ? {} : { tokenizer: tok }),
  });
  return { dir, model };
}
