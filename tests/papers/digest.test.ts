import { describe, expect, test } from 'vitest';
import { createSummarizer, type DigestEvent, getDigest, runDigest } from '../../src/papers/index.js';
import { type FixturePaper, startFakeArxiv } from '../helpers/fake-arxiv.js';
import { startFakeTelegram } from '../helpers/fake-telegram.js';
import { CHAT, logSink, startTinyEngine, tempStore, testConfig, testSender } from './setup.js';

const TRICKY = 'Preference <Optimization> & reward_model gaps: DPO_v2 vs RLHF';
const A: FixturePaper = {
  id: '2401.10001',
  title: TRICKY,
  abstract: 'We compare direct preference optimization with RLHF on reward model benchmarks.',
  authors: ['Alice Kim', 'Bob Lee'],
  categories: ['cs.CL', 'cs.LG'],
};
const B: FixturePaper = {
  id: '2401.10002',
  title: 'Protein folding with diffusion',
  abstract: 'Biology.',
  authors: ['C D'],
  categories: ['cs.CL'],
};
const C: FixturePaper = {
  id: '2401.10003',
  title: 'Scaling laws for reward models',
  abstract: 'Reward model scaling.',
  authors: ['E F'],
  categories: ['cs.LG', 'cs.CL'],
};
const D: FixturePaper = {
  id: '2312.09999',
  version: 3,
  title: 'An old paper, revised',
  abstract: 'Revised.',
  authors: ['G H'],
  categories: ['cs.CL'],
  announce: 'replace',
};

function feedDay() {
  return {
    feeds: {
      'cs.CL': [A, B, { ...C, announce: 'cross' as const }, D],
      'cs.LG': [C, { ...A, announce: 'cross' as const }],
    },
    hf: [
      { id: A.id, title: A.title, summary: A.abstract, authors: A.authors, upvotes: 50 },
      {
        id: '2401.20001',
        title: 'Reward hacking in the wild',
        summary: 'Reward hacking study.',
        authors: ['H I'],
        upvotes: 12,
      },
    ],
  };
}

describe('paper digest end to end against local arXiv, HF, engine and Telegram', { timeout: 60_000 }, () => {
  test('one digest, each paper once, ranked with reasons, summarized by the engine in ko, posted split and escaped; 429 honoured', async () => {
    const arxiv = await startFakeArxiv(feedDay());
    const engine = await startTinyEngine();
    const tg = await startFakeTelegram();
    const store = await tempStore();
    const { log, text } = logSink();
    const config = testConfig(arxiv.base, {
      language: 'ko',
      profile: {
        keywords: ['preference optimization', 'reward model'],
        authors: ['Alice Kim'],
        categories: ['cs.CL'],
      },
    });
    tg.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const events: DigestEvent[] = [];
    const { digest } = await runDigest(
      '2024-01-15',
      {
        store,
        config,
        log,
        summarizer: createSummarizer({
          baseURL: engine.baseURL,
          model: engine.model,
          language: 'ko',
          maxTokens: 24,
          log,
        }),
        telegram: { sender: testSender(tg, 250), chatId: CHAT },
      },
      (e) => events.push(e),
    );
    if (!digest) throw new Error('no digest');

    // Each paper once: A is new in cs.CL, a cross-list in cs.LG and on HF; C is new in cs.LG and a cross-list in cs.CL.
    const ids = digest.entries.map((e) => e.arxivId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(['2401.10001', '2401.10002', '2401.10003', '2401.20001']);
    expect(ids).not.toContain(D.id); // a replacement of a paper never posted is not news
    // Ranked with reasons, best first.
    const ranked = digest.entries.map((e) => e.arxivId);
    expect(ranked[0]).toBe(A.id);
    expect(digest.entries[0]?.reasons).toEqual(
      expect.arrayContaining([
        'keyword "preference optimization" in abstract',
        'author Alice Kim',
        '50 upvotes on Hugging Face',
      ]),
    );
    for (const e of digest.entries) expect(e.reasons.length).toBeGreaterThan(0);
    const scores = digest.entries.map((e) => e.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // Summarized by the engine's server; the language tag is the configured one, and a tiny model's
    // text that is not Korean is marked, never passed off as Korean.
    expect(digest.language).toBe('ko');
    for (const e of digest.entries) {
      expect({ arxivId: e.arxivId, summaryError: e.summaryError }).toEqual({
        arxivId: e.arxivId,
        summaryError: null,
      });
      expect(e.summary?.length).toBeGreaterThan(0);
      expect(['ok', 'wrong-language']).toContain(e.summaryStatus);
    }
    expect(text()).toContain('"promptTokens"');

    // Posted: header plus one message per paper, each split under the limit and parsed by the fake as Telegram would.
    const chat = tg.chat(CHAT);
    expect(digest.status).toBe('posted');
    expect(events.filter((e) => e.type === 'posted')).toHaveLength(1 + digest.entries.length);
    for (const m of chat) expect(m.raw.length).toBeLessThanOrEqual(250);
    expect(chat.length).toBeGreaterThan(1 + digest.entries.length); // split happened
    expect(chat.some((m) => m.text.includes(`1. ${TRICKY}`))).toBe(true);
    expect(chat.some((m) => m.raw.includes('Preference &lt;Optimization&gt; &amp; reward_model'))).toBe(true);
    const buttons = chat.filter((m) => m.reply_markup).map((m) => JSON.stringify(m.reply_markup));
    expect(buttons).toHaveLength(digest.entries.length);
    expect(buttons[0]).toContain(`pf:like:${A.id}`);
    // The 429 was waited out: the retried call came at least retry_after later.
    const sends = tg.calls.filter((c) => c.method === 'sendMessage');
    expect(sends.length).toBe(chat.length + 1);
    expect((sends[1]?.at ?? 0) - (sends[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);

    // Run again the same day: nothing is posted twice.
    const again = await runDigest('2024-01-15', {
      store,
      config,
      telegram: { sender: testSender(tg), chatId: CHAT },
    });
    expect(again.skipped).toBe('already-posted');
    // Next day with the same papers still in the feeds: dedupe across runs is persisted.
    const next = await runDigest('2024-01-16', {
      store,
      config,
      telegram: { sender: testSender(tg), chatId: CHAT },
    });
    expect(next.digest?.entries).toEqual([]);
    expect(tg.chat(CHAT).length).toBe(chat.length + 1); // only the "no new papers" header
    expect(tg.chat(CHAT).at(-1)?.text).toContain('새 논문이 없습니다');
  });

  test('a new version of a posted paper is posted again only when configured, marked as updated', async () => {
    const arxiv = await startFakeArxiv({ feeds: { 'cs.CL': [B], 'cs.LG': [] } });
    const tg = await startFakeTelegram();
    const store = await tempStore();
    const telegram = { sender: testSender(tg), chatId: CHAT };
    const config = testConfig(arxiv.base, { hf: { enabled: false } });
    await runDigest('2024-01-15', { store, config, telegram });
    arxiv.setup.feeds = { 'cs.CL': [{ ...B, version: 2, announce: 'replace' }], 'cs.LG': [] };
    expect((await runDigest('2024-01-16', { store, config, telegram })).digest?.entries).toEqual([]);
    const withVersions = testConfig(arxiv.base, { hf: { enabled: false }, notifyNewVersions: true });
    const d = await runDigest('2024-01-17', { store, config: withVersions, telegram });
    expect(d.digest?.entries.map((e) => [e.arxivId, e.version, e.reasons[0]])).toEqual([
      [B.id, 2, 'new version v2 of a paper posted before'],
    ]);
    expect((await getDigest(store, '2024-01-15'))?.entries[0]?.version).toBe(1);
  });
});
