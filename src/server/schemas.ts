import { z } from 'zod';

/**
 * Wire schemas of the server's own routes. This file imports only zod, so the web app can
 * `import type` the inferred types without pulling server code into the browser build.
 */

/** The body of every error the API returns. */
export const ApiErrorSchema = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  error: z.string(),
  message: z.string(),
  where: z.object({ file: z.string().optional(), line: z.number().optional(), field: z.string().optional() }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

export const HealthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.number(),
  instanceId: z.string(),
  database: z.object({
    dialect: z.enum(['sqlite', 'postgres']),
    location: z.string(),
    migrations: z.number().int(),
  }),
});
export type Health = z.infer<typeof HealthSchema>;
