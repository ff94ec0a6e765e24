/**
 * The embedded engine: a Llama-family transformer (Llama, Qwen2, Mistral without sliding
 * window) written in TypeScript over Float32Array, small and exact rather than fast.
 *
 * Owns: the model's forward and backward passes, the KV-cache inference path, sampling and
 * scoring, AdamW and the trainer step, reading and writing Hugging Face model folders
 * (config.json, safetensors, tokenizer files, chat template), byte-level BPE training, and the
 * matmul kernels with their worker-thread pool.
 *
 * Does not own: HTTP (the OpenAI-compatible API is the server plugin in src/server/engine-api),
 * storage, datasets or training schedules; those call into this door. Pure computation: no store,
 * no network.
 */

export {
  type AdamWOptions,
  type AdamWState,
  adamwStep,
  clipGradNorm,
  createAdamW,
  zeroGrad,
} from './adamw.js';
export { formatModelConfig, type ModelConfig, parseModelConfig } from './config.js';
export { ENGINE_ERROR_CODES, EngineError, type EngineErrorCode } from './errors.js';
export {
  type FinishReason,
  forwardWithAttentions,
  type GeneratedSequence,
  type GenerateEvent,
  type GenerateOptions,
  GenerationJob,
  generate,
  generateIter,
  type PromptScore,
  scoreTokens,
  stepJobs,
  type TokenLogprob,
} from './generate.js';
export { type GgufTokenizer, writeGguf } from './gguf.js';
export {
  type CachedForwardOptions,
  type CachedForwardResult,
  type CachedStream,
  cloneKvCache,
  createKvCache,
  forwardCached,
  type KvCache,
} from './infer.js';
export { type InitModelOptions, initModelDir } from './init-model-dir.js';
export {
  type Activations,
  allocActivations,
  createModel,
  type ForwardInput,
  type LlamaModel,
  llamaBackward,
  llamaForward,
} from './llama.js';
export {
  type GenerationDefaults,
  type LoadedModel,
  loadModelDir,
  type SaveModelOptions,
  saveModelDir,
} from './model-dir.js';
/** Causal attention keeping its probabilities, used by the attention lab's GPT-2 too. */
export { attentionForward } from './ops/attention.js';
export { IGNORE_INDEX } from './ops/cross-entropy.js';
export { checkGradient, type GradCheckResult } from './ops/gradcheck.js';
export {
  allocF32,
  closeEnginePool,
  getEngineThreads,
  matmulBackward,
  matmulBlockedRows,
  matmulForward,
  matmulNaive,
  setEngineThreads,
} from './ops/matmul.js';
/** Rotary inverse frequencies (default, linear, dynamic, llama3), shared with the attention lab's ONNX graph. */
export { ropeInvFreq } from './ops/rope.js';
export {
  countParams,
  initParams,
  type ParamSpec,
  type ParamViews,
  paramLayout,
  viewParams,
} from './params.js';
export { createRng } from './random.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  type SafetensorsDtype,
  type Tensor,
  writeSafetensors,
} from './safetensors.js';
export { checkSamplingParams, logSoftmax, type SamplingParams, sampleToken, topEntries } from './sampling.js';
export { type ChatMessage, createTokenizer, type EngineTokenizer, loadTokenizer } from './tokenizer.js';
export {
  createTrainer,
  type MicroBatch,
  makeTargets,
  type StepOptions,
  type StepResult,
  type Trainer,
  trainStep,
} from './train.js';
export { CHATML_TEMPLATE, type TrainBpeOptions, trainBpeTokenizer } from './train-bpe.js';
