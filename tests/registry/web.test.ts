import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectPageErrors, hasChromium, launchBrowser, screenshot } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { importChain, makeRegistryStore } from './helpers.js';

const webDir = fileURLToPath(new URL('../../dist/web/', import.meta.url));

describe.runIf(hasChromium())('model registry pages in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(webDir)) throw new Error(`web app not built at ${webDir}; run \`npm run build\``);
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test('catalog → DPO model page with its lineage graph → base node click; SFT vs DPO diff switch', {
    timeout: 60_000,
  }, async () => {
    const store = await makeRegistryStore();
    const { base: baseModel, sft, dpo } = await importChain(store);
    const { base } = await startTestServer({ store });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = collectPageErrors(page);

    await page.goto(`${base}/models`);
    const table = page.getByRole('table', { name: 'Models' });
    await expect.poll(() => table.getByRole('row').count()).toBe(4);
    await page.getByRole('searchbox', { name: 'Search models' }).fill('dpo');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await screenshot(page, 'registry-catalog');
    await table.getByRole('link', { name: dpo.name }).click();

    await page.getByRole('heading', { level: 1, name: `${dpo.name}@1` }).waitFor();
    const graph = page.getByTestId('lineage-graph');
    for (const label of [
      `model ${dpo.name}@1`,
      `model ${sft.name}@1`,
      `model ${baseModel.name}@1`,
      'external-model meta-llama/Llama-3.1-8B',
      'run dpo run run-dpo-1',
      'run sft run run-sft-1',
      'dataset prefs-helpful@7',
      'dataset chat-mix@3',
    ]) {
      await graph.getByLabel(label, { exact: true }).waitFor({ timeout: 10_000 });
    }
    // Edges are drawn: 3 base links, 2 runs, 3 dataset uses.
    await expect.poll(() => graph.locator('.react-flow__edge').count()).toBe(8);
    await expect.poll(() => page.getByRole('img', { name: 'Learning rate' }).count()).toBe(0);
    await screenshot(page, 'registry-model-lineage');

    await graph.getByLabel(`model ${baseModel.name}@1`, { exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `${baseModel.name}@1` }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/models/${baseModel.id}`);

    // The SFT model's trainer_state.json is drawn as loss and learning-rate curves.
    await page.goto(`${base}/models/${sft.id}`);
    await page.getByRole('img', { name: 'Loss' }).waitFor();
    await page.getByRole('img', { name: 'Learning rate' }).waitFor();
    await screenshot(page, 'registry-model-curves');

    await page.goto(`${base}/models/diff?ids=${sft.id},${dpo.id}`);
    const diff = page.getByRole('table', { name: 'Model diff' });
    await expect
      .poll(() => page.getByText('differing fields').textContent())
      .toMatch(/^\d+ differing fields$/);
    const differing = Number((await page.getByText('differing fields').textContent())?.split(' ')[0]);
    const allRows = await diff.locator('tbody tr').count();
    expect(allRows).toBeGreaterThan(differing);
    await expect.poll(() => diff.getByRole('row', { name: /hiddenSize/ }).count()).toBe(1);
    await screenshot(page, 'registry-diff-all');

    // The switch's state lives in the URL: the click navigates, then the box reflects it.
    const onlyDifferences = page.getByRole('switch', { name: 'Show only differences' });
    await onlyDifferences.click();
    await expect.poll(() => onlyDifferences.isChecked()).toBe(true);
    await expect.poll(() => diff.locator('tbody tr').count()).toBe(differing);
    expect(await diff.locator('tbody tr:not(.diff-row-different)').count()).toBe(0);
    expect(await diff.getByRole('row', { name: /hiddenSize/ }).count()).toBe(0);
    await expect.poll(() => diff.getByRole('row', { name: /learning_rate/ }).count()).toBe(1);
    expect(await diff.getByRole('row', { name: /prefs-helpful/ }).count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('only')).toBe('1');
    await expect.poll(() => page.getByTestId('chat-template-diff').locator('.diff-add').count()).toBe(1);
    await screenshot(page, 'registry-diff-only');

    // The URL is shareable: a fresh page at the same address shows the same filtered diff.
    const shared = await browser.newPage();
    await shared.goto(page.url());
    await expect
      .poll(() => shared.getByRole('table', { name: 'Model diff' }).locator('tbody tr').count())
      .toBe(differing);
    await shared.close();
    expect(errors).toEqual([]);
  });
});
