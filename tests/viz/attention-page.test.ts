// The Attention pages in chromium against the real server, on a tiny GPT-2 with a 1,000-token
// input: head view, model view, saliency strip, RAG meter and the exported static HTML render,
// and a token holding HTML is shown as text (its onerror never runs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectPageErrors, hasChromium, launchBrowser, screenshot } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { writeTinyGpt2 } from './helpers.js';

const webDir = fileURLToPath(new URL('../../dist/web/', import.meta.url));
const XSS = '<img src=x onerror="window.__xss=1">';
const FILLER = 'The quick brown fox jumps over the lazy dog. One plus one is two. ';

describe.runIf(hasChromium())('attention lab in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(webDir)) throw new Error(`web app not built at ${webDir}; run \`npm run build\``);
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test('head view, model view, saliency, RAG meter and static export with 1,000 tokens', {
    timeout: 90_000,
  }, async () => {
    const { base } = await startTestServer();
    const { dir } = await writeTinyGpt2({ L: 2, H: 2, C: 8, P: 1400 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = collectPageErrors(page);
    await page.goto(`${base}/attention?model=${encodeURIComponent(dir)}`);
    await page.getByRole('heading', { level: 1, name: 'Attention' }).waitFor();
    expect(await page.getByLabel('model', { exact: true }).inputValue()).toBe(dir);

    // ~1,000 tokens (the tiny tokenizer spends about one token per 1.7 characters)
    const text = `${XSS} ${FILLER.repeat(38)}`.slice(0, 1750);
    await page.getByLabel('text input').fill(text);
    await page.getByRole('button', { name: 'Show attention' }).click();
    await page
      .locator('.head-view canvas.heatmap, [role=alert]')
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(async () => {
        await screenshot(page, 'attention-debug');
        throw new Error(
          `no head view: ${errors.join('; ')} ${await page.locator('body').textContent()}`.slice(0, 3000),
        );
      });
    if (await page.locator('[role=alert]').count())
      throw new Error(`alert: ${await page.locator('[role=alert]').first().textContent()}`);
    const strip = page.getByRole('list', { name: 'saliency strip' });
    const tokens = await strip.getByRole('listitem').count();
    expect(tokens).toBeGreaterThanOrEqual(1000);
    // the HTML in the input is text in the page, never an element
    expect((await strip.textContent()) ?? '').toContain(XSS);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // model view: L × H thumbnails; a click opens that head in the head view
    await expect.poll(() => page.locator('.thumb-button').count()).toBe(4);
    await page.getByRole('button', { name: 'layer 1 head 1' }).click();
    await expect.poll(() => page.getByLabel('layer and head').inputValue(), { timeout: 30_000 }).toBe('0');
    await expect
      .poll(() => page.locator('.head-view canvas').getAttribute('aria-label'))
      .toContain('layer 1 head 1');
    // clicking a token selects it for the saliency strip
    await strip.getByRole('listitem').nth(5).click();
    await expect.poll(() => page.locator('.head-view').textContent()).toContain('token #5');
    await screenshot(page, 'attention-head-model-view');

    // RAG meter on a long RAG input
    await page.getByLabel('input kind').selectOption('rag');
    const rag = {
      kind: 'rag',
      question: 'what does the fox do?',
      documents: [
        { title: 'filler', text: FILLER.repeat(12) },
        { title: XSS, text: 'the fox jumps over the dog.', gold: true },
        { title: 'more filler', text: FILLER.repeat(12) },
      ],
      answer: 'the fox jumps.',
    };
    await page.getByLabel('RAG input').fill(JSON.stringify(rag));
    await page.getByRole('button', { name: 'Measure noise' }).click();
    await page.getByTestId('answer-to-noise').waitFor({ timeout: 60_000 });
    const docs = page.locator('table.noise-documents tbody tr');
    await expect.poll(() => docs.count()).toBe(3);
    expect(await docs.nth(1).locator('td').first().textContent()).toBe(XSS);
    await expect.poll(() => page.locator('table.noise-placements tbody tr').count()).toBe(3);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await screenshot(page, 'attention-noise-meter');
    expect(errors).toEqual([]);

    // the exported static HTML renders on its own (no server), with the tokens as text
    const res = await fetch(`${base}/api/viz/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'noise', model: dir, input: rag, leaveOneOut: false }),
      signal: AbortSignal.timeout(60_000),
    });
    const html = await res.text();
    const offline = await browser.newPage();
    const offlineErrors = collectPageErrors(offline);
    await offline.route('**/*', (route) => route.abort()); // nothing may load from a network
    await offline.setContent(html);
    await offline.locator('body[data-ready="true"]').waitFor();
    expect(await offline.locator('.view .tok').count()).toBeGreaterThanOrEqual(400);
    expect(await offline.locator('.grid canvas').count()).toBe(4);
    expect(await offline.locator('table.noise-docs tr').count()).toBe(4);
    expect((await offline.locator('table.noise-docs').textContent()) ?? '').toContain(XSS);
    expect(await offline.locator('img[src="x"]').count()).toBe(0);
    await screenshot(offline, 'attention-export');
    expect(offlineErrors).toEqual([]);
  });
});
