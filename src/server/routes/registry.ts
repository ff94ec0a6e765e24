import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AttachEvaluationInputSchema,
  attachEvaluation,
  deleteModel,
  diffModels,
  EvaluationSchema,
  getLineage,
  getModel,
  ImportModelInputSchema,
  importModel,
  LineageSchema,
  ListModelsQuerySchema,
  listModels,
  ModelDetailSchema,
  ModelDiffSchema,
  ModelListSchema,
  ModelSummarySchema,
  readModelFile,
  UpdateModelInputSchema,
  updateModel,
} from '../../registry/index.js';
import type { RouteDeps } from '../route-deps.js';
import { ApiErrorSchema } from '../schemas.js';

const IdParams = z.object({ id: z.string().min(1).max(400) });
const DiffQuery = z.object({
  /** Comma-separated model refs (ids, `name@version` or names), 2 to 8. */
  ids: z.string().min(1).max(4000),
  onlyDifferences: z.enum(['true', 'false']).optional(),
});
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 502: ApiErrorSchema };
const tags = ['registry'];

/** `/api/registry`: the model catalog, model pages, import, lineage, diff and evaluations. */
export const registryRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, log }) => {
  const rlog = log.child({ domain: 'registry' });

  app.get(
    '/models',
    {
      schema: {
        summary: 'List and search models',
        tags,
        querystring: ListModelsQuerySchema,
        response: { 200: ModelListSchema, ...errors },
      },
    },
    async (req) => listModels(store, req.query),
  );

  app.post(
    '/models/import',
    {
      schema: {
        summary: 'Import a model folder or Hub repo',
        tags,
        body: ImportModelInputSchema,
        response: { 201: ModelDetailSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await importModel(store, req.body, { log: rlog })),
  );

  app.get(
    '/models/diff',
    {
      schema: {
        summary: 'Compare models side by side',
        tags,
        querystring: DiffQuery,
        response: { 200: ModelDiffSchema, ...errors },
      },
    },
    async (req) =>
      diffModels(
        store,
        req.query.ids
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        { onlyDifferences: req.query.onlyDifferences === 'true' },
      ),
  );

  app.get(
    '/models/:id',
    {
      schema: {
        summary: 'A model page',
        tags,
        params: IdParams,
        response: { 200: ModelDetailSchema, ...errors },
      },
    },
    async (req) => getModel(store, req.params.id),
  );

  app.patch(
    '/models/:id',
    {
      schema: {
        summary: 'Update notes, tags, status, owner or base model',
        tags,
        params: IdParams,
        body: UpdateModelInputSchema,
        response: { 200: ModelDetailSchema, ...errors },
      },
    },
    async (req) => updateModel(store, req.params.id, req.body),
  );

  app.delete(
    '/models/:id',
    {
      schema: {
        summary: 'Soft-delete a model',
        tags,
        params: IdParams,
        response: { 200: ModelSummarySchema, ...errors },
      },
    },
    async (req) => deleteModel(store, req.params.id),
  );

  app.get(
    '/models/:id/files/*',
    {
      schema: {
        summary: 'A raw metadata file of a local model, as text',
        tags,
        params: z.object({ id: z.string().min(1).max(400), '*': z.string().min(1).max(1000) }),
        response: { 200: z.string(), ...errors },
      },
    },
    async (req, reply) => {
      const file = await readModelFile(store, req.params.id, req.params['*']);
      return reply.type('text/plain; charset=utf-8').send(file.text);
    },
  );

  app.get(
    '/models/:id/lineage',
    {
      schema: {
        summary: 'Lineage graph of a model',
        tags,
        params: IdParams,
        response: { 200: LineageSchema, ...errors },
      },
    },
    async (req) => getLineage(store, req.params.id),
  );

  app.post(
    '/models/:id/evaluations',
    {
      schema: {
        summary: 'Attach an evaluation result',
        tags,
        params: IdParams,
        body: AttachEvaluationInputSchema,
        response: { 201: EvaluationSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await attachEvaluation(store, req.params.id, req.body)),
  );
};
