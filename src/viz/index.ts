/**
 * viz — the attention lab: attention of local Hugging Face models (the engine's Llama family and
 * GPT-2) on plain text, chats and RAG prompts, with tokens, character spans and segments
 * (system, question, document k, answer); aggregates for long inputs and full matrices for a
 * layer/head window; the RAG attention-noise meter with leave-one-document-out and the "move
 * the gold document" demo; a self-contained static HTML export of any view.
 *
 * Forward passes run on a path: the TypeScript reference (engine for Llama, gpt2.ts) or the
 * ONNX fast path for the Llama family, a graph built here from config.json and the weights and run
 * by onnxruntime-node (an optional dependency); 'auto' takes it when available.
 *
 * Does not own: the forward pass of Llama-family models (engine), model records (registry),
 * HTTP and commands (server, cli).
 *
 * ```ts
 * const model = await loadAttentionModel('/models/smollm-135m');
 * const view = buildView(extractAttention(model, { kind: 'text', text: 'Hello' }));
 * const noise = ragNoise(model, { kind: 'rag', question, documents, answer });
 * const fast = buildView(await extractAttentionOnPath(model, input, { path: 'onnx' }));
 * ```
 */

// Commonly used
export {
  type Architecture,
  type AttentionModel,
  type FastForward,
  type ForwardResult,
  gpt2AttentionModel,
  llamaAttentionModel,
  loadAttentionModel,
  SUPPORTED_MODEL_TYPES,
} from './attention-model.js';
export { type BuiltInput, buildInput, documentBlock, ragUserContent, renderInput } from './build-input.js';
// GPT-2 and kernels, for tests, benchmarks and expert callers
// Errors
export { VIZ_ERROR_CODES, VizError, type VizErrorCode } from './errors.js';
export { type ExportPayload, jsonForScript, renderStaticHtml } from './export-html.js';
export {
  type AttentionExtraction,
  buildView,
  extractAttention,
  extractAttentionOnPath,
  extractFromBuilt,
  extractFromBuiltOnPath,
  MAX_WINDOW_CELLS,
  segmentSharesOfLayer,
  type ViewOptions,
} from './extract-attention.js';
export { type ForwardPath, forwardOnPath, type PathOptions, type RanPath } from './forward-path.js';
export {
  type Gpt2Config,
  type Gpt2Layer,
  type Gpt2Model,
  geluNewForward,
  gpt2Forward,
  gpt2FromTensors,
  gpt2TensorShapes,
  layernormForward,
  loadGpt2Dir,
  parseGpt2Config,
} from './gpt2.js';
export { decodeTril, encodeTril } from './matrix-codec.js';
export {
  answerLogprob,
  answerPositions,
  completeAnswer,
  measureNoise,
  type NoiseShares,
  placeGold,
  type RagNoiseOptions,
  ragNoise,
  ragNoiseOnPath,
} from './noise-meter.js';
// The ONNX fast path, for tests, benchmarks and expert callers
export { buildLlamaGraph } from './onnx/build-llama-graph.js';
export { encodeModel } from './onnx/encode-onnx.js';
export {
  createOnnxLlama,
  loadOnnxRuntime,
  MAX_INLINE_BYTES,
  type OnnxLlama,
  type OnnxLlamaOptions,
  type OnnxLlamaStats,
} from './onnx/onnx-llama.js';
export { ProtoWriter } from './onnx/protobuf-writer.js';
// Requests the server and the CLI run, over a model cache
export { createModelCache, type ModelCache, resolveModelDir } from './resolve-model.js';
export { runAttention, runCompare, runExport, runNoise } from './run-requests.js';
// Schemas and types (the server and the web client reuse these)
export {
  type AttentionInput,
  AttentionInputSchema,
  type AttentionRequest,
  AttentionRequestSchema,
  type AttentionView,
  AttentionViewSchema,
  type AttentionWindow,
  type CompareRequest,
  CompareRequestSchema,
  type CompareResult,
  CompareResultSchema,
  type ExportRequest,
  ExportRequestSchema,
  ForwardPathSchema,
  type Matrix,
  type NoiseReport,
  type NoiseRequest,
  NoiseRequestSchema,
  type NoiseResult,
  NoiseResultSchema,
  type Placement,
  type RagDocument,
  type RagInput,
  RagInputSchema,
  type Segment,
  type SegmentKind,
  type Shares,
  type TokenInfo,
  WindowSchema,
} from './schemas.js';
export { spansOf, type TokenSpan, tokenizeWithSpans } from './token-spans.js';
