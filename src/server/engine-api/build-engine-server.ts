import { basename, resolve } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AlignboardError } from '../../common/errors.js';
import { type Logger, silentLogger } from '../../common/logger.js';
import { type LoadedModel, loadModelDir } from '../../engine/index.js';
import { engineApiRoutes, errorBody, singleModelProvider } from './openai-routes.js';

export interface BuildEngineServerOptions {
  modelDir: string;
  log?: Logger;
  /** The model id clients use; defaults to the folder name. */
  modelName?: string;
}

/**
 * Answers errors in OpenAI's `{error: {...}}` shape within `app`'s scope, as clients of an
 * OpenAI-compatible server expect (the standalone engine server and Alignboard's `/engine`).
 */
export function setOpenAiErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issue = err.validation[0];
      const field = issue?.instancePath.replace(/^\//, '').replaceAll('/', '.') || null;
      return reply.status(400).send({
        error: {
          message: `${field ? `field "${field}": ` : ''}${issue?.message ?? 'invalid request'}`,
          type: 'invalid_request_error',
          param: field,
          code: 'AB_INPUT_INVALID',
        },
      });
    }
    if (err instanceof AlignboardError) return reply.status(err.status).send(errorBody(err));
    if (err.statusCode && err.statusCode < 500) {
      return reply.status(err.statusCode).send({
        error: { message: err.message, type: 'invalid_request_error', param: null, code: err.code ?? null },
      });
    }
    req.log.error({ err }, 'engine request failed');
    return reply.status(500).send(errorBody(err));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: {
        message: `no route ${req.method} ${req.url}`,
        type: 'not_found_error',
        param: null,
        code: null,
      },
    }),
  );
}

/**
 * Loads the model folder and builds (without listening) a Fastify server that speaks the
 * OpenAI-compatible API vLLM serves. Errors come back in OpenAI's `{error: {...}}` shape.
 */
export async function buildEngineServer(opts: BuildEngineServerOptions): Promise<FastifyInstance> {
  const loaded = await loadModelDir(opts.modelDir);
  return buildLoadedEngineServer(loaded, opts.modelName ?? basename(resolve(opts.modelDir)), opts.log);
}

async function buildLoadedEngineServer(
  loaded: LoadedModel,
  name: string,
  log: Logger = silentLogger,
): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = log;
  const app = Fastify({ loggerInstance, bodyLimit: 16 * 1024 * 1024 });
  setOpenAiErrorHandlers(app);
  await app.register(engineApiRoutes, { models: singleModelProvider(loaded, name), log });
  return app;
}

/** An engine API listening on 127.0.0.1, open until `close()`. */
export interface ServedEngineModel {
  /** The OpenAI base URL, `http://127.0.0.1:<port>/v1`. */
  baseURL: string;
  /** The id requests pass as `model`. */
  model: string;
  close(): Promise<void>;
}

/**
 * Serves an already loaded model — the very object, not a copy, so a trainer that updates its
 * weights in place is sampled at its current weights — on an ephemeral port of 127.0.0.1.
 * `onRequest` sees each request before it is handled (tests count what was asked).
 */
export async function serveLoadedModel(
  loaded: LoadedModel,
  opts: { name?: string; log?: Logger; onRequest?: (url: string, body: unknown) => void } = {},
): Promise<ServedEngineModel> {
  const name = opts.name ?? basename(resolve(loaded.dir));
  const app = await buildLoadedEngineServer(loaded, name, opts.log);
  const { onRequest } = opts;
  if (onRequest) app.addHook('preHandler', async (req) => onRequest(req.url, req.body));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { baseURL: `${address}/v1`, model: name, close: () => app.close() };
}
