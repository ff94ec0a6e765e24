import path from 'node:path';
import Fastify from 'fastify';
import { describe, expect, onTestFinished, test } from 'vitest';
import {
  createTelegramSender,
  createWebhookSender,
  deliver,
  listDeliveries,
  signWebhookBody,
  telegramChannel,
  webhookChannel,
} from '../../src/notify/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { FAKE_BOT_INFO, startFakeTelegram } from '../helpers/fake-telegram.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

/** A webhook receiver on 127.0.0.1 that answers the queued statuses first, then 200. */
async function startReceiver(statuses: { status: number; retryAfter?: string }[] = []) {
  const app = Fastify({ logger: false });
  const received: Received[] = [];
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/hooks/*', async (req, reply) => {
    received.push({ headers: req.headers, raw: String(req.body) });
    const next = statuses.shift();
    if (next) {
      if (next.retryAfter) reply.header('retry-after', next.retryAfter);
      return reply.status(next.status).send(`error ${next.status} at ${req.url}`);
    }
    return 'ok';
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { base, received, app };
}

async function tempStore(): Promise<Store> {
  const dir = await makeTempDir();
  const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'a.db')}` });
  await store.migrate();
  onTestFinished(() => store.close());
  return store;
}

const fastRetry = { baseMs: 10, capMs: 50 };

describe('webhook and Slack delivery', { timeout: 20_000 }, () => {
  test('a generic webhook body is signed with HMAC-SHA256 over timestamp and body', async () => {
    const r = await startReceiver();
    const sender = createWebhookSender({
      url: `${r.base}/hooks/abc`,
      format: 'json',
      secret: 'shh-signing-key',
    });
    await sender.send(
      { paragraphs: [['Regression on ', { bold: 'gsm8k' }]] },
      { event: 'regression', data: { model: 'm1' } },
    );
    const [got] = r.received;
    const ts = String(got?.headers['x-alignboard-timestamp']);
    expect(got?.headers['x-alignboard-signature']).toBe(
      signWebhookBody('shh-signing-key', ts, got?.raw ?? ''),
    );
    expect(JSON.parse(got?.raw ?? '{}')).toMatchObject({
      event: 'regression',
      text: 'Regression on gsm8k',
      data: { model: 'm1' },
    });
  });

  test('Slack gets mrkdwn text with reserved characters escaped; 503 and 429 Retry-After are retried', async () => {
    const r = await startReceiver([{ status: 503 }, { status: 429, retryAfter: '0' }]);
    const sender = createWebhookSender({
      url: `${r.base}/hooks/T000/B000/XXXX`,
      format: 'slack',
      retry: fastRetry,
    });
    const receipt = await sender.send({ paragraphs: [[{ bold: 'a <b> & c' }]] });
    expect(r.received).toHaveLength(3);
    expect(JSON.parse(r.received[2]?.raw ?? '{}')).toEqual({ text: '*a &lt;b&gt; &amp; c*' });
    expect(receipt).toMatchObject({ status: 200, target: r.base });
  });

  test('a 400 fails at once; the webhook URL path (its secret) is not in the error', async () => {
    const r = await startReceiver([{ status: 400 }]);
    const sender = createWebhookSender({
      url: `${r.base}/hooks/CANARYPATH123`,
      format: 'slack',
      retry: fastRetry,
    });
    const err = await sender.send({ paragraphs: [['x']] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AB_NOTIFY_WEBHOOK_REJECTED', remote: { status: 400 } });
    expect(`${(err as Error).message} ${JSON.stringify(err)}`).not.toContain('CANARYPATH123');
    expect(r.received).toHaveLength(1);
  });

  test('outbox: a failed delivery is recorded loudly, retried by key, and never sent twice', async () => {
    const store = await tempStore();
    const tg = await startFakeTelegram();
    const sender = createTelegramSender({
      token: tg.token,
      apiRoot: tg.apiRoot,
      botInfo: FAKE_BOT_INFO,
      rate: { minIntervalMs: 0 },
      retry: { ...fastRetry, maxRetries: 1 },
    });
    const channel = telegramChannel(sender, -1001);
    tg.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, 2);
    const msg = { paragraphs: [['external report received for ', { code: 'model-a' }]] };
    await expect(
      deliver(store, channel, msg, { key: 'report:1', event: 'external_report' }),
    ).rejects.toMatchObject({
      code: 'AB_NOTIFY_TELEGRAM_REJECTED',
    });
    const [failed] = await listDeliveries(store, { status: 'failed' });
    expect(failed).toMatchObject({
      key: 'report:1',
      attempts: 2,
      errorCode: 'AB_NOTIFY_TELEGRAM_REJECTED',
      target: '-1001',
    });
    expect(failed?.lastError).toContain('Bad Gateway');

    const sent = await deliver(store, channel, msg, { key: 'report:1', event: 'external_report' });
    expect(sent).toMatchObject({ status: 'sent', attempts: 3, skipped: false });
    const again = await deliver(store, channel, msg, { key: 'report:1', event: 'external_report' });
    expect(again.skipped).toBe(true);
    expect(tg.chat(-1001)).toHaveLength(1);

    const r = await startReceiver();
    const hook = webhookChannel(createWebhookSender({ url: `${r.base}/hooks/x`, format: 'json' }));
    await deliver(store, hook, msg, { key: 'report:1:hook', event: 'external_report' });
    expect((await listDeliveries(store)).map((d) => d.channel).sort()).toEqual(['telegram', 'webhook']);
    expect(JSON.stringify(await listDeliveries(store))).not.toContain(tg.token);
  });
});
