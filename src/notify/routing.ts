import { randomUUID } from 'node:crypto';
import { parseAt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Store } from '../store/index.js';
import { NotifyError } from './errors.js';
import type { Inline, NotifyMessage } from './message.js';
import {
  type DeliveryRecord,
  deliver,
  type NotifyChannel,
  telegramChannel,
  webhookChannel,
} from './outbox.js';
import type { RetryPolicy } from './retry.js';
import {
  type ChannelInput,
  ChannelInputSchema,
  type ChannelView,
  type Delivery,
  type NotifyEvent,
  type NotifyEventInput,
  NotifyEventInputSchema,
  type PublishResult,
  type Subscription,
  type SubscriptionInput,
  SubscriptionInputSchema,
} from './routing-schemas.js';
import { createTelegramSender } from './telegram-sender.js';
import { createWebhookSender } from './webhook-sender.js';

export interface RoutingOptions {
  /** Where channel secrets are read from (named by env var in the channel). */
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
}

const now = () => new Date().toISOString();

function targetOf(c: ChannelInput): string {
  return c.kind === 'telegram' ? String(c.chatId) : `$${c.urlEnv}`;
}

export async function addChannel(store: Store, input: ChannelInput): Promise<ChannelView> {
  const c = parseAt(ChannelInputSchema, input, { field: 'channel' });
  const exists = await store.db
    .selectFrom('notify_channels')
    .select('id')
    .where('name', '=', c.name)
    .executeTakeFirst();
  if (exists)
    throw new NotifyError(
      'AB_NOTIFY_CONFIG_INVALID',
      `a channel named "${c.name}" exists; pick another name`,
      {
        where: { field: 'name' },
      },
    );
  const row = { id: randomUUID(), name: c.name, kind: c.kind, config: JSON.stringify(c), created_at: now() };
  await store.db.insertInto('notify_channels').values(row).execute();
  return { id: row.id, name: c.name, kind: c.kind, target: targetOf(c), createdAt: row.created_at };
}

async function channelConfigs(
  store: Store,
): Promise<Map<string, ChannelInput & { id: string; createdAt: string }>> {
  const rows = await store.db.selectFrom('notify_channels').selectAll().orderBy('name').execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        ...parseAt(ChannelInputSchema, JSON.parse(r.config), { field: `channels.${r.name}` }),
        id: r.id,
        createdAt: r.created_at,
      },
    ]),
  );
}

export async function listChannels(store: Store): Promise<ChannelView[]> {
  return [...(await channelConfigs(store)).values()].map((c) => ({
    id: c.id,
    name: c.name,
    kind: c.kind,
    target: targetOf(c),
    createdAt: c.createdAt,
  }));
}

function secret(env: NodeJS.ProcessEnv, name: string, channel: string, field: string): string {
  const value = env[name];
  if (!value)
    throw new NotifyError(
      'AB_NOTIFY_SECRET_MISSING',
      `channel "${channel}" reads its secret from $${name}, which is not set`,
      {
        where: { field },
      },
    );
  return value;
}

function buildChannel(c: ChannelInput, opts: RoutingOptions): NotifyChannel {
  const env = opts.env ?? process.env;
  const log = opts.log ?? silentLogger;
  if (c.kind === 'telegram') {
    const sender = createTelegramSender({
      token: secret(env, c.tokenEnv, c.name, 'tokenEnv'),
      ...(c.apiRoot && { apiRoot: c.apiRoot }),
      log,
      ...(opts.retry && { retry: opts.retry }),
    });
    return telegramChannel(sender, c.chatId);
  }
  const sender = createWebhookSender({
    url: secret(env, c.urlEnv, c.name, 'urlEnv'),
    format: c.kind === 'slack' ? 'slack' : 'json',
    ...(c.kind === 'webhook' && c.secretEnv && { secret: secret(env, c.secretEnv, c.name, 'secretEnv') }),
    log,
    ...(opts.retry && { retry: opts.retry }),
  });
  return webhookChannel(sender);
}

export async function addSubscription(store: Store, input: SubscriptionInput): Promise<Subscription> {
  const s = parseAt(SubscriptionInputSchema, input, { field: 'subscription' });
  const channel = (await channelConfigs(store)).get(s.channelId);
  if (!channel)
    throw new NotifyError('AB_NOTIFY_CHANNEL_NOT_FOUND', `no channel "${s.channelId}"`, {
      where: { field: 'channelId' },
    });
  const row = {
    id: randomUUID(),
    channel_id: channel.id,
    event_type: s.eventType,
    model_id: s.modelId ?? null,
    owner: s.owner ?? null,
    created_at: now(),
  };
  await store.db.insertInto('notify_subscriptions').values(row).execute();
  return {
    id: row.id,
    channelId: channel.id,
    channelName: channel.name,
    eventType: s.eventType,
    modelId: row.model_id,
    owner: row.owner,
    createdAt: row.created_at,
  };
}

export async function listSubscriptions(store: Store): Promise<Subscription[]> {
  const channels = await channelConfigs(store);
  const rows = await store.db.selectFrom('notify_subscriptions').selectAll().orderBy('created_at').execute();
  return rows.map((r) => ({
    id: r.id,
    channelId: r.channel_id,
    channelName: channels.get(r.channel_id)?.name ?? '(deleted)',
    eventType: parseAt(SubscriptionInputSchema.shape.eventType, r.event_type, { field: 'eventType' }),
    modelId: r.model_id,
    owner: r.owner,
    createdAt: r.created_at,
  }));
}

export async function deleteSubscription(store: Store, id: string): Promise<void> {
  await store.db.deleteFrom('notify_subscriptions').where('id', '=', id).execute();
}

/** The channel-neutral message of an event: a bold title, facts as "label: value", the body, a link. */
export function eventMessage(e: NotifyEvent): NotifyMessage {
  const paragraphs: Inline[][] = [[{ bold: e.title }]];
  for (const [label, value] of e.facts) paragraphs.push([`${label}: `, { code: value }]);
  for (const para of e.body.split(/\n{2,}/).filter((p) => p.trim())) paragraphs.push([para]);
  if (e.href) paragraphs.push([{ link: 'Open in Alignboard', href: e.href }]);
  return { paragraphs };
}

function toDelivery(d: DeliveryRecord): Delivery {
  const { receipt: _r, ...rest } = d;
  return rest;
}

async function deliverTo(
  store: Store,
  eventId: string,
  event: NotifyEvent,
  channel: ChannelInput & { id: string },
  opts: RoutingOptions,
): Promise<Delivery> {
  const key = `event:${eventId}:channel:${channel.id}`;
  try {
    const ch = buildChannel(channel, opts);
    const r = await deliver(store, ch, eventMessage(event), {
      key,
      event: event.type,
      data: { type: event.type, modelId: event.modelId, title: event.title },
      ...(opts.signal && { signal: opts.signal }),
      ...(opts.log && { log: opts.log }),
    });
    return toDelivery(r);
  } catch (err) {
    // The outbox already recorded the failure with its code (deliver records, logs and rethrows);
    // one failed channel must not keep the others from hearing about the event.
    const row = await store.db
      .selectFrom('notify_deliveries')
      .selectAll()
      .where('dedupe_key', '=', key)
      .executeTakeFirst();
    if (!row) {
      // Failed before reaching the outbox (a missing secret): record it so it shows and can be retried.
      const code = err instanceof NotifyError ? err.code : 'AB_NOTIFY_UNREACHABLE';
      await store.db
        .insertInto('notify_deliveries')
        .values({
          id: randomUUID(),
          dedupe_key: key,
          channel: channel.kind,
          target: targetOf(channel),
          event: event.type,
          status: 'failed',
          attempts: 0,
          error_code: code,
          last_error: (err as Error).message.slice(0, 1000),
          receipt: null,
          summary: event.title.slice(0, 500),
          created_at: now(),
          updated_at: now(),
        })
        .execute();
    }
    const [d] = await listOutbox(store, { key });
    if (!d) throw err;
    return d;
  }
}

/**
 * Raises an event: records it, then delivers it once to every channel with a matching
 * subscription (same event type; for all models, for this model, or for this owner's models).
 * Each delivery goes through the outbox under `event:<id>:channel:<id>`, so a retry never sends
 * twice; a failed channel is recorded and the others still receive it.
 */
export async function publishEvent(
  store: Store,
  input: NotifyEventInput,
  opts: RoutingOptions = {},
): Promise<PublishResult> {
  const event = parseAt(NotifyEventInputSchema, input, { field: 'event' });
  const eventId = randomUUID();
  await store.db
    .insertInto('notify_events')
    .values({
      id: eventId,
      type: event.type,
      model_id: event.modelId,
      owner: event.owner,
      payload: JSON.stringify(event),
      created_at: now(),
    })
    .execute();
  const subs = await store.db
    .selectFrom('notify_subscriptions')
    .selectAll()
    .where('event_type', '=', event.type)
    .execute();
  const matching = subs.filter(
    (s) =>
      (s.model_id === null && s.owner === null) ||
      (s.model_id !== null && s.model_id === event.modelId) ||
      (s.owner !== null && s.owner === event.owner),
  );
  const channels = await channelConfigs(store);
  const channelIds = [...new Set(matching.map((s) => s.channel_id))];
  const deliveries: Delivery[] = [];
  for (const id of channelIds) {
    const channel = channels.get(id);
    if (channel) deliveries.push(await deliverTo(store, eventId, event, channel, opts));
  }
  (opts.log ?? silentLogger).info(
    { eventId, type: event.type, deliveries: deliveries.length },
    'event published',
  );
  return { eventId, deliveries };
}

/** Retries one failed delivery with the event's recorded message; a sent one is left alone. */
export async function retryDelivery(
  store: Store,
  deliveryId: string,
  opts: RoutingOptions = {},
): Promise<Delivery> {
  const row = await store.db
    .selectFrom('notify_deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .executeTakeFirst();
  const m = row ? /^event:([^:]+):channel:([^:]+)$/.exec(row.dedupe_key) : null;
  if (!row || !m)
    throw new NotifyError(
      'AB_NOTIFY_DELIVERY_NOT_FOUND',
      `no retryable delivery "${deliveryId}" in the outbox`,
      {
        where: { field: 'deliveryId' },
      },
    );
  const ev = await store.db
    .selectFrom('notify_events')
    .select('payload')
    .where('id', '=', m[1] as string)
    .executeTakeFirst();
  const channel = (await channelConfigs(store)).get(m[2] as string);
  if (!ev || !channel)
    throw new NotifyError(
      'AB_NOTIFY_DELIVERY_NOT_FOUND',
      `the event or channel of delivery "${deliveryId}" is gone`,
      {
        where: { field: 'deliveryId' },
      },
    );
  const event = parseAt(NotifyEventInputSchema, JSON.parse(ev.payload), { field: 'event' });
  return deliverTo(store, m[1] as string, event, channel, opts);
}

/** Retries every failed delivery (the outbox page's "retry failed", or a periodic job). */
export async function retryFailedDeliveries(store: Store, opts: RoutingOptions = {}): Promise<Delivery[]> {
  const failed = await store.db
    .selectFrom('notify_deliveries')
    .select('id')
    .where('status', '=', 'failed')
    .execute();
  const out: Delivery[] = [];
  for (const f of failed) {
    try {
      out.push(await retryDelivery(store, f.id, opts));
    } catch (err) {
      // A delivery whose event or channel is gone (or not from routing) stays failed, listed as is.
      (opts.log ?? silentLogger).warn({ deliveryId: f.id, err }, 'delivery not retried');
    }
  }
  return out;
}

/** The outbox page: newest first. */
export async function listOutbox(
  store: Store,
  opts: { status?: 'pending' | 'sent' | 'failed'; key?: string; limit?: number } = {},
): Promise<Delivery[]> {
  let q = store.db.selectFrom('notify_deliveries').selectAll();
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.key) q = q.where('dedupe_key', '=', opts.key);
  const rows = await q
    .orderBy('created_at', 'desc')
    .limit(opts.limit ?? 200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    key: r.dedupe_key,
    channel: r.channel,
    target: r.target,
    event: r.event,
    status: r.status === 'sent' ? 'sent' : r.status === 'failed' ? 'failed' : 'pending',
    attempts: Number(r.attempts),
    errorCode: r.error_code,
    lastError: r.last_error,
    summary: r.summary,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}
