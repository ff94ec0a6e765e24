import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { VERSION } from '../../common/version.js';
import type { RouteDeps } from '../route-deps.js';
import { HealthSchema } from '../schemas.js';

const startedAt = Date.now();

/** `/api/health`: liveness plus what the hub runs on, for the home page and monitors. */
export const systemRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    '/health',
    { schema: { summary: 'Hub status', tags: ['system'], response: { 200: HealthSchema } } },
    async () => ({
      status: 'ok' as const,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      instanceId: await store.instanceId(),
      database: {
        dialect: store.dialect,
        location: store.location,
        migrations: (await store.appliedMigrations()).length,
      },
    }),
  );
};
