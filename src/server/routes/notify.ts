import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addChannel,
  addSubscription,
  ChannelInputSchema,
  ChannelViewSchema,
  DeliverySchema,
  deleteSubscription,
  listChannels,
  listOutbox,
  listReports,
  listSubscriptions,
  PublishResultSchema,
  ReportInputSchema,
  ReportSchema,
  retryDelivery,
  retryFailedDeliveries,
  SubscriptionInputSchema,
  SubscriptionSchema,
  uploadReport,
} from '../../notify/index.js';
import type { RouteDeps } from '../route-deps.js';
import { ApiErrorSchema } from '../schemas.js';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const OutboxQuery = z.object({
  status: z.enum(['pending', 'sent', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 502: ApiErrorSchema };
const tags = ['notify'];

/** `/api/notify`: channels, subscriptions, the outbox with retries, and external reports. */
export const notifyRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, log }) => {
  const nlog = log.child({ domain: 'notify' });

  app.get(
    '/channels',
    {
      schema: {
        summary: 'Channels (secrets are named by env var, never returned)',
        tags,
        response: { 200: z.array(ChannelViewSchema), ...errors },
      },
    },
    async () => listChannels(store),
  );
  app.post(
    '/channels',
    {
      schema: {
        summary: 'Add a Telegram, Slack or webhook channel',
        tags,
        body: ChannelInputSchema,
        response: { 201: ChannelViewSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await addChannel(store, req.body)),
  );
  app.get(
    '/subscriptions',
    {
      schema: {
        summary: 'Who hears about what',
        tags,
        response: { 200: z.array(SubscriptionSchema), ...errors },
      },
    },
    async () => listSubscriptions(store),
  );
  app.post(
    '/subscriptions',
    {
      schema: {
        summary: 'Subscribe a channel to an event type, for a model or an owner',
        tags,
        body: SubscriptionInputSchema,
        response: { 201: SubscriptionSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await addSubscription(store, req.body)),
  );
  app.delete(
    '/subscriptions/:id',
    {
      schema: {
        summary: 'Remove a subscription',
        tags,
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await deleteSubscription(store, req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/deliveries',
    {
      schema: {
        summary: 'The outbox, newest first',
        tags,
        querystring: OutboxQuery,
        response: { 200: z.array(DeliverySchema), ...errors },
      },
    },
    async (req) => listOutbox(store, req.query),
  );
  app.post(
    '/deliveries/:id/retry',
    {
      schema: {
        summary: 'Retry one failed delivery',
        tags,
        params: IdParams,
        response: { 200: DeliverySchema, ...errors },
      },
    },
    async (req) => retryDelivery(store, req.params.id, { log: nlog }),
  );
  app.post(
    '/deliveries/retry',
    {
      schema: {
        summary: 'Retry every failed delivery',
        tags,
        response: { 200: z.array(DeliverySchema), ...errors },
      },
    },
    async () => retryFailedDeliveries(store, { log: nlog }),
  );
  app.get(
    '/models/:id/reports',
    {
      schema: {
        summary: 'External reports of a model',
        tags,
        params: IdParams,
        response: { 200: z.array(ReportSchema), ...errors },
      },
    },
    async (req) => listReports(store, req.params.id),
  );
  app.post(
    '/models/:id/reports',
    {
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        summary: 'Upload an external report (file + note); owner and subscribers are notified at once',
        tags,
        params: IdParams,
        body: ReportInputSchema,
        response: { 201: z.object({ report: ReportSchema, published: PublishResultSchema }), ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await uploadReport(store, req.params.id, req.body, { log: nlog })),
  );
};
