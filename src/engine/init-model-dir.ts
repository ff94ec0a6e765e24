// Making a new model from nothing: a BPE tokenizer trained on a corpus, a seeded random init,
// written as a Hugging Face folder.
import { parseModelConfig } from './config.js';
import { createModel, type LlamaModel } from './llama.js';
import { saveModelDir } from './model-dir.js';
import { countParams, initParams } from './params.js';
import { trainBpeTokenizer } from './train-bpe.js';

export interface InitModelOptions {
  /** Texts to train the tokenizer on. */
  corpus: string[];
  vocabSize?: number;
  hiddenSize?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  ffnSize?: number;
  contextLength?: number;
  seed?: number;
  tieWordEmbeddings?: boolean;
}

/** Trains a tokenizer, initialises a Llama model and writes both to `dir`. */
export async function initModelDir(
  dir: string,
  opts: InitModelOptions,
): Promise<{ model: LlamaModel; params: number }> {
  const tok = trainBpeTokenizer(opts.corpus, { vocabSize: opts.vocabSize ?? 512, minFrequency: 1 });
  const vocab = (tok.tokenizerJson.model as { vocab: Record<string, number> }).vocab;
  const eos = vocab['<|im_end|>'] ?? 0;
  const C = opts.hiddenSize ?? 64;
  const config = parseModelConfig({
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: Object.keys(vocab).length,
    hidden_size: C,
    intermediate_size: opts.ffnSize ?? C * 4,
    num_hidden_layers: opts.layers ?? 2,
    num_attention_heads: opts.heads ?? 4,
    num_key_value_heads: opts.kvHeads ?? opts.heads ?? 4,
    max_position_embeddings: opts.contextLength ?? 256,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: opts.tieWordEmbeddings ?? true,
    bos_token_id: null,
    eos_token_id: eos,
  });
  const model = createModel(config, initParams(config, opts.seed ?? 1));
  await saveModelDir(dir, model, { tokenizer: tok });
  return { model, params: countParams(config) };
}
