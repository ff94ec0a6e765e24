import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { expect, onTestFinished, test } from 'vitest';
import { loadConfig } from '../../src/common/config.js';
import { createLogger } from '../../src/common/logger.js';
import {
  addEndpoint,
  getEndpoint,
  probeAndSaveEndpoint,
  resolveEndpointTarget,
} from '../../src/eval/endpoints.js';
import { type EvalEvent, evaluateIter } from '../../src/eval/run-eval.js';
import { TaskSpecSchema } from '../../src/eval/schemas.js';
import { buildEngineServer } from '../../src/server/engine-api/index.js';
import { buildServer } from '../../src/server/index.js';
import { createStore } from '../../src/store/index.js';
import { freePort, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

const KEY_ENV = 'ALIGNBOARD_TEST_CANARY_KEY';

/** Every file under `dir`, read as bytes-as-text (SQLite pages, its WAL, written JSON). */
async function readTree(dir: string): Promise<string> {
  let text = '';
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) text += (await readFile(path.join(e.parentPath, e.name))).toString('latin1');
  return text;
}

test('a canary API key reaches the endpoint but no log line, error, event, stored row or CLI output', {
  timeout: 90_000,
}, async () => {
  const canary = `sk-canary-${randomUUID()}`;
  const env = { [KEY_ENV]: canary };

  // The real engine, which here insists on the key, so the canary provably travels.
  const { dir: modelDir } = await writeTinyModel({ seed: 1 });
  const engine = await buildEngineServer({ modelDir, modelName: 'tiny' });
  let authorized = 0;
  engine.addHook('onRequest', async (req, reply) => {
    if (req.headers.authorization !== `Bearer ${canary}`)
      return reply.status(401).send({ error: { message: 'no key', type: 'auth', param: null, code: null } });
    authorized++;
  });
  const engineBase = `${await engine.listen({ host: '127.0.0.1', port: 0 })}/v1`;
  onTestFinished(() => engine.close());
  // A server that rejects every key and echoes it back in the error body, as some gateways do.
  const leaky = Fastify();
  leaky.all('/*', async (req, reply) =>
    reply.status(401).send({
      error: { message: `Incorrect API key provided: ${req.headers.authorization?.slice(7)}`, type: 'auth' },
    }),
  );
  const leakyBase = `${await leaky.listen({ host: '127.0.0.1', port: 0 })}/v1`;
  onTestFinished(() => leaky.close());
  const deadBase = `http://127.0.0.1:${await freePort()}/v1`;

  const dataDir = await makeTempDir();
  await writeFile(
    path.join(dataDir, 'test.jsonl'),
    ['{"q":"1+1","a":"2"}', '{"q":"2+3","a":"5"}'].join('\n'),
  );
  const taskFile = path.join(dataDir, 'toy.yaml');
  await writeFile(
    taskFile,
    'format: alignboard-task/1\nname: canary\noutputType: generate_until\ndataset: { path: ., testSplit: test }\ndocToText: "Q: {{q}}\\nA:"\ndocToTarget: "{{a}}"\ngeneration: { maxTokens: 3 }\nmetrics: [{ metric: exact_match }]\n',
  );
  const dbFile = path.join(dataDir, 'alignboard.db');
  const store = createStore({ databaseUrl: `sqlite:${dbFile}` });
  await store.migrate();
  onTestFinished(() => store.close());
  for (const [name, baseUrl] of [
    ['engine', engineBase],
    ['leaky', leakyBase],
    ['dead', deadBase],
  ] as const)
    await addEndpoint(store, { name, baseUrl, model: 'tiny', apiKeyEnv: KEY_ENV });

  // In process, with a trace-level pino logger captured.
  const logLines: string[] = [];
  const log = createLogger({
    level: 'trace',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    }),
  });
  const seen: unknown[] = [];
  const task = TaskSpecSchema.parse({
    format: 'alignboard-task/1',
    name: 'canary',
    outputType: 'generate_until',
    dataset: { path: dataDir, testSplit: 'test' },
    docToText: 'Q: {{q}}\nA:',
    docToTarget: '{{a}}',
    generation: { maxTokens: 3 },
    metrics: [{ metric: 'exact_match' }],
  });
  const run = async (name: string) => {
    const e = await getEndpoint(store, name);
    const events: EvalEvent[] = [];
    try {
      for await (const ev of evaluateIter(
        { task, endpoint: { ...resolveEndpointTarget(e, env), id: e.id, capabilities: e.capabilities } },
        { store, log, timeoutMs: 2000, maxAttempts: 2, backoffMs: 10 },
      ))
        events.push(ev);
    } catch (err) {
      seen.push(err, (err as Error).message, (err as Error).stack, (err as Error).cause);
    }
    seen.push(events);
    return events;
  };
  seen.push(await probeAndSaveEndpoint(store, 'engine', { env, log }));
  for (const name of ['leaky', 'dead'])
    await probeAndSaveEndpoint(store, name, { env, log }).catch((err: Error) => {
      seen.push(err, err.message, err.stack, err.cause);
    });
  const good = await run('engine');
  expect(good.at(-1)).toMatchObject({ type: 'finished', status: 'finished' });
  // With capabilities known, the leaky endpoint's 401 is met per sample.
  await store.db
    .updateTable('eval_endpoints')
    .set({ capabilities: JSON.stringify((await getEndpoint(store, 'engine')).capabilities) })
    .where('name', '=', 'leaky')
    .execute();
  const bad = await run('leaky');
  expect(bad.filter((e) => e.type === 'sample-failed')).toHaveLength(2);
  await run('dead');

  // Through the CLI, as a user runs it.
  const cliEnv = { ...env, ALIGNBOARD_DATA_DIR: dataDir, ALIGNBOARD_DATABASE_URL: `sqlite:${dbFile}` };
  const cli = [
    await runCli(['eval', 'endpoint', 'probe', 'engine', '--json'], cliEnv),
    await runCli(
      ['eval', 'run', '--endpoint', 'engine', '--task', taskFile, '--timeout', '2000', '--json'],
      cliEnv,
    ),
    await runCli(['eval', 'endpoint', 'probe', 'leaky'], cliEnv),
  ];
  expect(cli.map((r) => r.code)).toEqual([0, 0, 1]);
  expect(cli[2]?.stderr).toMatch(/AB_EVAL_ENDPOINT_STATUS.*401: .*Incorrect API key provided: \[redacted\]/);

  // Through the server's API, where /api/eval is registered (another issue is adding it).
  const responses: string[] = [];
  const previousKey = process.env[KEY_ENV];
  process.env[KEY_ENV] = canary;
  try {
    const app = await buildServer({
      config: loadConfig({ ALIGNBOARD_DATA_DIR: dataDir }),
      store,
      logger: log,
    });
    try {
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const call = async (method: string, url: string) => {
        const res = await fetch(`${base}${url}`, { method, signal: AbortSignal.timeout(20_000) });
        const text = await res.text();
        let headers = '';
        res.headers.forEach((v, k) => {
          headers += `${k}: ${v}\n`;
        });
        responses.push(`${res.status}\n${headers}${text}`);
        return { status: res.status, text };
      };
      if ((await call('GET', '/api/eval/endpoints')).status === 404) {
        console.warn('secrets canary: /api/eval is not registered yet; API responses not checked');
      } else {
        for (const name of ['engine', 'leaky', 'dead']) {
          const { id } = await getEndpoint(store, name);
          await call('POST', `/api/eval/endpoints/${id}/probe`);
          await call('GET', `/api/eval/endpoints/${id}`);
        }
        expect(responses.some((r) => r.startsWith('502') && r.includes('AB_EVAL_ENDPOINT_STATUS'))).toBe(
          true,
        );
      }
    } finally {
      await app.close();
    }
  } finally {
    if (previousKey === undefined) delete process.env[KEY_ENV];
    else process.env[KEY_ENV] = previousKey;
  }

  expect(authorized).toBeGreaterThan(0);
  const where: Record<string, string> = {
    'API responses': responses.join('\n'),
    logs: logLines.join(''),
    'errors and events': JSON.stringify(seen, (_k, v: unknown) =>
      v instanceof Error ? { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v,
    ),
    'stored rows and files': await readTree(dataDir),
    'CLI output': cli.map((r) => r.stdout + r.stderr).join('\n'),
  };
  expect(where.logs).toMatch(/eval finished/);
  expect(where['errors and events']).toMatch(/AB_EVAL_ENDPOINT_UNREACHABLE/);
  const leaks = Object.entries(where)
    .filter(([, text]) => text.includes(canary) || text.includes(canary.slice(10)))
    .map(([k]) => k);
  expect(leaks).toEqual([]);
});
