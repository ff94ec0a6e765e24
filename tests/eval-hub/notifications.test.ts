import Fastify from 'fastify';
import { expect, onTestFinished, test } from 'vitest';
import type { EvalJob } from '../../src/eval/index.js';
import type { Delivery, PublishResult } from '../../src/notify/index.js';
import { startFakeTelegram } from '../helpers/fake-telegram.js';
import { startTestServer } from '../helpers/server.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { startFakeOpenAI } from './fake-openai.js';
import { api, writeToyTask } from './hub.js';

/** A webhook receiver that answers 400 to the first `failFirst` requests, then 200. */
async function startReceiver(failFirst: number) {
  const app = Fastify();
  const received: { headers: Record<string, unknown>; body: unknown }[] = [];
  let calls = 0;
  app.post('/hook', async (req, reply) => {
    calls++;
    if (calls <= failFirst) return reply.status(400).send({ error: 'not yet' });
    received.push({ headers: req.headers, body: req.body });
    return { ok: true };
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { url: `${base}/hook`, received };
}

function setEnv(vars: Record<string, string>) {
  for (const [k, v] of Object.entries(vars)) process.env[k] = v;
  onTestFinished(() => {
    for (const k of Object.keys(vars)) delete process.env[k];
  });
}

test('an external report and a regression reach their subscribers: Telegram split and escaped, 429 retry_after honoured, a failed webhook retried from the outbox', {
  timeout: 90_000,
}, async () => {
  const tg = await startFakeTelegram();
  const hook = await startReceiver(1);
  setEnv({ AB_TEST_TG_TOKEN: tg.token, AB_TEST_HOOK_URL: hook.url, AB_TEST_HOOK_SECRET: 'hook-secret' });
  const { base } = await startTestServer();

  // Two registry models: a baseline that answers right, a candidate that answers wrong.
  const good = await startFakeOpenAI(() => 'yes');
  const bad = await startFakeOpenAI(() => 'no');
  const dirA = (await writeTinyModel({ seed: 1 })).dir;
  const dirB = (await writeTinyModel({ seed: 2 })).dir;
  const base1 = await api<{ id: string }>(
    base,
    'POST',
    '/registry/models/import',
    { path: dirA, name: 'base-model', owner: 'alice' },
    201,
  );
  const cand = await api<{ id: string }>(
    base,
    'POST',
    '/registry/models/import',
    { path: dirB, name: 'candidate', owner: 'alice' },
    201,
  );
  const epGood = await api<{ id: string }>(
    base,
    'POST',
    '/eval/endpoints',
    { name: 'good', baseUrl: good.baseUrl, model: 'fake' },
    201,
  );
  const epBad = await api<{ id: string }>(
    base,
    'POST',
    '/eval/endpoints',
    { name: 'bad', baseUrl: bad.baseUrl, model: 'fake' },
    201,
  );
  await api(base, 'PUT', `/eval/models/${base1.id}/binding`, { endpointId: epGood.id });
  await api(base, 'PUT', `/eval/models/${cand.id}/binding`, {
    endpointId: epBad.id,
    baselineModelId: base1.id,
  });

  const chat = await api<{ id: string }>(
    base,
    'POST',
    '/notify/channels',
    { name: 'team-chat', kind: 'telegram', chatId: 42, tokenEnv: 'AB_TEST_TG_TOKEN', apiRoot: tg.apiRoot },
    201,
  );
  const webhook = await api<{ id: string; target: string }>(
    base,
    'POST',
    '/notify/channels',
    { name: 'ops-hook', kind: 'webhook', urlEnv: 'AB_TEST_HOOK_URL', secretEnv: 'AB_TEST_HOOK_SECRET' },
    201,
  );
  expect(webhook.target).toBe('$AB_TEST_HOOK_URL');
  await api(
    base,
    'POST',
    '/notify/subscriptions',
    { channelId: chat.id, eventType: 'external-report', owner: 'alice' },
    201,
  );
  await api(
    base,
    'POST',
    '/notify/subscriptions',
    { channelId: chat.id, eventType: 'regression', modelId: cand.id },
    201,
  );
  await api(
    base,
    'POST',
    '/notify/subscriptions',
    { channelId: webhook.id, eventType: 'regression', modelId: cand.id },
    201,
  );

  // External report: long, with markup; the first send gets a 429 with retry_after 1.
  tg.failNext('sendMessage', {
    error_code: 429,
    description: 'Too Many Requests: retry after 1',
    parameters: { retry_after: 1 },
  });
  const content = `Findings <script>alert(1)</script> & "quotes"\n\n${'The model refuses benign requests. '.repeat(260)}`;
  const t0 = Date.now();
  const up = await api<{ published: PublishResult }>(
    base,
    'POST',
    `/notify/models/${cand.id}/reports`,
    { fileName: 'redteam<1>.md', content, note: 'Harsh: <b>read this</b>' },
    201,
  );
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  expect(up.published.deliveries).toMatchObject([{ status: 'sent', channel: 'telegram', target: '42' }]);
  const reportMessages = tg.chat(42);
  expect(reportMessages.length).toBeGreaterThanOrEqual(3);
  for (const m of reportMessages) expect(m.text.length).toBeLessThanOrEqual(4096);
  const shown = reportMessages.map((m) => m.text).join('');
  expect(shown).toContain('External report received for candidate@1');
  expect(shown).toContain('<script>alert(1)</script> & "quotes"');
  expect(shown).toContain('Harsh: <b>read this</b>');
  expect(tg.calls.filter((c) => c.method === 'sendMessage').length).toBe(reportMessages.length + 1);
  expect((await api<unknown[]>(base, 'GET', `/notify/models/${cand.id}/reports`)).length).toBe(1);

  // Regression: baseline 8/8 right, candidate 0/8 under the same contract.
  const rows = Array.from({ length: 8 }, (_, i) => ({ q: `is ${i} a number?`, a: 'yes' }));
  await api(base, 'POST', '/eval/tasks/import', { file: await writeToyTask('yesno', rows) }, 201);
  for (const modelId of [base1.id, cand.id]) {
    const { jobs } = await api<{ jobs: EvalJob[] }>(
      base,
      'POST',
      '/eval/runs',
      { targets: [{ modelId }], tasks: ['yesno'] },
      201,
    );
    await expect
      .poll(async () => (await api<EvalJob>(base, 'GET', `/eval/jobs/${jobs[0]?.id}`)).status, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe('succeeded');
  }
  await expect
    .poll(() => tg.chat(42).some((m) => m.text.includes('Regression: candidate@1')), { timeout: 10_000 })
    .toBe(true);
  const regression = tg.chat(42).find((m) => m.text.includes('Regression'));
  expect(regression?.text).toMatch(/difference: -1\.000/);

  // The webhook answered 400 the first time: failed in the outbox, then retried from it.
  let outbox: Delivery[] = [];
  await expect
    .poll(
      async () => {
        outbox = await api<Delivery[]>(base, 'GET', '/notify/deliveries?status=failed');
        return outbox.length;
      },
      { timeout: 10_000 },
    )
    .toBe(1);
  expect(outbox[0]).toMatchObject({
    channel: 'webhook',
    event: 'regression',
    errorCode: 'AB_NOTIFY_WEBHOOK_REJECTED',
  });
  const retried = await api<Delivery>(base, 'POST', `/notify/deliveries/${outbox[0]?.id}/retry`);
  expect(retried).toMatchObject({ status: 'sent', attempts: 2 });
  expect(hook.received).toHaveLength(1);
  expect(hook.received[0]?.headers['x-alignboard-signature']).toMatch(/^sha256=/);
  expect(JSON.stringify(hook.received[0]?.body)).toContain('Regression: candidate@1');
  const all = await api<Delivery[]>(base, 'GET', '/notify/deliveries');
  expect(JSON.stringify(all)).not.toContain(tg.token);
  expect(JSON.stringify(all)).not.toContain('hook-secret');
});
