/**
 * `npm run bench -- registry [models]`: the catalog at scale. Registers 10,000 models (default)
 * through `registerModel`, then times the list/search API over real HTTP (p50/p99 of 200
 * requests per query) beside the baseline `/api/health` on the same server, and the catalog
 * page's first render in chromium (navigation start → first table row), beside the home page.
 * Targets (issue 5): p99 < 50 ms for a search, < 1 s to first render.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/common/config.js';
import { localModelSource, readModelFolder, registerModel } from '../src/registry/index.js';
import { buildServer } from '../src/server/index.js';
import { createStore } from '../src/store/index.js';
import { writeHfModelFolder } from '../tests/helpers/hf-folder.js';

const FAMILIES = ['llama', 'qwen2', 'gemma', 'mistral', 'phi3'];
const OWNERS = ['alice', 'bob', 'carol', 'dana', 'erin', 'frank', 'grace', 'heidi'];
const TAGS = ['sft', 'dpo', 'ppo', 'rm', 'rag', 'ko', 'code', 'math'];
const STATUSES = ['candidate', 'released', 'archived'] as const;
const CHROMIUM = process.env.ALIGNBOARD_CHROMIUM ?? '/usr/bin/chromium';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

export default async function bench(args: string[]): Promise<void> {
  const count = Number(args[0] ?? 10_000);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alignboard-bench-registry-'));
  const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'ab.db')}` });
  try {
    await store.migrate();
    const folder = await writeHfModelFolder(path.join(dir, 'template'), {
      trainingArgs: { learning_rate: 1e-5 },
    });
    const imported = await readModelFolder(await localModelSource(folder.dir));
    let t = performance.now();
    let previous: string | undefined;
    for (let i = 0; i < count; i++) {
      const family = FAMILIES[i % FAMILIES.length] ?? 'llama';
      const m = await registerModel(store, {
        name: `${family}-${OWNERS[i % OWNERS.length]}-${i}`,
        owner: OWNERS[(i * 7) % OWNERS.length],
        tags: [TAGS[i % TAGS.length] ?? 'sft', TAGS[(i * 3) % TAGS.length] ?? 'dpo'],
        notes: `experiment ${i}: ${i % 13 === 0 ? 'promising on math' : 'baseline sweep'}`,
        status: STATUSES[i % 3],
        location: `/models/${i}`,
        baseModel: i % 10 === 0 || !previous ? 'meta-llama/Llama-3.1-8B' : previous,
        imported: { ...imported, spec: imported.spec ? { ...imported.spec, family } : null },
      });
      previous = i % 5 === 4 ? undefined : m.id;
    }
    process.stdout.write(`registered ${count} models in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    const config = loadConfig({ ALIGNBOARD_DATA_DIR: dir });
    const app = await buildServer({ config, store, logger: false });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const queries: [string, string][] = [
        ['baseline GET /api/health', '/api/health'],
        ['list, first page (50)', '/api/registry/models'],
        ['search "math"', '/api/registry/models?q=math'],
        ['search "qwen2 carol"', '/api/registry/models?q=qwen2%20carol'],
        ['filter family+status+tag', '/api/registry/models?family=gemma&status=released&tag=rag'],
        [
          'filter size range, sort by params',
          '/api/registry/models?minParams=1000&maxParams=100000&sort=params',
        ],
        ['page 100 (offset 5000)', '/api/registry/models?offset=5000'],
      ];
      process.stdout.write('\n| request | p50 ms | p99 ms | hits |\n|---|---|---|---|\n');
      for (const [label, url] of queries) {
        const times: number[] = [];
        let hits = 0;
        for (let i = 0; i < 120; i++) {
          t = performance.now();
          const res = await fetch(`${base}${url}`);
          const body = (await res.json()) as { total?: number };
          if (i >= 20) times.push(performance.now() - t); // the first 20 warm up
          hits = body.total ?? 0;
        }
        process.stdout.write(
          `| ${label} | ${pct(times, 50).toFixed(1)} | ${pct(times, 99).toFixed(1)} | ${hits} |\n`,
        );
      }
      await renderTimes(base);
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function renderTimes(base: string): Promise<void> {
  const webDir = fileURLToPath(new URL('../dist/web/', import.meta.url));
  if (!existsSync(CHROMIUM) || !existsSync(webDir)) {
    process.stdout.write(`\n(render times skipped: need ${CHROMIUM} and a built web app, npm run build)\n`);
    return;
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    process.stdout.write('\n| page | first render p50 ms | max ms |\n|---|---|---|\n');
    for (const [label, url, ready] of [
      ['baseline: home (hub status)', '/', '.facts'],
      ['catalog, 10k models, first 50 rows', '/models', 'table[aria-label="Models"] tbody tr'],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < 6; i++) {
        const page = await browser.newPage();
        const t = performance.now();
        await page.goto(`${base}${url}`);
        await page.locator(ready).first().waitFor({ timeout: 10_000 });
        if (i > 0) times.push(performance.now() - t); // the first loads the bundle cold
        await page.close();
      }
      process.stdout.write(
        `| ${label} | ${pct(times, 50).toFixed(0)} | ${Math.max(...times).toFixed(0)} |\n`,
      );
    }
  } finally {
    await browser.close();
  }
}
