import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import type { EvalJob } from '../../src/eval/index.js';
import { buildEngineServer } from '../../src/server/engine-api/index.js';
import { BENCHMARKS, LM_EVAL_TASKS } from '../eval/shared-paths.js';
import { api, startJudgedHub, writeToyTask } from '../eval-hub/hub.js';
import { collectPageErrors, hasChromium, launchBrowser, screenshot } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

const webDir = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** A tiny model folder and the embedded engine serving it, on 127.0.0.1 port 0. */
async function engineWithFolder(seed: number, modelName: string) {
  const { dir } = await writeTinyModel({ seed, config: { max_position_embeddings: 4096 } });
  const app = await buildEngineServer({ modelDir: dir, modelName });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { dir, baseUrl: `${base}/v1`, model: modelName };
}

async function addEndpointAndModel(
  page: Page,
  e: { dir: string; baseUrl: string; model: string },
  owner: string,
) {
  const endpoints = page.getByRole('form', { name: 'Add endpoint' });
  await endpoints.getByLabel('Endpoint name').fill(`engine-${e.model}`);
  await endpoints.getByLabel('Base URL').fill(e.baseUrl);
  await endpoints.getByLabel('Served model').fill(e.model);
  await endpoints.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByRole('cell', { name: `engine-${e.model}`, exact: true }).waitFor({ timeout: 20_000 });
  const models = page.getByRole('form', { name: 'Register model' });
  await models.getByLabel('Model folder').fill(e.dir);
  await models.getByLabel('Model name').fill(e.model);
  await models.getByLabel('Owner').fill(owner);
  await models.getByLabel('Served by').selectOption({ label: `engine-${e.model}` });
  await models.getByRole('button', { name: 'Register model' }).click();
  await page.getByText(`${e.model}@1 served by engine-${e.model}`).waitFor({ timeout: 20_000 });
}

/** Selects exactly one model, clicks Run once, and waits for the run to reach 100% over SSE. */
async function runOnce(page: Page, modelLabel: string): Promise<void> {
  const run = page.getByRole('region', { name: 'Run an evaluation' });
  for (const box of await run.getByRole('checkbox').all()) await box.uncheck();
  await run.getByRole('checkbox', { name: new RegExp(`${modelLabel}@1`) }).check();
  await run.getByRole('table', { name: 'Capability check' }).getByText('ok').waitFor({ timeout: 20_000 });
  await run.getByRole('button', { name: 'Run', exact: true }).click();
  const bar = page.getByRole('progressbar', { name: new RegExp(`on ${modelLabel}@1$`) }).first();
  await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000, interval: 200 }).toBe('100');
  await page.locator('tr', { has: bar }).getByText('succeeded').waitFor({ timeout: 20_000 });
}

describe.runIf(hasChromium())('evaluations in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(webDir)) throw new Error(`web app not built at ${webDir}; run \`npm run build\``);
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test('empty hub → endpoint and model → one-click gsm8k → progress 100% → leaderboard → run detail → second model → comparison; a temperature change is its own contract group', {
    timeout: 120_000,
  }, async () => {
    const a = await engineWithFolder(1, 'tiny-a');
    const b = await engineWithFolder(2, 'tiny-b');
    const { base } = await startTestServer();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = collectPageErrors(page);
    await page.goto(`${base}/evaluations`);
    await page.getByRole('heading', { level: 1, name: 'Evaluations' }).waitFor();
    await page.getByText('No endpoints yet').waitFor();
    await screenshot(page, 'eval-empty-hub');

    await addEndpointAndModel(page, a, 'alice');
    // The real lm-eval gsm8k YAML and data, read in place.
    await page.getByText('Import a task').click();
    const importForm = page.getByRole('form', { name: 'Import task' });
    await importForm.getByLabel('Task file').fill(path.join(LM_EVAL_TASKS, 'gsm8k/gsm8k.yaml'));
    await importForm.getByLabel('Dataset folder').fill(path.join(BENCHMARKS, 'gsm8k'));
    await importForm.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('option', { name: 'task gsm8k' }).waitFor({ state: 'attached' });
    // The team's pinned suite: gsm8k limited to 50 items; a random tiny model never stops, so few tokens, zero-shot.
    await api(
      base,
      'POST',
      '/eval/suites',
      { name: 'gsm8k-smoke', items: [{ task: 'gsm8k', limit: 50, maxTokens: 2, numFewshot: 0 }] },
      201,
    );
    await page.reload();
    await page.getByText('gsm8k limit=50 fewshot=0 max_tokens=2').waitFor();

    await runOnce(page, 'tiny-a');
    await screenshot(page, 'eval-run-finished');

    await page.getByRole('link', { name: 'Leaderboard' }).first().click();
    const reference = page.getByRole('region', { name: 'Reference contract' });
    await reference.getByRole('link', { name: 'tiny-a@1' }).waitFor();
    await screenshot(page, 'eval-leaderboard');
    await reference.getByRole('cell', { name: /n=50/ }).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Evaluation run' }).waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: 'Samples' }).getByText('50 samples').isVisible())
      .toBe(true);
    await page.getByText('decoding.maxTokens').waitFor({ state: 'attached' });
    await screenshot(page, 'eval-run-detail');

    await page.goto(`${base}/evaluations`);
    await page.getByRole('heading', { level: 1, name: 'Evaluations' }).waitFor();
    await addEndpointAndModel(page, b, 'bob');
    await runOnce(page, 'tiny-b');
    await page.getByRole('link', { name: 'Compare the last two runs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Compare runs' }).waitFor();
    await page.getByText('These runs are comparable item by item.').waitFor();
    const diff = page.getByRole('region', { name: 'Per-item diff' });
    await expect.poll(() => diff.locator('tbody tr').count()).toBe(50);
    await expect.poll(() => diff.getByText(/A answer|score/).count()).toBeGreaterThan(0);
    await page.getByRole('region', { name: 'What differs between these models' }).waitFor();
    await screenshot(page, 'eval-compare');

    // The same suite at temperature 0.7: another contract, shown apart with the difference named.
    await api(
      base,
      'POST',
      '/eval/suites',
      {
        name: 'gsm8k-hot',
        items: [{ task: 'gsm8k', limit: 50, maxTokens: 2, numFewshot: 0, temperature: 0.7 }],
      },
      201,
    );
    const models = await api<{ modelId: string; modelName: string }[]>(base, 'GET', '/eval/bindings');
    const tinyA = models.find((m) => m.modelName === 'tiny-a@1');
    const { jobs } = await api<{ jobs: EvalJob[] }>(
      base,
      'POST',
      '/eval/runs',
      { targets: [{ modelId: tinyA?.modelId }], suite: 'gsm8k-hot' },
      201,
    );
    await expect
      .poll(async () => (await api<EvalJob>(base, 'GET', `/eval/jobs/${jobs[0]?.id}`)).status, {
        timeout: 60_000,
        interval: 300,
      })
      .toBe('succeeded');
    await page.goto(`${base}/evaluations/leaderboard`);
    const other = page.getByRole('region', { name: 'Different contract: gsm8k' });
    await other.getByText('decoding.temperature: 0 → 0.7').waitFor();
    const banner = await other.locator('.contract-banner').getAttribute('title');
    expect(banner).toContain('decoding.temperature differs (0 vs 0.7)');
    // Temperature is the only difference: same task, items, prompt and extraction.
    expect(banner?.match(/ differs /g)).toHaveLength(1);
    // The hot run is not in the reference table's column.
    await expect
      .poll(() => page.getByRole('region', { name: 'Reference contract' }).locator('tbody tr').count())
      .toBe(2);
    await screenshot(page, 'eval-leaderboard-contract-groups');
    expect(errors).toEqual([]);
  });

  test('model output and dataset text with <script>, <img onerror>, javascript: links and markdown HTML render as inert text', {
    timeout: 60_000,
  }, async () => {
    const EVIL = [
      '<script>window.__xss = 1</script>',
      '<img src=x onerror="window.__xss = 2">',
      '[click me](javascript:window.__xss=3)',
      '**bold** <a href="javascript:window.__xss=4">link</a> <iframe src="javascript:window.__xss=5"></iframe>',
    ].join('\n');
    // An OpenAI-compatible fake whose completions return the payload (a real model could too).
    const fake = Fastify();
    fake.get('/v1/models', async () => ({
      object: 'list',
      data: [{ id: 'evil', object: 'model', created: 0, owned_by: 'x' }],
    }));
    fake.post('/v1/completions', async () => ({
      id: 'cmpl-1',
      object: 'text_completion',
      created: 0,
      model: 'evil',
      choices: [{ index: 0, text: EVIL, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }));
    const fakeBase = await fake.listen({ host: '127.0.0.1', port: 0 });
    onTestFinished(() => fake.close());
    const { base } = await startTestServer();
    const file = await writeToyTask('xss', [{ q: EVIL, a: EVIL }]);
    await api(base, 'POST', '/eval/tasks/import', { file }, 201);
    const ep = await api<{ id: string }>(
      base,
      'POST',
      '/eval/endpoints',
      { name: 'evil', baseUrl: `${fakeBase}/v1`, model: 'evil' },
      201,
    );
    const { jobs } = await api<{ jobs: EvalJob[] }>(
      base,
      'POST',
      '/eval/runs',
      { targets: [{ endpointId: ep.id }], tasks: ['xss'] },
      201,
    );
    let job: EvalJob | undefined;
    await expect
      .poll(
        async () => {
          job = await api<EvalJob>(base, 'GET', `/eval/jobs/${jobs[0]?.id}`);
          return job.status;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe('succeeded');

    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`${base}/evaluations/runs/${job?.runId}`);
    const samples = page.getByRole('region', { name: 'Samples' });
    await samples.getByText('1 samples').waitFor();
    // Shown as text: the literal markup is visible, and no element was created from it.
    await expect
      .poll(() => samples.locator('pre', { hasText: '<script>window.__xss = 1</script>' }).count())
      .toBe(3);
    expect(await samples.locator('script, img, iframe, a[href^="javascript"]').count()).toBe(0);
    for (const link of await samples.locator('pre').all()) await link.click();
    await page.goto(`${base}/evaluations/compare?a=${job?.runId}&b=${job?.runId}`);
    const answer = page.getByRole('region', { name: 'Per-item diff' }).locator('pre[title^="A answer"]');
    await expect.poll(() => answer.textContent()).toContain('[click me](javascript:window.__xss=3)');
    expect(await page.locator('main script, main img, main iframe, main a[href^="javascript"]').count()).toBe(
      0,
    );
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
    await screenshot(page, 'eval-xss-inert');
    expect(errors).toEqual([]);
  });

  test('a judged suite shows the judge picker; refused until a judge is picked, then MT-Bench runs judged by it', {
    timeout: 120_000,
  }, async () => {
    const { base } = await startJudgedHub();
    await api(base, 'POST', '/eval/tasks/import', { file: 'mt-bench' }, 201);
    await api(base, 'POST', '/eval/tasks/import', { file: await writeToyTask() }, 201);
    // Few tokens for a random tiny model, the judge's included.
    const item = { task: 'mt_bench', limit: 1, maxTokens: 4, judgeMaxTokens: 3 };
    await api(base, 'POST', '/eval/suites', { name: 'mt-bench-smoke', items: [item] }, 201);

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = collectPageErrors(page);
    await page.goto(`${base}/evaluations`);
    const run = page.getByRole('region', { name: 'Run an evaluation' });
    await run.getByRole('checkbox', { name: /endpoint candidate/ }).check();
    const what = run.getByLabel('Suite or task');
    await what.selectOption({ label: 'task toy' });
    await run.getByRole('table', { name: 'Capability check' }).getByText('ok').waitFor({ timeout: 20_000 });
    expect(await run.getByLabel('Judge endpoint').count()).toBe(0);

    await what.selectOption({ label: 'suite mt-bench-smoke' });
    const verdicts = run.getByRole('table', { name: 'Capability check' });
    await verdicts.getByText('refused').waitFor({ timeout: 20_000 });
    await verdicts
      .getByText('task "mt_bench" is graded by an LLM judge and no judge endpoint was named', {
        exact: false,
      })
      .waitFor();
    expect(await run.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'eval-judge-missing');

    await run.getByLabel('Judge endpoint').selectOption({ label: 'engine-judge (judge-engine)' });
    await verdicts.getByText('ok').waitFor({ timeout: 20_000 });
    await run.getByRole('button', { name: 'Run', exact: true }).click();
    const row = page.locator('tr', { hasText: 'judged by engine-judge' });
    await row.getByText('succeeded').waitFor({ timeout: 60_000 });
    await screenshot(page, 'eval-judged-run');
    expect(errors).toEqual([]);
  });
});
