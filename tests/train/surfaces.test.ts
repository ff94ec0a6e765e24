import { beforeAll, expect, onTestFinished, test } from 'vitest';
import { loadConfig } from '../../src/common/config.js';
import { setEngineThreads } from '../../src/engine/index.js';
import { startTestServer } from '../helpers/server.js';
import { dpoRecipe, makeRunWorld } from './run-world.js';

// The engine's matmul worker pool does not start under vitest's transform; one thread suffices here.
beforeAll(() => setEngineThreads(1));

/** Reads server-sent events until one named `stop` arrives; returns every event's name and data. */
async function readEvents(url: string, stop: string): Promise<{ event: string; data: unknown }[]> {
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream' },
    signal: AbortSignal.timeout(50_000),
  });
  const out: { event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let i = buf.indexOf('\n\n');
    while (i >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? '';
      const data = frame
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data) out.push({ event, data: JSON.parse(data) });
      if (event === stop || event === 'error') return out;
      i = buf.indexOf('\n\n');
    }
  }
  return out;
}

test('/api/train: preflight, refusal, a run driven by the server worker with live events, metrics and its model', {
  timeout: 60_000,
}, async () => {
  const world = await makeRunWorld();
  onTestFinished(() => world.store.close());
  const { base } = await startTestServer({
    store: world.store,
    config: loadConfig({ ALIGNBOARD_DATA_DIR: world.root, ALIGNBOARD_PORT: '0' }),
  });
  const post = (url: string, body: unknown) =>
    fetch(`${base}/api/train${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const recipe = dpoRecipe(world, 'executor: inline');

  const pf = await post('/preflight', { recipe });
  expect(pf.status).toBe(200);
  expect(await pf.json()).toMatchObject({ passed: true, overridden: false });

  // Preference data cannot train SFT: refused before anything runs, naming the failed check.
  const refused = await post('/runs', { recipe: recipe.replace('algorithm: dpo', 'algorithm: sft') });
  expect(refused.status).toBe(409);
  const body = (await refused.json()) as { code: string; message: string };
  expect(body.code).toBe('AB_TRAIN_PREFLIGHT_FAILED');
  expect(body.message).toMatch(/format_fit: sft needs prompt_completion or language_modeling rows/);
  expect(await (await fetch(`${base}/api/train/runs`)).json()).toEqual({ runs: [] });

  const created = await post('/runs', { recipe });
  expect(created.status).toBe(201);
  const { run } = (await created.json()) as { run: { id: string; status: string } };
  expect(run.status).toBe('queued');

  const events = await readEvents(`${base}/api/train/runs/${run.id}/events`, 'finished');
  const names = events.map((e) => e.event);
  expect(names).toContain('metrics');
  expect(names.at(-1)).toBe('finished');
  expect(events.at(-1)?.data).toMatchObject({ run: { id: run.id, status: 'succeeded' } });

  const metrics = (await (await fetch(`${base}/api/train/runs/${run.id}/metrics`)).json()) as {
    points: { step: number; metrics: Record<string, number> }[];
  };
  expect(metrics.points.map((p) => p.step)).toEqual([1, 2, 3, 4]);
  const got = (await (await fetch(`${base}/api/train/runs/${run.id}`)).json()) as Record<string, unknown>;
  expect(got).toMatchObject({ status: 'succeeded', preflight: { passed: true }, totalSteps: 4 });
  const model = await fetch(`${base}/api/registry/models/${got.registeredModelId}`);
  expect(await model.json()).toMatchObject({ training: { runId: run.id } });

  const missing = await fetch(`${base}/api/train/runs/nope`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ code: 'AB_TRAIN_RUN_NOT_FOUND' });
  const cancelDone = await post(`/runs/${run.id}/cancel`, {});
  expect(cancelDone.status).toBe(409);
});
