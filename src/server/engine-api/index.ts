/**
 * engine-api — the OpenAI-compatible HTTP surface of the embedded engine (what vLLM serves):
 * /v1/models, /v1/completions, /v1/chat/completions, /tokenize, /detokenize — for one model
 * folder (`alignboard engine serve`) or for the registry's local models, loaded on first use
 * (Alignboard's own server, under /engine). Owns request parsing, model choice and response
 * shaping only; all computation is in src/engine.
 */
export {
  type BuildEngineServerOptions,
  buildEngineServer,
  type ServedEngineModel,
  serveLoadedModel,
  setOpenAiErrorHandlers,
} from './build-engine-server.js';
export {
  type EngineApiOptions,
  engineApiRoutes,
  type ModelProvider,
  type ServedModel,
  singleModelProvider,
} from './openai-routes.js';
export {
  type RegistryModelProviderOptions,
  registryModelProvider,
  servedModelName,
} from './registry-models.js';
export {
  ChatCompletionRequestSchema,
  CompletionRequestSchema,
  DetokenizeRequestSchema,
  TokenizeRequestSchema,
} from './schemas.js';
