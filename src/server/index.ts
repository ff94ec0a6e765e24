/**
 * server — the HTTP shell: Fastify with one plugin per domain under `/api/<domain>`, the
 * OpenAPI document, security headers, error mapping, SSE framing and the built web app.
 * Owns no domain rules; route handlers parse input, call one domain function, shape output.
 */
export { type App, type BuildServerOptions, buildServer } from './build-server.js';
export {
  type BuildEngineServerOptions,
  buildEngineServer,
  type ServedEngineModel,
  serveLoadedModel,
} from './engine-api/index.js';
export type { RouteDeps } from './route-deps.js';
export { type ApiErrorBody, ApiErrorSchema, type Health, HealthSchema } from './schemas.js';
export { type SseOptions, sendEvents } from './sse.js';
export { startServer } from './start-server.js';
