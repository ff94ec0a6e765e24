import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from '../common/config.js';
import { createLogger, type Logger } from '../common/logger.js';
import { VERSION } from '../common/version.js';
import { createStore, type Store } from '../store/index.js';
import { repointEngineEndpoints } from '../train/index.js';
import { engineApiRoutes, registryModelProvider, setOpenAiErrorHandlers } from './engine-api/index.js';
import { handleError } from './errors.js';
import type { RouteDeps } from './route-deps.js';
import { dataRoutes } from './routes/data.js';
import { evalRoutes } from './routes/eval.js';
import { notifyRoutes } from './routes/notify.js';
import { papersRoutes } from './routes/papers.js';
import { registryRoutes } from './routes/registry.js';
import { systemRoutes } from './routes/system.js';
import { trainRoutes } from './routes/train.js';
import { vizRoutes } from './routes/viz.js';
import { ApiErrorSchema } from './schemas.js';

/** The server type, with zod schemas typing every handler. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface BuildServerOptions {
  config: Config;
  /** An open store; when absent one is opened from `config.databaseUrl` and closed with the server. */
  store?: Store;
  /** A pino logger; `false` silences logs (tests). Defaults to one at `config.logLevel`. */
  logger?: Logger | false;
  /** Folder of the built web app; defaults to `dist/web` in the package. */
  webDir?: string;
}

/** The built web app, two levels above this file in both `src/server` and `dist/server`. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * Builds the Alignboard server without listening: API plugins under `/api`, the OpenAPI
 * document, security headers, and the web app. Tests call this and `listen({ port: 0 })`.
 */
export async function buildServer(opts: BuildServerOptions): Promise<App> {
  const { config } = opts;
  const log =
    opts.logger === false
      ? createLogger({ level: 'silent' })
      : (opts.logger ?? createLogger({ level: config.logLevel }));
  const loggerInstance: FastifyBaseLogger = log;
  const app = Fastify({ loggerInstance }).withTypeProvider<ZodTypeProvider>();

  const ownsStore = !opts.store;
  const store =
    opts.store ?? createStore({ databaseUrl: config.databaseUrl, log: log.child({ domain: 'store' }) });
  if (ownsStore) await store.migrate();
  app.addHook('onClose', async () => {
    if (ownsStore) await store.close();
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Alignboard API', version: VERSION },
      components: {},
    },
    transform: jsonSchemaTransform,
  });

  const engineBaseUrl = (): string | undefined => {
    const a = app.server.address();
    if (!a || typeof a === 'string') return undefined;
    // A wildcard listen is reached through loopback by this process's own clients (the eval worker).
    const host =
      a.address === '0.0.0.0' || a.address === '::'
        ? '127.0.0.1'
        : a.family === 'IPv6'
          ? `[${a.address}]`
          : a.address;
    return `http://${host}:${a.port}/engine/v1`;
  };
  app.addHook('onListen', async () => {
    const baseUrl = engineBaseUrl();
    const changed = baseUrl ? await repointEngineEndpoints(store, baseUrl) : 0;
    if (changed) log.info({ baseUrl, changed }, 'engine endpoints re-pointed');
  });
  const deps: RouteDeps = { store, log, config, engineBaseUrl };
  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await api.register(systemRoutes, deps);
      await api.register(registryRoutes, { ...deps, prefix: '/registry' });
      await api.register(papersRoutes, { ...deps, prefix: '/papers' });
      await api.register(vizRoutes, { ...deps, prefix: '/viz' });
      await api.register(dataRoutes, { ...deps, prefix: '/data' });
      await api.register(trainRoutes, { ...deps, prefix: '/train' });
      await api.register(evalRoutes, { ...deps, prefix: '/eval' });
      await api.register(notifyRoutes, { ...deps, prefix: '/notify' });
    },
    { prefix: '/api' },
  );
  // The embedded engine's OpenAI-compatible API over the registry's local models, so a trained
  // model is evaluated (and tried) without anyone starting a server for it.
  await app.register(
    async (engine) => {
      setOpenAiErrorHandlers(engine);
      await engine.register(engineApiRoutes, {
        models: registryModelProvider({ store }),
        log: log.child({ domain: 'engine-api' }),
      });
    },
    { prefix: '/engine' },
  );

  const webDir = opts.webDir ?? DEFAULT_WEB_DIR;
  const hasWeb = existsSync(webDir);
  if (hasWeb) await app.register(fastifyStatic, { root: webDir, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    const isPage =
      req.method === 'GET' && !req.url.startsWith('/api/') && req.headers.accept?.includes('text/html');
    // Client-side routes (/models/x) are served the app shell; the router takes it from there.
    if (isPage && hasWeb) return reply.type('text/html').sendFile('index.html');
    const message = isPage
      ? 'the web app is not built; run `npm run build`'
      : `no route ${req.method} ${req.url.split('?')[0]}`;
    return reply.status(404).send(
      ApiErrorSchema.parse({
        statusCode: 404,
        code: 'AB_NOT_FOUND',
        error: 'Not Found',
        message,
        where: {},
      }),
    );
  });

  return app;
}
