import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addEndpoint,
  BindingSchema,
  BindModelInputSchema,
  bindModel,
  buildLeaderboard,
  CompareQuerySchema,
  ComparisonSchema,
  compareHubRuns,
  EndpointInputSchema,
  EndpointViewSchema,
  EnqueueRunsInputSchema,
  EvalJobSchema,
  enqueueRuns,
  getEndpoint,
  getEvalJob,
  getRunDetail,
  ImportTaskInputSchema,
  importHubTask,
  LeaderboardQuerySchema,
  LeaderboardSchema,
  listBindings,
  listEndpoints,
  listEvalJobs,
  listHubRuns,
  listHubTasks,
  listRunSamples,
  listSuites,
  PreflightSchema,
  preflightRuns,
  probeAndSaveEndpoint,
  RunDetailSchema,
  RunRowSchema,
  SamplePageSchema,
  SamplesQuerySchema,
  SuiteSchema,
  saveSuite,
  TaskInfoSchema,
} from '../../eval/index.js';
import { cancelJob } from '../../store/index.js';
import { startEvalWorker } from '../eval-worker.js';
import type { RouteDeps } from '../route-deps.js';
import { ApiErrorSchema } from '../schemas.js';
import { sendEvents } from '../sse.js';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const errors = {
  400: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
  422: ApiErrorSchema,
  502: ApiErrorSchema,
};
const tags = ['eval'];

/**
 * `/api/eval`: endpoints and probes, tasks and suites, model bindings, queued runs with live
 * progress (SSE), run pages with samples, the leaderboard and comparisons. Starts this process's
 * evaluation worker and stops it (handing a running job back to the queue) on close.
 */
export const evalRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, log, config }) => {
  const elog = log.child({ domain: 'eval' });
  const worker = startEvalWorker({ store, log });
  // preClose: event streams must end before the server waits for its connections to drain.
  app.addHook('preClose', async () => worker.close());

  app.get(
    '/endpoints',
    {
      schema: { summary: 'List endpoints', tags, response: { 200: z.array(EndpointViewSchema), ...errors } },
    },
    async () => listEndpoints(store),
  );
  app.post(
    '/endpoints',
    {
      schema: {
        summary: 'Register an OpenAI-compatible endpoint (the API key is named by env var)',
        tags,
        body: EndpointInputSchema,
        response: { 201: EndpointViewSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await addEndpoint(store, req.body)),
  );
  app.get(
    '/endpoints/:id',
    {
      schema: {
        summary: 'One endpoint',
        tags,
        params: IdParams,
        response: { 200: EndpointViewSchema, ...errors },
      },
    },
    async (req) => getEndpoint(store, req.params.id),
  );
  app.post(
    '/endpoints/:id/probe',
    {
      schema: {
        summary: 'Probe capabilities (chat, completions, prompt logprobs, context)',
        tags,
        params: IdParams,
        response: { 200: EndpointViewSchema, ...errors },
      },
    },
    async (req) => probeAndSaveEndpoint(store, req.params.id, { log: elog }),
  );

  app.get(
    '/tasks',
    { schema: { summary: 'Imported tasks', tags, response: { 200: z.array(TaskInfoSchema), ...errors } } },
    async () => listHubTasks(store),
  );
  app.post(
    '/tasks/import',
    {
      schema: {
        summary:
          'Import a built-in task (mt-bench, arena-hard) or a task YAML (lm-eval or Alignboard) from the server disk',
        tags,
        body: ImportTaskInputSchema,
        response: { 201: TaskInfoSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await importHubTask(store, req.body, { benchmarksDir: config.benchmarksDir })),
  );
  app.get(
    '/suites',
    {
      schema: {
        summary: 'Suites of tasks with pinned settings',
        tags,
        response: { 200: z.array(SuiteSchema), ...errors },
      },
    },
    async () => listSuites(store),
  );
  app.post(
    '/suites',
    {
      schema: { summary: 'Save a suite', tags, body: SuiteSchema, response: { 201: SuiteSchema, ...errors } },
    },
    async (req, reply) => reply.status(201).send(await saveSuite(store, req.body)),
  );

  app.get(
    '/bindings',
    {
      schema: {
        summary: 'Registry models bound to endpoints',
        tags,
        response: { 200: z.array(BindingSchema), ...errors },
      },
    },
    async () => listBindings(store),
  );
  app.put(
    '/models/:id/binding',
    {
      schema: {
        summary: 'Bind a registry model to the endpoint that serves it (and set its baseline)',
        tags,
        params: IdParams,
        body: BindModelInputSchema,
        response: { 200: z.array(BindingSchema), ...errors },
      },
    },
    async (req) => {
      await bindModel(store, req.params.id, req.body);
      return listBindings(store);
    },
  );

  app.post(
    '/runs/preflight',
    {
      schema: {
        summary: "The capability probe's verdict per target and task",
        tags,
        body: EnqueueRunsInputSchema,
        response: { 200: PreflightSchema, ...errors },
      },
    },
    async (req) => preflightRuns(store, req.body),
  );
  app.post(
    '/runs',
    {
      schema: {
        summary: 'Queue runs: every target × every task of the suite',
        tags,
        body: EnqueueRunsInputSchema,
        response: { 201: z.object({ jobs: z.array(EvalJobSchema) }), ...errors },
      },
    },
    async (req, reply) => {
      const jobs = await enqueueRuns(store, req.body);
      worker.wake();
      return reply.status(201).send({ jobs });
    },
  );
  app.get(
    '/runs',
    { schema: { summary: 'Runs, newest first', tags, response: { 200: z.array(RunRowSchema), ...errors } } },
    async () => listHubRuns(store),
  );
  app.get(
    '/runs/:id',
    {
      schema: {
        summary: 'A run: summary, contract, job',
        tags,
        params: IdParams,
        response: { 200: RunDetailSchema, ...errors },
      },
    },
    async (req) => getRunDetail(store, req.params.id),
  );
  app.get(
    '/runs/:id/samples',
    {
      schema: {
        summary: 'Per-sample results with filters',
        tags,
        params: IdParams,
        querystring: SamplesQuerySchema,
        response: { 200: SamplePageSchema, ...errors },
      },
    },
    async (req) => listRunSamples(store, req.params.id, req.query),
  );

  app.get(
    '/jobs',
    {
      schema: {
        summary: 'Queued, running and finished evaluation jobs',
        tags,
        response: { 200: z.array(EvalJobSchema), ...errors },
      },
    },
    async () => listEvalJobs(store),
  );
  app.get(
    '/jobs/:id',
    {
      schema: {
        summary: 'One evaluation job',
        tags,
        params: IdParams,
        response: { 200: EvalJobSchema, ...errors },
      },
    },
    async (req) => getEvalJob(store, req.params.id),
  );
  app.post(
    '/jobs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a queued job, or ask a running one to stop',
        tags,
        params: IdParams,
        response: { 200: EvalJobSchema, ...errors },
      },
    },
    async (req) => {
      await getEvalJob(store, req.params.id);
      await cancelJob(store, req.params.id);
      return getEvalJob(store, req.params.id);
    },
  );
  app.get(
    '/events',
    { schema: { summary: 'Live progress of evaluation jobs (server-sent events)', tags } },
    async (_req, reply) => sendEvents(reply, worker.bus.subscribe()),
  );

  app.get(
    '/leaderboard',
    {
      schema: {
        summary: 'Models × tasks, grouped by evaluation contract',
        tags,
        querystring: LeaderboardQuerySchema,
        response: { 200: LeaderboardSchema, ...errors },
      },
    },
    async (req) => buildLeaderboard(store, req.query),
  );
  app.get(
    '/compare',
    {
      schema: {
        summary: 'Two runs side by side with paired statistics and the per-item diff',
        tags,
        querystring: CompareQuerySchema,
        response: { 200: ComparisonSchema, ...errors },
      },
    },
    async (req) => compareHubRuns(store, req.query.a, req.query.b),
  );
};
