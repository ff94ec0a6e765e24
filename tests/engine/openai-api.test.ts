import { rm } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { loadModelDir, scoreTokens } from '../../src/engine/index.js';
import { buildEngineServer } from '../../src/server/engine-api/index.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { loadOpenApi, validateAgainst } from './openapi-schema.js';

const spec = loadOpenApi(new URL('../../../shared/compat/openai/openapi.yaml', import.meta.url).pathname);
let app: FastifyInstance;
let base: string;
let dir: string;
let client: OpenAI;

beforeAll(async () => {
  ({ dir } = await writeTinyModel({ seed: 3, std: 0.2 }));
  app = await buildEngineServer({
    modelDir: dir,
    modelName: 'tiny',
    log: createLogger({ level: process.env.ENGINE_TEST_LOG ?? 'silent' }),
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 20_000 });
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

function expectValid(schema: string, value: unknown) {
  expect(validateAgainst(spec, schema, value), `${schema}: ${JSON.stringify(value).slice(0, 300)}`).toEqual(
    [],
  );
}

describe('OpenAI-compatible server with the official client', () => {
  test('models list', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['tiny']);
    expectValid('ListModelsResponse', await (await fetch(`${base}/v1/models`)).json());
  });

  test('chat completion with logprobs, n and seed', async () => {
    const req = {
      model: 'tiny',
      messages: [{ role: 'user' as const, content: 'Hello world!' }],
      max_tokens: 6,
      temperature: 0.9,
      seed: 11,
      n: 2,
      logprobs: true,
      top_logprobs: 3,
    };
    const res = await client.chat.completions.create(req);
    expectValid('CreateChatCompletionResponse', res);
    expect(res.choices).toHaveLength(2);
    expect(res.choices[0]?.logprobs?.content?.[0]?.top_logprobs).toHaveLength(3);
    expect(res.usage?.completion_tokens).toBeGreaterThan(0);
    const again = await client.chat.completions.create(req);
    expect(again.choices.map((c) => c.message.content)).toEqual(res.choices.map((c) => c.message.content));
  });

  test('chat streaming sends chunks then [DONE], and the text equals the non-streamed one', async () => {
    const req = {
      model: 'tiny',
      messages: [{ role: 'user' as const, content: 'One plus one' }],
      max_tokens: 8,
      temperature: 0,
    };
    const full = await client.chat.completions.create(req);
    const stream = await client.chat.completions.create({
      ...req,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expectValid('CreateChatCompletionStreamResponse', chunk);
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toBe(full.choices[0]?.message.content);
    expect(finish).toBe(full.choices[0]?.finish_reason);
  });

  test('completion, streamed and not, with stop and logprobs', async () => {
    const res = await client.completions.create({
      model: 'tiny',
      prompt: ['The quick', 'Hello'],
      max_tokens: 5,
      temperature: 0,
      logprobs: 2,
    });
    expectValid('CreateCompletionResponse', res);
    expect(res.choices).toHaveLength(2);
    expect(res.choices[0]?.logprobs?.tokens?.length).toBe(5);
    const stream = await client.completions.create({
      model: 'tiny',
      prompt: 'The quick',
      max_tokens: 5,
      temperature: 0,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) {
      // Streamed chunks carry finish_reason null until the last one (OpenAI and vLLM both do);
      // the schema, written for the final object, has no null there.
      const body = JSON.parse(JSON.stringify(chunk));
      for (const c of body.choices) c.finish_reason ??= 'length';
      expectValid('CreateCompletionResponse', body);
      text += chunk.choices[0]?.text ?? '';
    }
    expect(text).toBe(res.choices[0]?.text);
    const full = res.choices[0]?.text ?? '';
    const stop = full.slice(2, 4);
    const stopped = await client.completions.create({
      model: 'tiny',
      prompt: 'The quick',
      max_tokens: 5,
      temperature: 0,
      stop: [stop],
    });
    expect(stopped.choices[0]?.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
  });

  test('echo + logprobs returns per-prompt-token logprobs equal to the engine scoring', async () => {
    const prompt = 'Alignment is the art of making models do what we mean.';
    const res = await client.completions.create({
      model: 'tiny',
      prompt,
      max_tokens: 0,
      echo: true,
      logprobs: 1,
    });
    const loaded = await loadModelDir(dir);
    const ids = loaded.tokenizer?.encode(prompt) ?? [];
    const score = scoreTokens(loaded.model, ids, 1);
    const lp = res.choices[0]?.logprobs;
    expect(res.choices[0]?.text).toBe(prompt);
    expect(lp?.tokens).toHaveLength(ids.length);
    expect(lp?.token_logprobs?.[0]).toBeNull(); // vLLM's convention: the first token has no context
    for (let i = 1; i < ids.length; i++)
      expect(lp?.token_logprobs?.[i]).toBeCloseTo(score.logprobs[i] as number, 5);
    // OpenAI's schema has no null in token_logprobs; everything else must match it
    const body = JSON.parse(JSON.stringify(res));
    body.choices[0].logprobs.token_logprobs[0] = 0;
    body.choices[0].logprobs.top_logprobs[0] = {};
    expectValid('CreateCompletionResponse', body);
  });

  test('tokenize and detokenize as vLLM has them', async () => {
    const t = await (
      await fetch(`${base}/tokenize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'Hello world' }),
      })
    ).json();
    expect(t.count).toBe(t.tokens.length);
    expect(t.max_model_len).toBe(128);
    const d = await (
      await fetch(`${base}/detokenize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tokens: t.tokens }),
      })
    ).json();
    expect(d.prompt).toBe('Hello world');
  });

  test('concurrent requests queue and all complete', async () => {
    const results = await Promise.all(
      [1, 2, 3].map((seed) =>
        client.completions.create({ model: 'tiny', prompt: 'Hello', max_tokens: 4, seed, temperature: 1 }),
      ),
    );
    expect(results.every((r) => r.choices[0]?.finish_reason)).toBe(true);
  });
});

describe('errors in OpenAI shape, server keeps running', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  test.each([
    [
      'prompt longer than the context',
      { model: 'tiny', prompt: 'hello '.repeat(200) },
      400,
      'AB_ENGINE_INPUT',
      'prompt',
    ],
    [
      'bad temperature',
      { model: 'tiny', prompt: 'x', temperature: -1 },
      400,
      'AB_INPUT_INVALID',
      'temperature',
    ],
    ['missing prompt', { model: 'tiny' }, 400, 'AB_INPUT_INVALID', 'prompt'],
    [
      'token id out of range',
      { model: 'tiny', prompt: [1, 99999], max_tokens: 1 },
      400,
      'AB_ENGINE_INPUT',
      'tokens[1]',
    ],
  ])('%s', async (_name, body, status, code, param) => {
    const res = await post('/v1/completions', body);
    expect(res.status).toBe(status);
    const json = await res.json();
    expectValid('ErrorResponse', json);
    expect(json.error).toMatchObject({ code, param });
    const ok = await client.completions.create({ model: 'tiny', prompt: 'Hi', max_tokens: 1 });
    expect(ok.choices).toHaveLength(1);
  });

  test('the openai client surfaces the error message', async () => {
    await expect(client.completions.create({ model: 'tiny', prompt: 'hello '.repeat(200) })).rejects.toThrow(
      /context holds 128/,
    );
  });
});
