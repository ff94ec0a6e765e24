import { z } from 'zod';

/** The events that reach people. */
export const EventTypeSchema = z.enum([
  'run-finished',
  'run-failed',
  'regression',
  'data-gate',
  'external-report',
]);
export type EventType = z.infer<typeof EventTypeSchema>;

const EnvName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as TELEGRAM_BOT_TOKEN');
const ChannelName = z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'letters, digits, ".", "_" and "-"');

/** A channel. Secrets (bot token, webhook URL, signing key) are named by env var and never stored. */
export const ChannelInputSchema = z.discriminatedUnion('kind', [
  z.object({
    name: ChannelName,
    kind: z.literal('telegram'),
    chatId: z.union([z.string().min(1).max(100), z.number().int()]),
    tokenEnv: EnvName,
    /** Bot API root without a trailing slash (a local Bot API server, or a test fake). */
    apiRoot: z.string().url().optional(),
  }),
  z.object({ name: ChannelName, kind: z.literal('slack'), urlEnv: EnvName }),
  z.object({ name: ChannelName, kind: z.literal('webhook'), urlEnv: EnvName, secretEnv: EnvName.optional() }),
]);
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

export const ChannelViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['telegram', 'slack', 'webhook']),
  /** A chat id, or the env var that holds the webhook URL: never a secret. */
  target: z.string(),
  createdAt: z.string(),
});
export type ChannelView = z.infer<typeof ChannelViewSchema>;

export const SubscriptionInputSchema = z.object({
  channelId: z.string().min(1).max(100),
  eventType: EventTypeSchema,
  /** Only events about this registry model. */
  modelId: z.string().min(1).max(100).optional(),
  /** Only events about models this person owns. */
  owner: z.string().min(1).max(200).optional(),
});
export type SubscriptionInput = z.infer<typeof SubscriptionInputSchema>;

export const SubscriptionSchema = SubscriptionInputSchema.extend({
  id: z.string(),
  channelName: z.string(),
  modelId: z.string().nullable(),
  owner: z.string().nullable(),
  createdAt: z.string(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** An event as raised: rendered the same way on every channel (all text escaped by the renderer). */
export const NotifyEventInputSchema = z.object({
  type: EventTypeSchema,
  modelId: z.string().nullable().default(null),
  owner: z.string().nullable().default(null),
  title: z.string().min(1).max(500),
  facts: z
    .array(z.tuple([z.string().max(200), z.string().max(20_000)]))
    .max(50)
    .default([]),
  /** Free text (a report's note); may be long, it is split for Telegram. */
  body: z.string().max(200_000).default(''),
  href: z.string().url().optional(),
});
export type NotifyEventInput = z.input<typeof NotifyEventInputSchema>;
export type NotifyEvent = z.infer<typeof NotifyEventInputSchema>;

export const DeliverySchema = z.object({
  id: z.string(),
  key: z.string(),
  channel: z.string(),
  target: z.string(),
  event: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number(),
  errorCode: z.string().nullable(),
  lastError: z.string().nullable(),
  summary: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const PublishResultSchema = z.object({
  eventId: z.string(),
  deliveries: z.array(DeliverySchema),
});
export type PublishResult = z.infer<typeof PublishResultSchema>;

export const ReportInputSchema = z.object({
  fileName: z.string().min(1).max(300),
  /** The report's text (markdown or plain); at most 1 MB. */
  content: z.string().max(1_000_000),
  note: z.string().max(20_000).default(''),
  uploadedBy: z.string().max(200).optional(),
});
export type ReportInput = z.input<typeof ReportInputSchema>;

export const ReportSchema = z.object({
  id: z.string(),
  modelId: z.string(),
  fileName: z.string(),
  content: z.string(),
  note: z.string(),
  uploadedBy: z.string().nullable(),
  createdAt: z.string(),
});
export type Report = z.infer<typeof ReportSchema>;
