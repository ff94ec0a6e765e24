import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startFakeArxiv } from '../helpers/fake-arxiv.js';
import { startFakeTelegram } from '../helpers/fake-telegram.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Runs the CLI in this process (the built binary may predate this checkout) and captures its output. */
async function run(args: string[]) {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'alignboard', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('alignboard papers', { timeout: 30_000 }, () => {
  test('fetch, rank, digest and post; post twice sends once; the token never shows', async () => {
    const canary = '424242:CANARY-cli-token';
    const arxiv = await startFakeArxiv({
      feeds: {
        'cs.CL': [
          {
            id: '2401.00001',
            title: 'Reward models & <RLHF>',
            abstract: 'Reward models.',
            authors: ['A B'],
            categories: ['cs.CL'],
          },
        ],
        'cs.LG': [
          {
            id: '2401.00002',
            title: 'Kernels',
            abstract: 'GPU kernels.',
            authors: ['C D'],
            categories: ['cs.LG'],
          },
        ],
      },
    });
    const tg = await startFakeTelegram({ token: canary });
    const dir = await makeTempDir();
    const configFile = path.join(dir, 'papers.yaml');
    await writeFile(
      configFile,
      [
        'categories: [cs.CL, cs.LG]',
        `arxiv: { rssBase: "${arxiv.base}", apiBase: "${arxiv.base}", minIntervalMs: 10, retryBaseMs: 10 }`,
        'hf: { enabled: false }',
        'language: en',
        `telegram: { chatId: "-100555", apiRoot: "${tg.apiRoot}" }`,
        'profile: { keywords: [reward model] }',
      ].join('\n'),
    );
    Object.assign(process.env, {
      ALIGNBOARD_DATA_DIR: dir,
      ALIGNBOARD_PAPERS_CONFIG: configFile,
      ALIGNBOARD_TELEGRAM_BOT_TOKEN: canary,
      ALIGNBOARD_LOG_LEVEL: 'info',
    });

    const fetched = await run(['papers', 'fetch', '--day', '2024-01-15']);
    expect(fetched).toMatchObject({ code: 0, out: '2 papers fetched for 2024-01-15\n' });
    const ranked = await run(['papers', 'rank', '--day', '2024-01-15', '--json']);
    expect(JSON.parse(ranked.out)).toMatchObject([
      { arxivId: '2401.00001', reasons: ['keyword "reward model" in title'] },
      { arxivId: '2401.00002' },
    ]);
    const built = await run(['papers', 'digest', '--day', '2024-01-15']);
    expect(built.out).toContain('digest 2024-01-15 (built, en): 2 papers');
    expect(tg.messages).toHaveLength(0);
    const posted = await run(['papers', 'post', '--day', '2024-01-15']);
    expect(posted.code).toBe(0);
    expect(posted.out).toContain('digest 2024-01-15 (posted, en)');
    expect(tg.chat(-100555)).toHaveLength(3);
    const again = await run(['papers', 'post', '--day', '2024-01-15']);
    expect(again.out).toBe('digest 2024-01-15: already-posted\n');
    expect(tg.chat(-100555)).toHaveLength(3);
    for (const r of [fetched, ranked, built, posted, again]) expect(r.out + r.err).not.toContain('CANARY');

    const bad = await run(['papers', 'post', '--day', 'tomorrow']);
    expect(bad).toMatchObject({ code: 2, err: expect.stringContaining('AB_INPUT_INVALID') });
  });
});
