import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectPageErrors, hasChromium, launchBrowser, screenshot } from '../helpers/browser.js';
import { preferenceContractYaml, writeJsonl, writeModelDir } from '../helpers/jsonl.js';
import { startTestServer } from '../helpers/server.js';

const webDir = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const CONTRACT = preferenceContractYaml('web-prefs');
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>window.__pwned = 1</script>';

/** Preference rows whose text carries HTML; row 3 repeats row 2, so findings point at a line. */
function rows(n: number, tag: string) {
  const out = Array.from({ length: n }, (_, i) => ({
    prompt: `Question ${tag} ${i}: what does ${IMG} do?`,
    chosen: `It is shown as text ${i}, never run: ${SCRIPT}.`,
    rejected: `It runs ${i}.`,
  }));
  if (n > 3 && out[1]) out[2] = out[1];
  return out;
}

describe.runIf(hasChromium())('dataset pages in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(webDir)) throw new Error(`web app not built at ${webDir}; run \`npm run build\``);
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  test('list, version report, example row, consumption view and diff render dataset HTML as text', {
    timeout: 90_000,
  }, async () => {
    const { base } = await startTestServer();
    const model = await writeModelDir('meta-llama/Llama-3.1-8B-Instruct');
    const intake = async (file: string) => {
      const res = await fetch(`${base}/api/data/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: file, dataset: 'web-prefs', contract: 'web-prefs', template: model }),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; status: string };
    };
    const added = await fetch(`${base}/api/data/contracts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: CONTRACT }),
    });
    expect(added.status).toBe(201);
    const clean = await intake(await writeJsonl(rows(3, 'a')));
    const dirty = await intake(await writeJsonl(rows(12, 'b')));
    expect(clean.status).toBe('accepted');
    expect(dirty.status).toBe('quarantined');

    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    // The list: one dataset, its latest version and status badge.
    await page.goto(`${base}/datasets`);
    const table = page.getByRole('table', { name: 'Datasets' });
    await table.waitFor();
    expect(await table.textContent()).toContain('web-prefs');
    await expect.poll(() => table.locator('.badge').first().textContent()).toMatch(/accepted|quarantined/);
    await screenshot(page, 'datasets-list');

    // The version page: gate reasons, fields with a histogram, findings with example lines.
    await page.goto(`${base}/datasets/versions/${encodeURIComponent(dirty.id)}`);
    await page.getByRole('table', { name: 'Findings' }).waitFor();
    expect(await page.locator('.badge').first().textContent()).toBe('quarantined');
    expect(await page.locator('.reasons').textContent()).toContain('exact_duplicate_rate');
    const findings = page.getByRole('table', { name: 'Findings' });
    expect(await findings.textContent()).toContain('AB_DATA_DUPLICATE');
    expect(await page.locator('.histogram svg rect').count()).toBeGreaterThan(0);
    await screenshot(page, 'datasets-version');

    // A finding's example opens the row it names; the row's HTML is text.
    await findings.getByRole('link', { name: 'line 3' }).first().click();
    const row = page.getByRole('region', { name: 'Example row' });
    await row.locator('pre').first().waitFor();
    expect(new URL(page.url()).searchParams.get('line')).toBe('3');
    const rowText = (await row.locator('pre').first().textContent()) ?? '';
    expect(rowText).toContain(IMG);
    expect(rowText).toContain('<script>');
    expect(await row.locator('img, script').count()).toBe(0);
    await screenshot(page, 'datasets-example-row');

    // The consumption view: the rendered template with each field's marker highlighted.
    await page.getByRole('link', { name: /passed|failed/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Field consumption' }).waitFor();
    const byField = page.getByRole('table', { name: 'Consumption by field' });
    await byField.waitFor();
    expect(await byField.textContent()).toContain('rendered');
    const marks = await page.locator('.rendered-text .field-marker').allTextContents();
    expect(new Set(marks)).toEqual(new Set(['prompt', 'chosen', 'rejected']));
    const rendered = (await page.locator('.rendered-text').allTextContents()).join('\n');
    expect(rendered).toContain(IMG);
    expect(rendered).toContain(SCRIPT);
    expect(rendered).toContain('<|start_header_id|>user<|end_header_id|>');
    expect(await page.locator('.rendered-text img, .rendered-text script').count()).toBe(0);
    await screenshot(page, 'datasets-consumption');

    // The diff page, reached from the dataset's version list.
    await page.goto(`${base}/datasets/web-prefs`);
    await page.getByRole('link', { name: 'diff with previous' }).click();
    await page.getByRole('list', { name: 'Summary' }).waitFor();
    expect(await page.getByRole('list', { name: 'Summary' }).textContent()).toContain('rows 3 → 12');
    await screenshot(page, 'datasets-diff');

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });
});
