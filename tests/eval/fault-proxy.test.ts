import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { evaluate } from '../../src/eval/run-eval.js';
import { TaskSpecSchema } from '../../src/eval/schemas.js';
import { listSampleRecords } from '../../src/eval/summarize-run.js';
import { createStore } from '../../src/store/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startEngine } from './engine.js';

/**
 * A proxy on 127.0.0.1 in front of the engine that spoils every other POST in turn: a 429 with
 * retry-after, a 500, a hang past the client's timeout, and a 200 with broken JSON.
 */
async function startFaultProxy(
  target: string,
): Promise<{ baseUrl: string; faults: () => number; total: () => number }> {
  let n = 0;
  let faults = 0;
  const hanging = new Set<() => void>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const i = req.method === 'POST' ? n++ : -1;
    const kind = i >= 0 && i % 2 === 0 ? (i / 2) % 4 : -1;
    if (kind >= 0) faults++;
    if (kind === 0)
      return res
        .writeHead(429, { 'retry-after': '0.05', 'content-type': 'application/json' })
        .end('{"error":{"message":"slow down"}}');
    if (kind === 1)
      return res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
    if (kind === 2) {
      // Never answers; the client's per-request timeout fires. Ended when the test closes.
      hanging.add(() => res.destroy());
      return;
    }
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: { 'content-type': 'application/json' },
      ...(req.method === 'POST' && { body: Buffer.concat(chunks) }),
    });
    const text = await upstream.text();
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(kind === 3 ? text.slice(0, Math.floor(text.length / 2)) : text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(async () => {
    for (const h of hanging) h();
    await new Promise((r) => server.close(r));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, faults: () => faults, total: () => n };
}

test('faults in ≥ 20% of requests (429 + retry-after, 500, timeouts, broken JSON): same scores as a clean run', {
  timeout: 60_000,
}, async () => {
  const engine = await startEngine();
  const proxy = await startFaultProxy(engine.baseUrl.replace(/\/v1$/, ''));
  const dir = await makeTempDir();
  const rows = Array.from({ length: 8 }, (_, i) => ({ q: `${i}+1`, a: String(i + 1) }));
  await writeFile(path.join(dir, 'test.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  const task = TaskSpecSchema.parse({
    format: 'alignboard-task/1',
    name: 'toy',
    outputType: 'generate_until',
    dataset: { path: dir, testSplit: 'test' },
    docToText: 'Q: {{q}}\nA:',
    docToTarget: '{{a}}',
    generation: { maxTokens: 4 },
    filters: [
      { name: 'first-number', steps: [{ function: 'regex', pattern: '(\\d+)' }, { function: 'take_first' }] },
    ],
    metrics: [{ metric: 'exact_match' }],
  });
  const caps = {
    chat: true,
    completions: true,
    generatedLogprobs: true,
    promptLogprobs: true,
    promptLogprobsReason: null,
    maxContext: 4096,
    server: 'alignboard' as const,
    models: ['tiny'],
    probedAt: '',
  };
  const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'a.db')}` });
  await store.migrate();
  onTestFinished(() => store.close());
  const clean = await evaluate(
    { task, endpoint: { name: 'clean', ...engine, capabilities: caps } },
    { store, useCache: false },
  );
  const faulty = await evaluate(
    { task, endpoint: { name: 'faulty', baseUrl: proxy.baseUrl, model: engine.model, capabilities: caps } },
    { store, useCache: false, timeoutMs: 1000, backoffMs: 10, concurrency: { start: 4, max: 4 } },
  );
  expect(proxy.faults() / proxy.total()).toBeGreaterThanOrEqual(0.2);
  expect(faulty.status).toBe('finished');
  const a = await listSampleRecords(store, clean.runId);
  const b = await listSampleRecords(store, faulty.runId);
  expect(b.map((r) => [r.index, r.responses, r.scores])).toEqual(
    a.map((r) => [r.index, r.responses, r.scores]),
  );
  expect(faulty.summary.metrics).toEqual(clean.summary.metrics);
});
