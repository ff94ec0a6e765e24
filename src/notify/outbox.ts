import { randomUUID } from 'node:crypto';
import { AlignboardError, excerpt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Store } from '../store/index.js';
import type { NotifyMessage } from './message.js';
import { messageText } from './message.js';
import type { TelegramSender } from './telegram-sender.js';
import type { WebhookSender } from './webhook-sender.js';

/**
 * One place a message can go: a Telegram chat, a Slack webhook, a generic webhook. Event routing
 * (who is subscribed to which event, issue 7) builds channels and hands messages to `deliver`.
 */
export interface NotifyChannel {
  readonly kind: 'telegram' | 'slack' | 'webhook';
  /** A chat id or a webhook origin: safe to store and show. */
  readonly target: string;
  send(
    message: NotifyMessage,
    opts: { event: string; data?: Record<string, unknown>; signal?: AbortSignal },
  ): Promise<Record<string, unknown>>;
}

export function telegramChannel(sender: TelegramSender, chatId: number | string): NotifyChannel {
  return {
    kind: 'telegram',
    target: String(chatId),
    async send(message, opts) {
      const sent = await sender.send(chatId, message, opts.signal ? { signal: opts.signal } : {});
      return { messageIds: sent.messageIds, parts: sent.parts };
    },
  };
}

export function webhookChannel(sender: WebhookSender): NotifyChannel {
  return {
    kind: sender.kind,
    target: sender.target,
    async send(message, opts) {
      const r = await sender.send(message, opts);
      return { parts: r.parts, status: r.status };
    },
  };
}

export interface DeliveryRecord {
  id: string;
  key: string;
  channel: string;
  target: string;
  event: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  errorCode: string | null;
  lastError: string | null;
  receipt: Record<string, unknown> | null;
  summary: string;
  createdAt: string;
  updatedAt: string;
}

type Row = Awaited<ReturnType<typeof findRow>>;

async function findRow(store: Store, key: string) {
  return store.db
    .selectFrom('notify_deliveries')
    .selectAll()
    .where('dedupe_key', '=', key)
    .executeTakeFirst();
}

function toRecord(row: NonNullable<Row>): DeliveryRecord {
  let receipt: Record<string, unknown> | null = null;
  try {
    receipt = row.receipt ? (JSON.parse(row.receipt) as Record<string, unknown>) : null;
  } catch {
    // A receipt is informational; an unreadable one is shown as absent rather than failing the list.
    receipt = null;
  }
  return {
    id: row.id,
    key: row.dedupe_key,
    channel: row.channel,
    target: row.target,
    event: row.event,
    status: row.status === 'sent' ? 'sent' : row.status === 'failed' ? 'failed' : 'pending',
    attempts: Number(row.attempts),
    errorCode: row.error_code,
    lastError: row.last_error,
    receipt,
    summary: row.summary,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Delivers `message` through `channel` at most once per `key`, recording every attempt in the
 * outbox: a key already sent is skipped (returned with `skipped: true`); a failure is recorded
 * with its code and message, logged at error level, and rethrown, so it is never silent. Calling
 * again with the same key retries a failed delivery.
 */
export async function deliver(
  store: Store,
  channel: NotifyChannel,
  message: NotifyMessage,
  opts: { key: string; event: string; data?: Record<string, unknown>; signal?: AbortSignal; log?: Logger },
): Promise<DeliveryRecord & { skipped: boolean }> {
  const log = (opts.log ?? silentLogger).child({
    domain: 'notify',
    channel: channel.kind,
    target: channel.target,
  });
  const now = new Date().toISOString();
  let row = await findRow(store, opts.key);
  if (row?.status === 'sent') return { ...toRecord(row), skipped: true };
  if (!row) {
    await store.db
      .insertInto('notify_deliveries')
      .values({
        id: randomUUID(),
        dedupe_key: opts.key,
        channel: channel.kind,
        target: channel.target,
        event: opts.event,
        status: 'pending',
        attempts: 0,
        error_code: null,
        last_error: null,
        receipt: null,
        summary: excerpt(messageText(message), 500),
        created_at: now,
        updated_at: now,
      })
      .execute();
    row = await findRow(store, opts.key);
  }
  const previousAttempts = Number(row?.attempts ?? 0);
  try {
    const receipt = await channel.send(message, {
      event: opts.event,
      ...(opts.data && { data: opts.data }),
      ...(opts.signal && { signal: opts.signal }),
    });
    await store.db
      .updateTable('notify_deliveries')
      .set({
        status: 'sent',
        attempts: previousAttempts + 1,
        error_code: null,
        last_error: null,
        receipt: JSON.stringify(receipt),
        updated_at: new Date().toISOString(),
      })
      .where('dedupe_key', '=', opts.key)
      .execute();
    log.info({ key: opts.key, event: opts.event }, 'notification delivered');
  } catch (err) {
    const code = err instanceof AlignboardError ? err.code : 'AB_NOTIFY_UNREACHABLE';
    const attempts = err instanceof AlignboardError && 'attempts' in err ? Number(err.attempts) : 1;
    const reason = err instanceof Error ? err.message : String(err);
    await store.db
      .updateTable('notify_deliveries')
      .set({
        status: 'failed',
        attempts: previousAttempts + attempts,
        error_code: code,
        last_error: excerpt(reason, 1000),
        updated_at: new Date().toISOString(),
      })
      .where('dedupe_key', '=', opts.key)
      .execute();
    log.error({ key: opts.key, event: opts.event, code, reason }, 'notification failed');
    throw err;
  }
  const done = await findRow(store, opts.key);
  if (!done) throw new Error(`outbox row ${opts.key} vanished`);
  return { ...toRecord(done), skipped: false };
}

/** The outbox, newest first, optionally only one status: what issue 7's outbox page lists. */
export async function listDeliveries(
  store: Store,
  opts: { status?: 'pending' | 'sent' | 'failed'; limit?: number } = {},
): Promise<DeliveryRecord[]> {
  let q = store.db.selectFrom('notify_deliveries').selectAll();
  if (opts.status) q = q.where('status', '=', opts.status);
  const rows = await q
    .orderBy('created_at', 'desc')
    .limit(opts.limit ?? 100)
    .execute();
  return rows.map(toRecord);
}
