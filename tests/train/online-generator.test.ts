import { afterEach, expect, test } from 'vitest';
import { type GenerationEvent, generateSamplesIter } from '../../src/train/online-generator.js';
import { startLatencyServer } from '../helpers/latency-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function collect(events: AsyncGenerator<GenerationEvent>): Promise<GenerationEvent[]> {
  const all: GenerationEvent[] = [];
  for await (const e of events) all.push(e);
  return all;
}

test('every prompt comes back once with n samples, and concurrency grows toward the server ceiling', {
  timeout: 20_000,
}, async () => {
  const server = await startLatencyServer({ concurrency: 8, perTokenMs: 1 });
  closers.push(() => server.app.close());
  const requests = Array.from({ length: 120 }, (_, i) => ({
    prompt: `p${i}`,
    n: 3,
    maxTokens: 20,
    temperature: 1,
  }));
  const events = await collect(
    generateSamplesIter(requests, { baseURL: server.baseURL, model: 'm', initialConcurrency: 1 }),
  );
  const samples = events.flatMap((e) => (e.type === 'samples' ? [e] : []));
  expect(samples.map((s) => s.index).sort((a, b) => a - b)).toEqual(requests.map((_, i) => i));
  expect(
    samples.every((s) => s.completions.length === 3 && s.completions.every((c) => c.tokens === 20)),
  ).toBe(true);
  const stats = events.flatMap((e) => (e.type === 'stats' ? [e] : []));
  expect(stats.length).toBeGreaterThan(2);
  expect(Math.max(...stats.map((s) => s.concurrency))).toBeGreaterThanOrEqual(8);
  expect(server.stats.maxActive).toBe(8);
});

test('a server that answers 429 beyond its ceiling makes the generator back off, and nothing is lost', {
  timeout: 20_000,
}, async () => {
  const server = await startLatencyServer({ concurrency: 4, perTokenMs: 1, rejectOverflow: true });
  closers.push(() => server.app.close());
  const requests = Array.from({ length: 60 }, (_, i) => ({
    prompt: `p${i}`,
    n: 1,
    maxTokens: 10,
    temperature: 0,
  }));
  const events = await collect(
    generateSamplesIter(requests, { baseURL: server.baseURL, model: 'm', initialConcurrency: 16 }),
  );
  expect(server.stats.rejected).toBeGreaterThan(0);
  const indices = events.flatMap((e) => (e.type === 'samples' ? [e.index] : []));
  expect(new Set(indices).size).toBe(60);
  expect(indices).toHaveLength(60);
});

test('a consumer that stops early leaves no request running', { timeout: 20_000 }, async () => {
  const server = await startLatencyServer({ concurrency: 4, perTokenMs: 20 });
  closers.push(() => server.app.close());
  const requests = Array.from({ length: 40 }, (_, i) => ({
    prompt: `p${i}`,
    n: 1,
    maxTokens: 10,
    temperature: 0,
  }));
  const started = performance.now();
  for await (const e of generateSamplesIter(requests, {
    baseURL: server.baseURL,
    model: 'm',
    initialConcurrency: 4,
  })) {
    if (e.type === 'samples') break;
  }
  // 40 requests at 4 x 200 ms would take 2 s; stopping after the first returns at once.
  expect(performance.now() - started).toBeLessThan(1500);
});
