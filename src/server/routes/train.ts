import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { startJobWorker } from '../../store/index.js';
import {
  cancelRun,
  createTrainJobHandler,
  getRun,
  listRunMetrics,
  listRuns,
  parseRecipe,
  preflightRecipe,
  RunMetricsSchema,
  RunPreflightSchema,
  RunStatusSchema,
  resumeRun,
  StartRunInputSchema,
  startRun,
  TRAIN_JOB_KIND,
  type TrainDeps,
  TrainRunListSchema,
  TrainRunSchema,
  watchRunIter,
} from '../../train/index.js';
import { serveLoadedModel } from '../engine-api/index.js';
import type { RouteDeps } from '../route-deps.js';
import { ApiErrorSchema } from '../schemas.js';
import { sendEvents } from '../sse.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const ListQuery = z.object({
  status: RunStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const PreflightBody = z.object({ recipe: z.string().min(1).max(200_000) });
const StartedSchema = z.object({ run: TrainRunSchema, preflight: RunPreflightSchema });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };
const tags = ['train'];

/**
 * `/api/train`: runs (list, get, start after preflight, cancel, resume), their metrics and a live
 * event stream. This process also runs a worker that drives queued runs; several processes can
 * share one store, and a run whose worker stopped is re-attached by the next.
 */
export const trainRoutes: FastifyPluginAsyncZod<RouteDeps> = async (
  app,
  { store, log, config, engineBaseUrl },
) => {
  const deps: TrainDeps = {
    store,
    log: log.child({ domain: 'train' }),
    dataDir: config.dataDir,
    engineBaseUrl,
    servePolicy: serveLoadedModel,
  };
  const worker = startJobWorker({
    store,
    handlers: { [TRAIN_JOB_KIND]: createTrainJobHandler(deps) },
    log: deps.log ?? log,
  });
  app.addHook('onClose', () => worker.stop());

  app.get(
    '/runs',
    { schema: { tags, querystring: ListQuery, response: { 200: TrainRunListSchema, ...errors } } },
    async (req) => ({ runs: await listRuns(store, req.query) }),
  );

  app.post(
    '/preflight',
    { schema: { tags, body: PreflightBody, response: { 200: RunPreflightSchema, ...errors } } },
    async (req) => preflightRecipe(store, parseRecipe(req.body.recipe, 'recipe')),
  );

  app.post(
    '/runs',
    { schema: { tags, body: StartRunInputSchema, response: { 201: StartedSchema, ...errors } } },
    async (req, reply) => {
      const started = await startRun(deps, { recipeText: req.body.recipe }, { override: req.body.override });
      worker.wake();
      return reply.status(201).send(started);
    },
  );

  app.get(
    '/runs/:id',
    { schema: { tags, params: IdParams, response: { 200: TrainRunSchema, ...errors } } },
    async (req) => getRun(store, req.params.id),
  );

  app.get(
    '/runs/:id/metrics',
    { schema: { tags, params: IdParams, response: { 200: RunMetricsSchema, ...errors } } },
    async (req) => {
      await getRun(store, req.params.id);
      return { runId: req.params.id, points: await listRunMetrics(store, req.params.id) };
    },
  );

  app.post(
    '/runs/:id/cancel',
    { schema: { tags, params: IdParams, response: { 200: TrainRunSchema, ...errors } } },
    async (req) => cancelRun(deps, req.params.id),
  );

  app.post(
    '/runs/:id/resume',
    { schema: { tags, params: IdParams, response: { 200: TrainRunSchema, ...errors } } },
    async (req) => {
      const run = await resumeRun(deps, req.params.id);
      worker.wake();
      return run;
    },
  );

  app.get(
    '/runs/:id/events',
    { schema: { tags, params: IdParams, response: errors } },
    async (req, reply) => {
      await getRun(store, req.params.id);
      return sendEvents(reply, watchRunIter(store, req.params.id, { pollMs: 500 }));
    },
  );
};
