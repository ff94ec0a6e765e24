import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectPageErrors, hasChromium, launchBrowser, screenshot } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';

const webDir = fileURLToPath(new URL('../../dist/web/', import.meta.url));
const MENU = ['Models', 'Datasets', 'Evaluations', 'Training', 'Attention', 'Papers'];

describe.runIf(hasChromium())('web shell in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(webDir)) throw new Error(`web app not built at ${webDir}; run \`npm run build\``);
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test('home shows hub status; every menu entry opens without console errors', {
    timeout: 60_000,
  }, async () => {
    const { base } = await startTestServer();
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(base);
    await expect.poll(() => page.getByText('Hub status').isVisible()).toBe(true);
    await expect.poll(() => page.locator('.facts').textContent()).toContain('sqlite');
    await screenshot(page, 'home');

    for (const label of MENU) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
      await page.getByRole('heading', { level: 1, name: label }).waitFor({ timeout: 10_000 });
      expect(new URL(page.url()).pathname).toBe(`/${label.toLowerCase()}`);
      await screenshot(page, `menu-${label.toLowerCase()}`);
    }

    // A deep link is served the app shell and routed on the client.
    await page.goto(`${base}/training`);
    await page.getByRole('heading', { level: 1, name: 'Training' }).waitFor();

    // The theme switch flips the document theme and survives a reload.
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.getByRole('button', { name: /Switch to/ }).click();
    const after = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(after).not.toBe(before);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Training' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(after);
    await screenshot(page, `theme-${after}`);

    expect(errors).toEqual([]);
  });
});
