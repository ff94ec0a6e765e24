import { describe, expect, test } from 'vitest';
import { runDigest } from '../../src/papers/index.js';
import { startFakeArxiv } from '../helpers/fake-arxiv.js';
import { startFakeTelegram } from '../helpers/fake-telegram.js';
import { startTestServer } from '../helpers/server.js';
import { CHAT, tempStore, testConfig, testSender } from './setup.js';

const TITLE = '<img src=x onerror=alert(1)> & reward_models';

describe('/api/papers', { timeout: 30_000 }, () => {
  test('digests, one digest, search, profile and feedback; paper text comes back as data', async () => {
    const arxiv = await startFakeArxiv({
      feeds: {
        'cs.CL': [
          {
            id: '2401.00001',
            title: TITLE,
            abstract: 'Reward models.',
            authors: ['A B'],
            categories: ['cs.CL'],
          },
        ],
        'cs.LG': [],
      },
    });
    const tg = await startFakeTelegram();
    const store = await tempStore();
    await runDigest('2024-01-15', {
      store,
      config: testConfig(arxiv.base, { hf: { enabled: false } }),
      telegram: { sender: testSender(tg), chatId: CHAT },
    });
    const { base } = await startTestServer({ store });
    const get = async (path: string) => {
      const res = await fetch(`${base}/api/papers${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await get('/digests')).body).toMatchObject({ digests: [{ id: '2024-01-15', status: 'posted' }] });
    const day = await get('/digests/2024-01-15');
    expect(day.body).toMatchObject({
      entries: [{ arxivId: '2401.00001', title: TITLE, reasons: [expect.any(String)] }],
    });
    expect(await get('/digests/2024-01-16')).toMatchObject({
      status: 404,
      body: { code: 'AB_PAPERS_NOT_FOUND' },
    });
    expect(await get('/digests/yesterday')).toMatchObject({
      status: 400,
      body: { code: 'AB_INPUT_INVALID' },
    });
    expect((await get('/search?q=REWARD_MODELS')).body).toMatchObject({
      papers: [{ arxivId: '2401.00001' }],
    });
    expect((await get('/search?q=100%25')).body).toEqual({ papers: [] });

    const put = await fetch(`${base}/api/papers/profile`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keywords: ['reward model'], authors: ['A B'] }),
    });
    expect(await put.json()).toMatchObject({ keywords: ['reward model'], authors: ['A B'], liked: [] });
    const fb = await fetch(`${base}/api/papers/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arxivId: '2401.00001', kind: 'like' }),
    });
    expect(await fb.json()).toMatchObject({ keywords: ['reward model'], liked: ['2401.00001'] });
    const missing = await fetch(`${base}/api/papers/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arxivId: '9999.99999', kind: 'like' }),
    });
    expect(missing.status).toBe(404);
  });
});
