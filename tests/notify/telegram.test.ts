import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { createTelegramSender, NotifyError, type NotifyMessage } from '../../src/notify/index.js';
import { FAKE_BOT_INFO, startFakeTelegram } from '../helpers/fake-telegram.js';

const TITLE = 'Scaling <RLHF> & reward_models: a_b test';

function logSink() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), text: () => lines.join('') };
}

const fast = { rate: { minIntervalMs: 0 }, retry: { baseMs: 10, capMs: 50 } };

describe('Telegram delivery through grammY against a local Bot API', { timeout: 20_000 }, () => {
  test('a long message with <, & and _ arrives split under 4096 and intact, buttons on the last part', async () => {
    const tg = await startFakeTelegram();
    const sender = createTelegramSender({
      token: tg.token,
      apiRoot: tg.apiRoot,
      botInfo: FAKE_BOT_INFO,
      ...fast,
    });
    const body = Array.from({ length: 120 }, (_, i) => `Paragraph ${i}: ${TITLE} — 요약 ${'x'.repeat(40)}`);
    const message: NotifyMessage = {
      paragraphs: [[{ bold: TITLE }], ...body.map((p) => [p])],
      buttons: [[{ text: '👍', data: 'pf:like:2401.00001' }]],
    };
    const sent = await sender.send(-100123, message);
    const got = tg.chat(-100123);
    expect(sent.parts).toBeGreaterThan(1);
    expect(got).toHaveLength(sent.parts);
    for (const m of got) expect(m.text.length).toBeLessThanOrEqual(4096);
    expect(got[0]?.text.startsWith(TITLE)).toBe(true);
    expect(got.map((m) => m.text).join('\n\n')).toBe([TITLE, ...body].join('\n\n'));
    expect(got.at(-1)?.reply_markup).toEqual({
      inline_keyboard: [[{ text: '👍', callback_data: 'pf:like:2401.00001' }]],
    });
    expect(got[0]?.reply_markup).toBeUndefined();
  });

  test('MarkdownV2 parse mode escapes the same title', async () => {
    const tg = await startFakeTelegram();
    const sender = createTelegramSender({
      token: tg.token,
      apiRoot: tg.apiRoot,
      botInfo: FAKE_BOT_INFO,
      parseMode: 'MarkdownV2',
      ...fast,
    });
    await sender.send(42, { paragraphs: [[{ bold: TITLE }, ' (v2.1)!']] });
    expect(tg.chat(42)[0]?.text).toBe(`${TITLE} (v2.1)!`);
  });

  test('a 429 with retry_after is waited out, then the message is sent once', async () => {
    const tg = await startFakeTelegram();
    const { log, text } = logSink();
    const sender = createTelegramSender({
      token: tg.token,
      apiRoot: tg.apiRoot,
      botInfo: FAKE_BOT_INFO,
      log,
      ...fast,
    });
    tg.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const sent = await sender.send(7, { paragraphs: [['hello']] });
    const tries = tg.calls.filter((c) => c.method === 'sendMessage');
    expect(tries).toHaveLength(2);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(sent.messageIds).toHaveLength(1);
    expect(tg.chat(7)).toHaveLength(1);
    expect(text()).toContain('telegram send retry');
  });

  test('a 400 fails at once with the API description; nothing is retried', async () => {
    const tg = await startFakeTelegram();
    const sender = createTelegramSender({
      token: tg.token,
      apiRoot: tg.apiRoot,
      botInfo: FAKE_BOT_INFO,
      ...fast,
    });
    tg.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found' });
    const err = await sender.send(9, { paragraphs: [['x']] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotifyError);
    expect(err).toMatchObject({ code: 'AB_NOTIFY_TELEGRAM_REJECTED', remote: { status: 400 } });
    expect((err as Error).message).toContain('chat not found');
    expect(tg.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(1);
  });

  test('per-chat pacing keeps messages to one chat apart', async () => {
    const tg = await startFakeTelegram();
    const sender = createTelegramSender({
      token: tg.token,
      apiRoot: tg.apiRoot,
      botInfo: FAKE_BOT_INFO,
      rate: { minIntervalMs: 150, groupPerMinute: 3, windowMs: 600 },
    });
    for (let i = 0; i < 4; i++) await sender.send(-5, { paragraphs: [[`m${i}`]] });
    const at = tg.chat(-5).map((m) => m.at);
    for (let i = 1; i < at.length; i++) expect((at[i] ?? 0) - (at[i - 1] ?? 0)).toBeGreaterThanOrEqual(120);
    // Group limit: the 4th message waits for the 1st to leave the 600 ms window.
    expect((at[3] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(560);
  });

  test('canary: the bot token never appears in errors or logs, whether rejected or unreachable', async () => {
    const canary = '987654:CANARY-secret-token-do-not-leak';
    const tg = await startFakeTelegram({ token: canary });
    const { log, text } = logSink();
    const wrong = createTelegramSender({
      token: `${canary}x`,
      apiRoot: tg.apiRoot,
      botInfo: FAKE_BOT_INFO,
      log,
      ...fast,
    });
    const e1 = await wrong.send(1, { paragraphs: [['x']] }).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'AB_NOTIFY_TELEGRAM_REJECTED', remote: { status: 401 } });
    await tg.app.close();
    const down = createTelegramSender({
      token: canary,
      apiRoot: tg.apiRoot,
      botInfo: FAKE_BOT_INFO,
      log,
      ...fast,
      retry: { maxRetries: 1, baseMs: 5 },
    });
    const e2 = await down.send(1, { paragraphs: [['x']] }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'AB_NOTIFY_UNREACHABLE', attempts: 2 });
    for (const e of [e1, e2]) {
      const all = `${(e as Error).message} ${(e as Error).stack} ${JSON.stringify(e)} ${String((e as Error).cause)}`;
      expect(all).not.toContain('CANARY');
    }
    expect(text()).toContain('telegram send retry');
    expect(text()).not.toContain('CANARY');
  });

  test('an apiRoot with a trailing slash is refused with the corrected value', () => {
    expect(() => createTelegramSender({ token: 't:1', apiRoot: 'http://127.0.0.1:1/' })).toThrow(
      /use "http:\/\/127.0.0.1:1"/,
    );
  });
});
