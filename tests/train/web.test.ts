import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { loadConfig } from '../../src/common/config.js';
import { setEngineThreads } from '../../src/engine/index.js';
import { driveRun, startRun } from '../../src/train/index.js';
import { collectPageErrors, hasChromium, launchBrowser, screenshot } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { dpoRecipe, makeRunWorld } from './run-world.js';

const webDir = fileURLToPath(new URL('../../dist/web/', import.meta.url));

describe.runIf(hasChromium())('training pages in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(webDir)) throw new Error(`web app not built at ${webDir}; run \`npm run build\``);
    setEngineThreads(1); // the engine's worker pool does not start under vitest's transform
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test('runs list → run page with curves, preflight report and lineage link; a refused recipe shows why', {
    timeout: 60_000,
  }, async () => {
    const world = await makeRunWorld();
    onTestFinished(() => world.store.close());
    const { base } = await startTestServer({
      store: world.store,
      config: loadConfig({ ALIGNBOARD_DATA_DIR: world.root, ALIGNBOARD_PORT: '0' }),
    });
    const deps = { store: world.store, dataDir: world.root };
    const { run } = await startRun(
      deps,
      { recipeText: dpoRecipe(world, 'executor: inline') },
      { enqueue: false },
    );
    expect((await driveRun(deps, run.id)).status).toBe('succeeded');

    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${base}/training`);
    await page.getByRole('heading', { level: 1, name: 'Training' }).waitFor();
    const table = page.getByRole('table', { name: 'Training runs' });
    await expect.poll(() => table.textContent()).toContain('succeeded');
    await screenshot(page, 'training-runs');

    await table.getByRole('link', { name: 'polite-dpo' }).click();
    await page.getByRole('heading', { level: 1, name: 'polite-dpo' }).waitFor();
    await page.getByRole('img', { name: 'Loss' }).waitFor();
    await page.getByRole('img', { name: 'Reward' }).waitFor();
    const preflight = page.getByRole('table', { name: 'Preflight' });
    expect(await preflight.textContent()).toContain('accepted by the intake gate');
    await screenshot(page, 'training-run');
    await page.getByRole('link', { name: 'model and lineage' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/models\//);

    // A new run from the earlier recipe, switched to SFT on preference data: refused by preflight.
    await page.goto(`${base}/training`);
    await page.getByRole('combobox', { name: 'Start from' }).selectOption(run.id);
    const recipe = page.getByRole('textbox', { name: 'Recipe' });
    expect(await recipe.inputValue()).toContain('algorithm: dpo');
    await recipe.fill((await recipe.inputValue()).replace('algorithm: dpo', 'algorithm: sft'));
    await page.getByRole('button', { name: 'Run preflight and start' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/AB_TRAIN_PREFLIGHT_FAILED.*format_fit/);
    await screenshot(page, 'training-refused');
    // The refused request is the one expected 409 in the console.
    expect(errors.filter((e) => !/409/.test(e))).toEqual([]);
  });
});
