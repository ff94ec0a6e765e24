/**
 * engine-api — the OpenAI-compatible HTTP surface of the embedded engine (what vLLM serves):
 * /v1/models, /v1/completions, /v1/chat/completions, /tokenize, /detokenize.
 * Owns request parsing and response shaping only; all computation is in src/engine.
 */
export { type BuildEngineServerOptions, buildEngineServer } from './build-engine-server.js';
export { type EngineApiOptions, engineApiRoutes } from './openai-routes.js';
export {
  ChatCompletionRequestSchema,
  CompletionRequestSchema,
  DetokenizeRequestSchema,
  TokenizeRequestSchema,
} from './schemas.js';
