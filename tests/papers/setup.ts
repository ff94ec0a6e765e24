import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { onTestFinished } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { createTelegramSender, type TelegramSender } from '../../src/notify/index.js';
import { type PapersConfigInput, parsePapersConfig } from '../../src/papers/index.js';
import { buildEngineServer } from '../../src/server/engine-api/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { FAKE_BOT_INFO, type FakeTelegram } from '../helpers/fake-telegram.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

export const CHAT = '-1001234';

export async function tempStore(): Promise<Store> {
  const dir = await makeTempDir();
  const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'papers.db')}` });
  await store.migrate();
  onTestFinished(() => store.close());
  return store;
}

/** A pino logger whose lines the test can read. */
export function logSink() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ level: 'info', destination }), text: () => lines.join('') };
}

/** A config pointed at the local fakes, with arXiv's 3 s rule shrunk so tests run fast. */
export function testConfig(arxivBase: string, extra: Partial<PapersConfigInput> = {}) {
  return parsePapersConfig({
    categories: ['cs.CL', 'cs.LG'],
    arxiv: { rssBase: arxivBase, apiBase: arxivBase, minIntervalMs: 20, timeoutMs: 5000, retryBaseMs: 20 },
    hf: { baseUrl: arxivBase, timeoutMs: 5000, retryBaseMs: 20 },
    maxPapers: 5,
    ...extra,
  });
}

export function testSender(tg: FakeTelegram, messageLimit?: number): TelegramSender {
  return createTelegramSender({
    token: tg.token,
    apiRoot: tg.apiRoot,
    botInfo: FAKE_BOT_INFO,
    rate: { minIntervalMs: 0 },
    retry: { baseMs: 10, capMs: 50 },
    ...(messageLimit && { messageLimit }),
  });
}

/** The embedded engine's OpenAI-compatible server with a tiny random model (2048-token context: room for the prompt, quicker than 4096). */
export async function startTinyEngine(): Promise<{ baseURL: string; model: string }> {
  const { dir } = await writeTinyModel({ seed: 5, config: { max_position_embeddings: 2048 } });
  const app = await buildEngineServer({ modelDir: dir, modelName: 'tiny' });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { baseURL: `${base}/v1`, model: 'tiny' };
}
