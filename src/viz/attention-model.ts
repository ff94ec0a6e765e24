// One door to every architecture the lab runs: the engine's Llama family (Llama, Qwen2, Mistral)
// and GPT-2, behind the same small interface.
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  type EngineTokenizer,
  forwardWithAttentions,
  generate,
  type LlamaModel,
  loadModelDir,
  loadTokenizer,
  logSoftmax,
  scoreTokens,
} from '../engine/index.js';
import { VizError } from './errors.js';
import { type Gpt2Model, gpt2Forward, loadGpt2Dir } from './gpt2.js';
import { createOnnxLlama, loadOnnxRuntime, type OnnxLlamaOptions } from './onnx/onnx-llama.js';

export type Architecture = 'llama' | 'gpt2';

/** model_type values of config.json that the lab runs. */
export const SUPPORTED_MODEL_TYPES = ['llama', 'qwen2', 'mistral', 'gpt2'] as const;

export interface ForwardResult {
  /** (T, V) */
  logits: Float32Array;
  /** Per layer: (H, T, T) attention probabilities, zeros above the diagonal. */
  attentions: Float32Array[];
}

export interface AttentionModel {
  /** The registry reference or the folder's name. */
  name: string;
  architecture: Architecture;
  modelType: string;
  L: number;
  H: number;
  V: number;
  maxPositions: number;
  /** null for a weights-only folder. */
  tokenizer: EngineTokenizer | null;
  forward(tokens: readonly number[]): ForwardResult;
  /** log p(tokens[i] | tokens[<i]) for every i; NaN at i = 0, which has no context. */
  tokenLogprobs(tokens: readonly number[]): number[];
  /** Greedy continuation of `tokens`, at most maxNew tokens, stopping at an EOS id (not returned). */
  greedy(tokens: readonly number[], maxNew: number): number[];
  /**
   * The ONNX Runtime fast path, built on the first call and kept (seconds for a 0.5B model), or why
   * there is none. Absent for architectures without a graph builder (GPT-2).
   */
  fastPath?(): Promise<FastForward | { reason: string }>;
  /** Frees what the fast path holds (the runtime session). */
  release?(): Promise<void>;
}

/** The same results as AttentionModel.forward, computed elsewhere. */
export interface FastForward {
  forward(tokens: readonly number[]): Promise<ForwardResult>;
}

function checkFits(tokens: readonly number[], maxPositions: number): void {
  if (tokens.length === 0) throw new VizError('AB_VIZ_INPUT', 'the input has no tokens', { field: 'input' });
  if (tokens.length > maxPositions) {
    throw new VizError(
      'AB_VIZ_INPUT',
      `${tokens.length} tokens do not fit the context of ${maxPositions} positions`,
      {
        field: 'input',
      },
    );
  }
}

/** Wraps an engine Llama-family model. `onnx` tunes its fast path. */
export function llamaAttentionModel(
  model: LlamaModel,
  tokenizer: EngineTokenizer | null,
  name: string,
  eosTokenIds: number[] = model.config.eosTokenIds,
  onnx: OnnxLlamaOptions = {},
): AttentionModel {
  const cfg = model.config;
  let fast: Promise<{ runner: Awaited<ReturnType<typeof createOnnxLlama>> } | { reason: string }> | null =
    null;
  const buildFast = async () => {
    const rt = await loadOnnxRuntime();
    if ('reason' in rt) return rt;
    try {
      return { runner: await createOnnxLlama(rt.ort, model, onnx) };
    } catch (err) {
      // a session that cannot be built (memory, an unsupported op) leaves the reference path
      return { reason: `onnxruntime could not build the session (${(err as Error).message.split('\n')[0]})` };
    }
  };
  return {
    name,
    architecture: 'llama',
    modelType: cfg.modelType,
    L: cfg.L,
    H: cfg.H,
    V: cfg.V,
    maxPositions: cfg.maxPositions,
    tokenizer,
    forward(tokens) {
      checkFits(tokens, cfg.maxPositions);
      return forwardWithAttentions(model, tokens);
    },
    tokenLogprobs(tokens) {
      checkFits(tokens, cfg.maxPositions);
      return scoreTokens(model, tokens).logprobs.map((lp) => lp ?? Number.NaN);
    },
    greedy(tokens, maxNew) {
      if (maxNew <= 0) return [];
      checkFits(tokens, cfg.maxPositions - 1);
      if (!tokenizer)
        throw new VizError('AB_VIZ_TOKENIZER', 'generating an answer needs a tokenizer', { field: 'model' });
      const [out] = generate(model, tokenizer, tokens, {
        maxTokens: maxNew,
        temperature: 0,
        stopTokenIds: eosTokenIds,
      });
      return out?.tokens ?? [];
    },
    async fastPath() {
      fast ??= buildFast();
      const f = await fast;
      if ('reason' in f) return f;
      const runner = f.runner;
      return {
        forward: (tokens) => {
          checkFits(tokens, cfg.maxPositions);
          return runner.forward(tokens);
        },
      };
    },
    async release() {
      const f = fast;
      fast = null;
      const done = await f;
      if (done && 'runner' in done) await done.runner.release();
    },
  };
}

/** Wraps a GPT-2 model. */
export function gpt2AttentionModel(
  model: Gpt2Model,
  tokenizer: EngineTokenizer | null,
  name: string,
): AttentionModel {
  const cfg = model.config;
  const eos = cfg.eosTokenId ?? tokenizer?.eosTokenId ?? null;
  const logprobs = (tokens: readonly number[]): number[] => {
    const { logits } = gpt2Forward(model, tokens);
    const out = [Number.NaN];
    for (let i = 1; i < tokens.length; i++) {
      out.push(logSoftmax(logits.subarray((i - 1) * cfg.V, i * cfg.V))[tokens[i] as number] as number);
    }
    return out;
  };
  return {
    name,
    architecture: 'gpt2',
    modelType: 'gpt2',
    L: cfg.L,
    H: cfg.H,
    V: cfg.V,
    maxPositions: cfg.P,
    tokenizer,
    forward: (tokens) => gpt2Forward(model, tokens),
    tokenLogprobs: logprobs,
    greedy(tokens, maxNew) {
      // No KV cache for GPT-2 here: each step reruns the sequence (fine for the short answers the meter needs).
      const seq = [...tokens];
      const out: number[] = [];
      for (let s = 0; s < maxNew && seq.length < cfg.P; s++) {
        const { logits } = gpt2Forward(model, seq);
        const last = logits.subarray((seq.length - 1) * cfg.V, seq.length * cfg.V);
        let best = 0;
        for (let i = 1; i < cfg.V; i++) if ((last[i] as number) > (last[best] as number)) best = i;
        if (best === eos) break;
        out.push(best);
        seq.push(best);
      }
      return out;
    },
  };
}

/** Loads a Hugging Face model folder of any supported architecture. `name` labels it in views. */
export async function loadAttentionModel(dir: string, name = basename(dir)): Promise<AttentionModel> {
  const configFile = join(dir, 'config.json');
  let modelType: unknown;
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    modelType = (JSON.parse(await readFile(configFile, 'utf8')) as { model_type?: unknown }).model_type;
  } catch (err) {
    throw new VizError(
      'AB_VIZ_MODEL',
      `cannot read config.json (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass a model folder or a registry model`,
      { file: configFile },
      { cause: err },
    );
  }
  if (!SUPPORTED_MODEL_TYPES.some((t) => t === modelType)) {
    throw new VizError(
      'AB_VIZ_ARCH',
      `model_type ${JSON.stringify(modelType)} is not supported; the attention lab runs ${SUPPORTED_MODEL_TYPES.join(', ')}`,
      { file: configFile, field: 'model_type' },
    );
  }
  if (modelType === 'gpt2') {
    const model = await loadGpt2Dir(dir);
    let tokenizer: EngineTokenizer | null = null;
    try {
      tokenizer = await loadTokenizer(dir);
    } catch {
      // weights-only folder: token ids can still be run; text input then fails with AB_VIZ_TOKENIZER
    }
    return gpt2AttentionModel(model, tokenizer, name);
  }
  const loaded = await loadModelDir(dir);
  return llamaAttentionModel(loaded.model, loaded.tokenizer, name, loaded.generation.eosTokenIds);
}
