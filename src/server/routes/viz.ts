import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AttentionRequestSchema,
  AttentionViewSchema,
  CompareRequestSchema,
  CompareResultSchema,
  createModelCache,
  ExportRequestSchema,
  NoiseRequestSchema,
  NoiseResultSchema,
  runAttention,
  runCompare,
  runExport,
  runNoise,
} from '../../viz/index.js';
import type { RouteDeps } from '../route-deps.js';
import { ApiErrorSchema } from '../schemas.js';

const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema };
const tags = ['viz'];

/**
 * `/api/viz`: the attention lab. The forward passes run on the request's thread: fine for the
 * small models the lab is used with on a laptop, but a 0.5B model blocks the event loop for
 * seconds (moving them to a worker thread is listed in the follow-ups).
 */
export const vizRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, log }) => {
  const vlog = log.child({ domain: 'viz' });
  const cache = createModelCache({ store, max: 2, log: vlog });
  app.addHook('onClose', async () => cache.clear());

  app.post(
    '/attention',
    {
      schema: {
        summary: 'Attention of a model on a text, chat or RAG input',
        tags,
        body: AttentionRequestSchema,
        response: { 200: AttentionViewSchema, ...errors },
      },
    },
    async (req) => {
      const view = await runAttention(cache, req.body);
      vlog.info(
        { model: req.body.model, tokens: view.tokens.length, path: view.model.path },
        'attention extracted',
      );
      return view;
    },
  );

  app.post(
    '/compare',
    {
      schema: {
        summary: 'Two models on the same input, side by side',
        tags,
        body: CompareRequestSchema,
        response: { 200: CompareResultSchema, ...errors },
      },
    },
    async (req) => runCompare(cache, req.body),
  );

  app.post(
    '/noise',
    {
      schema: {
        summary: 'RAG attention-noise meter',
        tags,
        body: NoiseRequestSchema,
        response: { 200: NoiseResultSchema, ...errors },
      },
    },
    async (req) => {
      const result = await runNoise(cache, req.body);
      vlog.info({ model: req.body.model, answerToNoise: result.report.answerToNoise }, 'noise measured');
      return result;
    },
  );

  app.post(
    '/export.json',
    {
      schema: {
        summary: 'Any view as a self-contained static HTML file, wrapped in JSON for the web app',
        tags,
        body: ExportRequestSchema,
        response: { 200: z.object({ filename: z.string(), html: z.string() }), ...errors },
      },
    },
    async (req) => ({ filename: `attention-${req.body.kind}.html`, html: await runExport(cache, req.body) }),
  );

  app.post(
    '/export',
    {
      // 200 is an HTML document; with a text/html content type Fastify sends the string as is.
      schema: {
        summary: 'Any view as a self-contained static HTML file',
        tags,
        body: ExportRequestSchema,
        response: { 200: z.string().describe('text/html'), ...errors },
      },
    },
    async (req, reply) => {
      const html = await runExport(cache, req.body);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-disposition', `attachment; filename="attention-${req.body.kind}.html"`)
        .send(html);
    },
  );
};
