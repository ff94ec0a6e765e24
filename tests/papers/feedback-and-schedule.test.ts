import { Bot } from 'grammy';
import { describe, expect, test } from 'vitest';
import {
  attachPaperBot,
  createDigestScheduler,
  getProfile,
  latestDueDay,
  type PapersConfig,
  runDigest,
} from '../../src/papers/index.js';
import type { Store } from '../../src/store/index.js';
import { type FixturePaper, startFakeArxiv } from '../helpers/fake-arxiv.js';
import { FAKE_BOT_INFO, type FakeTelegram, startFakeTelegram } from '../helpers/fake-telegram.js';
import { CHAT, tempStore, testConfig, testSender } from './setup.js';

const paper = (id: string, title: string, abstract: string): FixturePaper => ({
  id,
  title,
  abstract,
  authors: ['N N'],
  categories: ['cs.CL'],
});

const DAY1 = [
  paper(
    '2401.00001',
    'Constitutional critiques for harmless assistants',
    'self critique revision harmlessness constitution principles',
  ),
];
const DAY2 = [
  paper(
    '2401.00010',
    'Sparse attention kernels for long context',
    'attention kernels sparse memory long context throughput',
  ),
  paper(
    '2401.00011',
    'Critique and revision with a constitution',
    'self critique revision harmlessness constitution principles assistants',
  ),
];

/** A callback-query update as Telegram delivers it when a user taps an inline button. */
function tap(data: string, messageId: number) {
  return {
    update_id: 1000 + messageId,
    callback_query: {
      id: `cb${messageId}`,
      from: { id: 77, is_bot: false, first_name: 'Tester' },
      chat_instance: 'ci',
      data,
      message: {
        message_id: messageId,
        date: 0,
        chat: { id: Number(CHAT), type: 'supergroup' as const, title: 'team' },
      },
    },
  };
}

async function dayTwoOrder(
  store: Store,
  tg: FakeTelegram,
  config: PapersConfig,
  like: boolean,
): Promise<string[]> {
  const arxiv = await startFakeArxiv({ feeds: { 'cs.CL': DAY1, 'cs.LG': [] } });
  const cfg = { ...config, arxiv: { ...config.arxiv, rssBase: arxiv.base, apiBase: arxiv.base } };
  const sender = testSender(tg);
  await runDigest('2024-01-15', { store, config: cfg, telegram: { sender, chatId: CHAT } });
  if (like) {
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot }, botInfo: FAKE_BOT_INFO });
    attachPaperBot(bot, { store, sender, initialProfile: cfg.profile });
    await bot.handleUpdate(tap('pf:like:2401.00001', 2));
  }
  arxiv.setup.feeds = { 'cs.CL': DAY2, 'cs.LG': [] };
  const { digest } = await runDigest('2024-01-16', {
    store,
    config: cfg,
    telegram: { sender, chatId: CHAT },
  });
  return digest?.entries.map((e) => e.arxivId) ?? [];
}

describe('feedback and schedule', { timeout: 30_000 }, () => {
  test('a 👍 callback updates the profile and changes the next day ranking', async () => {
    const tg = await startFakeTelegram();
    const config = testConfig('http://127.0.0.1:1', {
      hf: { enabled: false },
      profile: { keywords: ['attention'] },
    });
    const without = await dayTwoOrder(await tempStore(), tg, config, false);
    const store = await tempStore();
    const withLike = await dayTwoOrder(store, tg, config, true);
    expect(without).toEqual(['2401.00010', '2401.00011']);
    expect(withLike).toEqual(['2401.00011', '2401.00010']);
    expect((await getProfile(store, config.profile)).liked).toEqual(['2401.00001']);
    const answer = tg.calls.find((c) => c.method === 'answerCallbackQuery');
    expect(answer?.body).toMatchObject({ callback_query_id: 'cb2', text: expect.stringContaining('👍') });
  });

  test('/search and /topics answer in the chat through the same sender', async () => {
    const tg = await startFakeTelegram();
    const store = await tempStore();
    const arxiv = await startFakeArxiv({ feeds: { 'cs.CL': DAY2, 'cs.LG': [] } });
    const config = testConfig(arxiv.base, {
      hf: { enabled: false },
      profile: { keywords: ['RLHF & <safety>'] },
    });
    const sender = testSender(tg);
    await runDigest('2024-01-15', { store, config, telegram: { sender, chatId: CHAT } });
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot }, botInfo: FAKE_BOT_INFO });
    attachPaperBot(bot, { store, sender, initialProfile: config.profile });
    const command = (text: string, id: number) => ({
      update_id: id,
      message: {
        message_id: id,
        date: 0,
        chat: { id: 42, type: 'private' as const, first_name: 'T' },
        from: { id: 42, is_bot: false, first_name: 'T' },
        text,
        entities: [{ type: 'bot_command' as const, offset: 0, length: text.split(' ')[0]?.length ?? 0 }],
      },
    });
    await bot.handleUpdate(command('/search constitution', 1));
    await bot.handleUpdate(command('/topics', 2));
    await bot.handleUpdate(command('/digest', 3));
    const [search, topics, digest] = tg.chat(42);
    expect(search?.text).toContain('Critique and revision with a constitution');
    expect(search?.text).not.toContain('Sparse attention');
    expect(topics?.text).toContain('Keywords: RLHF & <safety>');
    expect(digest?.text).toContain('2024-01-15');
  });

  test('restarting inside the digest window does not post twice; after downtime the missed digest is posted once', async () => {
    const tg = await startFakeTelegram();
    const store = await tempStore();
    const arxiv = await startFakeArxiv({ feeds: { 'cs.CL': DAY2, 'cs.LG': [] } });
    const config = testConfig(arxiv.base, { hf: { enabled: false } });
    const sender = testSender(tg);
    const runs: string[] = [];
    const run = (day: string) => {
      runs.push(day);
      return runDigest(day, { store, config, telegram: { sender, chatId: CHAT } });
    };
    // 08:00 in Seoul is 23:00 UTC the day before.
    const at = (iso: string) => () => new Date(iso);
    const scheduler = (now: () => Date) =>
      createDigestScheduler({ time: '08:00', timezone: 'Asia/Seoul', store, run, now });

    const first = scheduler(at('2024-01-14T23:00:30Z')); // 08:00:30 KST on the 15th
    await first.start();
    await first.stop();
    const posted = tg.chat(CHAT).length;
    expect(posted).toBe(3); // header + two papers
    const restarted = scheduler(at('2024-01-14T23:02:00Z'));
    await restarted.start();
    await restarted.stop();
    expect(tg.chat(CHAT)).toHaveLength(posted);
    expect(runs).toEqual(['2024-01-15']);

    // Down from before 08:00 on the 16th until 10:30: the missed digest is posted on start, once.
    arxiv.setup.feeds = { 'cs.CL': [paper('2401.00020', 'A new day', 'fresh')], 'cs.LG': [] };
    const late = scheduler(at('2024-01-16T01:30:00Z'));
    await late.start();
    // croner schedules on the real clock: the next run is 08:00 Seoul, 23:00 UTC.
    expect(late.nextRun()?.toISOString()).toMatch(/T23:00:00\.000Z$/);
    await late.stop();
    const again = scheduler(at('2024-01-16T01:31:00Z'));
    await again.start();
    await again.stop();
    expect(runs).toEqual(['2024-01-15', '2024-01-16']);
    expect(tg.chat(CHAT).filter((m) => m.text.includes('A new day'))).toHaveLength(2); // header line + paper message
    expect(latestDueDay(new Date('2024-01-15T22:59:00Z'), '08:00', 'Asia/Seoul')).toBe('2024-01-15');
  });
});
