import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/common/config.js';
import { ValidationError } from '../../src/common/errors.js';
import { createLogger } from '../../src/common/logger.js';
import { HealthSchema, sendEvents } from '../../src/server/index.js';
import { startTestServer } from '../helpers/server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('server', () => {
  test('/api/health reports status, version and the database', async () => {
    const { base } = await startTestServer();
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(200);
    const health = HealthSchema.parse(await res.json());
    expect(health.database).toMatchObject({ dialect: 'sqlite', migrations: expect.any(Number) });
    expect(health.database.migrations).toBeGreaterThan(0);
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('security headers are set by helmet', async () => {
    const { base } = await startTestServer();
    const res = await fetch(`${base}/api/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  test('/api/openapi.json is generated from route schemas', async () => {
    const { base } = await startTestServer({
      prepare: (app) =>
        app.post(
          '/api/test/things',
          {
            schema: {
              body: z.object({ name: z.string().min(2) }),
              response: { 200: z.object({ id: z.string() }) },
            },
          },
          async () => ({ id: 'x' }),
        ),
    });
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/health']?.get?.responses?.['200']).toBeDefined();
    expect(JSON.stringify(doc.paths['/api/test/things']?.post?.requestBody)).toContain('"minLength":2');
  });

  test('an invalid request returns 400 with the field path and reason', async () => {
    const { base } = await startTestServer({
      prepare: (app) =>
        app.post(
          '/api/test/models',
          {
            schema: {
              body: z.object({ name: z.string(), spec: z.object({ layers: z.number().int().positive() }) }),
            },
          },
          async () => ({ ok: true }),
        ),
    });
    const res = await fetch(`${base}/api/test/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'm', spec: { layers: -2 } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string; where: { field: string } };
    expect(body.code).toBe('AB_INPUT_INVALID');
    expect(body.where.field).toBe('body.spec.layers');
    expect(body.message).toMatch(/body\.spec\.layers.*>\s*0|body\.spec\.layers.*positive|too small/i);
  });

  test('malformed JSON is a 400 AB_INPUT_JSON, an AlignboardError keeps its code and location', async () => {
    const { base } = await startTestServer({
      prepare: (app) => {
        app.post('/api/test/echo', { schema: { body: z.object({ a: z.number() }) } }, async () => {
          throw new ValidationError('AB_TEST_BAD', 'bad row', { file: 'x.jsonl', line: 3, field: 'meta' });
        });
      },
    });
    const bad = await fetch(`${base}/api/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a": ',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'AB_INPUT_JSON' });
    const located = await fetch(`${base}/api/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a": 1}',
    });
    expect(located.status).toBe(400);
    expect(await located.json()).toMatchObject({
      code: 'AB_TEST_BAD',
      message: 'x.jsonl:3 field "meta": bad row',
      where: { file: 'x.jsonl', line: 3, field: 'meta' },
    });
  });

  test('an unexpected error is a bare 500 that leaks nothing', async () => {
    const { base } = await startTestServer({
      prepare: (app) => {
        app.get('/api/test/boom', async () => {
          throw new Error('db password is hunter2');
        });
      },
    });
    const res = await fetch(`${base}/api/test/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({ code: 'AB_INTERNAL' });
  });

  test('unknown API routes are JSON 404s', async () => {
    const { base } = await startTestServer();
    const res = await fetch(`${base}/api/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'AB_NOT_FOUND', message: 'no route GET /api/nope' });
  });

  test('secrets in request headers and logged objects are redacted', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: 'debug', destination: sink });
    const canary = 'sk-canary-7f3a9c';
    const { base } = await startTestServer({
      logger,
      prepare: (app) => {
        app.get('/api/test/log', async (req) => {
          req.log.info({ endpoint: { apiKey: canary }, token: canary }, 'configured');
          return { ok: true };
        });
      },
    });
    const res = await fetch(`${base}/api/test/log`, { headers: { authorization: `Bearer ${canary}` } });
    expect(res.status).toBe(200);
    const log = lines.join('');
    expect(log).toContain('configured');
    expect(log).not.toContain(canary);
  });

  test('sendEvents streams progress events as SSE and stops the source when the client leaves', async () => {
    let finalized = false;
    const { base } = await startTestServer({
      prepare: (app) => {
        app.get('/api/test/progress', async (_req, reply) => {
          async function* progress() {
            try {
              yield { type: 'started', total: 3 };
              for (let i = 1; i <= 3; i++) yield { type: 'item', done: i };
              yield { type: 'finished' };
            } finally {
              finalized = true;
            }
          }
          await sendEvents(reply, progress());
        });
      },
    });
    const res = await fetch(`${base}/api/test/progress`, { signal: AbortSignal.timeout(5000) });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text
      .trim()
      .split('\n\n')
      .map((block) =>
        Object.fromEntries(
          block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        ),
      );
    expect(events.map((e) => e.event)).toEqual(['started', 'item', 'item', 'item', 'finished']);
    expect(JSON.parse(events[3]?.data ?? '')).toEqual({ type: 'item', done: 3 });
    expect(finalized).toBe(true);
  });
});

test('loadConfig lists every bad variable at once', async () => {
  const dir = await makeTempDir();
  expect(() =>
    loadConfig({ ALIGNBOARD_DATA_DIR: dir, ALIGNBOARD_PORT: 'abc', ALIGNBOARD_LOG_LEVEL: 'loud' }),
  ).toThrowError(/ALIGNBOARD_PORT.*ALIGNBOARD_LOG_LEVEL/);
  expect(loadConfig({ ALIGNBOARD_DATA_DIR: dir }).databaseUrl).toBe(`sqlite:${dir}/alignboard.db`);
});
