import { describe, expect, test } from 'vitest';
import { createSummarizer, type DigestEvent, getDigest, runDigest } from '../../src/papers/index.js';
import { type FakeArxivSetup, type FixturePaper, startFakeArxiv } from '../helpers/fake-arxiv.js';
import { startFakeTelegram } from '../helpers/fake-telegram.js';
import { startFakeOpenAi } from './fake-openai-chat.js';
import { CHAT, logSink, tempStore, testConfig, testSender } from './setup.js';

const P: FixturePaper = {
  id: '2401.00001',
  title: 'Reward models',
  abstract: 'Reward models.',
  authors: ['A'],
  categories: ['cs.CL'],
};

describe('arXiv rate rule', { timeout: 20_000 }, () => {
  test('one request at a time, each starting at least minIntervalMs after the previous ended', async () => {
    const arxiv = await startFakeArxiv({ feeds: { 'cs.CL': [P], 'cs.LG': [], 'cs.AI': [] }, delayMs: 30 });
    const store = await tempStore();
    const config = testConfig(arxiv.base, {
      categories: ['cs.CL', 'cs.LG', 'cs.AI'],
      hf: { enabled: false },
    });
    config.arxiv.minIntervalMs = 200;
    await runDigest('2024-01-15', { store, config });
    const reqs = arxiv.requests;
    expect(reqs.map((r) => r.path.split('?')[0])).toEqual([
      '/rss/cs.CL',
      '/rss/cs.LG',
      '/rss/cs.AI',
      '/api/query',
    ]);
    expect(arxiv.maxInFlight).toBe(1);
    for (let i = 1; i < reqs.length; i++) {
      const gap = (reqs[i]?.startedAt ?? 0) - (reqs[i - 1]?.endedAt ?? 0);
      expect(gap, `gap before ${reqs[i]?.path}`).toBeGreaterThanOrEqual(190);
    }
    expect((await getDigest(store, '2024-01-15'))?.status).toBe('built');
  });
});

describe('a failure gives a logged reason and a digest that says what is missing', {
  timeout: 20_000,
}, () => {
  const cases: {
    name: string;
    setup: FakeArxivSetup;
    hfDown?: boolean;
    summaryStatus?: number;
    problem: RegExp;
    log: string;
    papers: number;
  }[] = [
    {
      name: 'malformed feed XML',
      setup: { feeds: { 'cs.CL': [P], 'cs.LG': '<rss><channel><item><title>broken</item></channel>' } },
      problem: /arXiv cs\.LG: .*malformed XML/,
      log: 'paper source failed',
      papers: 1,
    },
    {
      name: 'an empty day',
      setup: { feeds: { 'cs.CL': [], 'cs.LG': [] } },
      problem: /arXiv cs\.CL: the feed lists no papers today/,
      log: 'digest posted',
      papers: 0,
    },
    {
      name: 'an unreachable source',
      setup: { feeds: { 'cs.CL': [P], 'cs.LG': [] } },
      hfDown: true,
      problem: /Hugging Face Daily Papers: .*did not answer/,
      log: 'paper source failed',
      papers: 1,
    },
    {
      name: 'a source answering 503',
      setup: { feeds: { 'cs.CL': [P], 'cs.LG': [] }, fail: { '/rss/cs.LG': 503 } },
      problem: /arXiv cs\.LG: .*answered HTTP 503 after 3 attempt/,
      log: 'source retry',
      papers: 1,
    },
    {
      name: 'a summarizer error',
      setup: { feeds: { 'cs.CL': [P], 'cs.LG': [] } },
      summaryStatus: 500,
      problem: /summary of 2401\.00001: .*HTTP 500/,
      log: 'summary failed',
      papers: 1,
    },
  ];

  test.each(cases)('$name', async (c) => {
    const arxiv = await startFakeArxiv(c.setup);
    const tg = await startFakeTelegram();
    const store = await tempStore();
    const { log, text } = logSink();
    const config = testConfig(arxiv.base, {
      hf: c.hfDown ? { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000, retryBaseMs: 20 } : { enabled: false },
    });
    const fake = await startFakeOpenAi({
      reply: () =>
        c.summaryStatus
          ? { status: c.summaryStatus }
          : 'Problem: x. Method: y. Result: z. Why it matters: w.',
    });
    const events: DigestEvent[] = [];
    const { digest } = await runDigest(
      '2024-01-15',
      {
        store,
        config,
        log,
        summarizer: createSummarizer({
          baseURL: fake.baseURL,
          model: 'm',
          language: 'en',
          maxRetries: 0,
          log,
        }),
        telegram: { sender: testSender(tg), chatId: CHAT },
      },
      (e) => events.push(e),
    );
    expect(digest?.status).toBe('posted');
    expect(digest?.entries).toHaveLength(c.papers);
    expect(
      digest?.problems.some((p) => c.problem.test(p)),
      digest?.problems.join('\n'),
    ).toBe(true);
    const header = tg.chat(CHAT)[0]?.text ?? '';
    expect(header).toContain('Missing from this digest');
    expect(header).toMatch(c.problem);
    expect(text()).toContain(c.log);
    if (c.summaryStatus)
      expect(tg.chat(CHAT)[1]?.text).toMatch(
        /Summary unavailable: summary of 2401\.00001 failed \(HTTP 500\)/,
      );
  });

  test('a failed delivery is loud, kept, and resumed once on the next run', async () => {
    const arxiv = await startFakeArxiv({
      feeds: { 'cs.CL': [P, { ...P, id: '2401.00002', title: 'Second' }], 'cs.LG': [] },
    });
    const tg = await startFakeTelegram();
    const store = await tempStore();
    const { log, text } = logSink();
    const config = testConfig(arxiv.base, { hf: { enabled: false } });
    const deps = { store, config, log, telegram: { sender: testSender(tg), chatId: CHAT } };
    // Header and first paper go out, then Telegram refuses the second paper.
    tg.failOn('sendMessage', 3, { error_code: 400, description: 'Bad Request: chat not found' });
    await expect(runDigest('2024-01-15', deps)).rejects.toMatchObject({
      code: 'AB_PAPERS_DELIVERY_FAILED',
      message: expect.stringContaining('chat not found'),
    });
    expect(text()).toContain('digest delivery failed');
    const failed = await getDigest(store, '2024-01-15');
    expect(failed?.status).toBe('failed');
    expect(failed?.entries.map((e) => Boolean(e.postedAt))).toEqual([true, false]);

    const { digest } = await runDigest('2024-01-15', deps);
    expect(digest?.status).toBe('posted');
    expect(tg.chat(CHAT).map((m) => m.text.split('\n')[0])).toEqual([
      '📰 Paper digest — 2024-01-15 (2 papers)',
      '1. Reward models',
      '2. Second',
    ]);
  });
});
