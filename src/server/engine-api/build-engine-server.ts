import { basename, resolve } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AlignboardError } from '../../common/errors.js';
import { type Logger, silentLogger } from '../../common/logger.js';
import { loadModelDir } from '../../engine/index.js';
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
  const log = opts.log ?? silentLogger;
  const loaded = await loadModelDir(opts.modelDir);
  const loggerInstance: FastifyBaseLogger = log;
  const app = Fastify({ loggerInstance, bodyLimit: 16 * 1024 * 1024 });
  setOpenAiErrorHandlers(app);
  await app.register(engineApiRoutes, {
    models: singleModelProvider(loaded, opts.modelName ?? basename(resolve(opts.modelDir))),
    log,
  });
  return app;
}
