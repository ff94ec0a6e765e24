import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { sleep } from '../../src/common/async.js';
import { loadModelDir } from '../../src/engine/index.js';
import { BIN, freePort, ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tiny-model.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

test('alignboard engine init writes a model folder the engine loads', async () => {
  const root = await makeTempDir();
  dirs.push(root);
  const dir = join(root, 'tiny');
  const code = await main([
    'node',
    'alignboard',
    'engine',
    'init',
    dir,
    '--hidden',
    '16',
    '--layers',
    '1',
    '--vocab',
    '300',
  ]);
  expect(code).toBe(0);
  const loaded = await loadModelDir(dir);
  expect(loaded.config).toMatchObject({ C: 16, L: 1, tieWordEmbeddings: true });
  expect(loaded.tokenizer?.decode(loaded.tokenizer.encode('Hello there'))).toBe('Hello there');
});

test('alignboard engine serve on a missing folder exits 2 with a located error', async () => {
  const code = await main([
    'node',
    'alignboard',
    'engine',
    'serve',
    '--model',
    '/nonexistent/model',
    '--port',
    '0',
  ]);
  expect(code).toBe(2);
});

test('alignboard engine serve answers the official openai client: chat, streaming, echo + logprobs', {
  timeout: 90_000,
}, async () => {
  const root = await makeTempDir();
  dirs.push(root);
  const dir = join(root, 'tiny');
  expect(
    await main([
      'node',
      'alignboard',
      'engine',
      'init',
      dir,
      '--hidden',
      '16',
      '--layers',
      '1',
      '--vocab',
      '300',
    ]),
  ).toBe(0);
  const port = await freePort();
  const child = spawn(BIN, ['engine', 'serve', '--model', dir, '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const baseURL = `http://127.0.0.1:${port}/v1`;
    const started = Date.now();
    while (
      !(await fetch(`${baseURL}/models`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() - started > 30_000) throw new Error('engine serve did not answer within 30 s');
      await sleep(100);
    }
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, timeout: 30_000 });
    const { data: models } = await client.models.list();
    const model = models[0]?.id as string;
    const chat = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 4,
      seed: 1,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(chat.choices[0]?.logprobs?.content?.length).toBe(chat.usage?.completion_tokens);
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 4,
      seed: 1,
      stream: true,
    })) {
      streamed += chunk.choices[0]?.delta.content ?? '';
    }
    expect(streamed).toBe(chat.choices[0]?.message.content);
    const echo = await client.completions.create({
      model,
      prompt: 'Hello there',
      max_tokens: 0,
      echo: true,
      logprobs: 1,
    });
    const lps = echo.choices[0]?.logprobs?.token_logprobs ?? [];
    expect(lps.length).toBeGreaterThan(1);
    expect(lps.slice(1).every((x) => typeof x === 'number' && x <= 0)).toBe(true);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
});
