import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { inspectDataset, intakeDataset, parseContract } from '../../src/data/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { preferenceContractYaml, randomSentence, seededRandom, writeJsonl } from '../helpers/jsonl.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CONTRACT = preferenceContractYaml('prefs');

function goodRows(n: number) {
  const rand = seededRandom(11);
  return Array.from({ length: n }, () => ({
    prompt: `${randomSentence(rand, 10).slice(0, -1)}?`,
    chosen: randomSentence(rand, 18),
    rejected: randomSentence(rand, 18),
  }));
}

/** A delivery with truncated answers, swapped pairs, duplicated rows and mojibake. */
function brokenRows() {
  const rows: Record<string, string>[] = goodRows(200);
  for (let i = 0; i < 40; i++) {
    const r = rows[i] as Record<string, string>;
    r.chosen = `${(r.chosen ?? '').slice(0, 50).trimEnd().replace(/[.]$/, '')} and the`;
  }
  for (let i = 40; i < 60; i++) {
    const r = rows[i] as Record<string, string>;
    rows.push({ prompt: r.prompt ?? '', chosen: r.rejected ?? '', rejected: r.chosen ?? '' });
  }
  for (let i = 60; i < 80; i++) rows.push({ ...(rows[i] as Record<string, string>) });
  for (let i = 80; i < 90; i++) {
    const r = rows[i] as Record<string, string>;
    r.chosen = `Caf\u00c3\u00a9 na\u00c3\u00afve \u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d ${r.chosen}`;
  }
  return rows;
}

let store: Store;
beforeEach(async () => {
  store = createStore({ databaseUrl: `sqlite:${path.join(await makeTempDir(), 'ab.db')}` });
  await store.migrate();
});
afterEach(() => store.close());

test('a broken delivery is quarantined with each problem named', async () => {
  const file = await writeJsonl(brokenRows());
  const v = await intakeDataset(file, { store, dataset: 'prefs', contract: parseContract(CONTRACT) });
  expect(v.status).toBe('quarantined');
  const byMetric = Object.fromEntries(v.reasons.map((r) => [r.metric, r]));
  expect(Object.keys(byMetric)).toEqual(
    expect.arrayContaining([
      'abrupt_ending_rate',
      'contradictory_preference_rate',
      'exact_duplicate_rate',
      'mojibake_rate',
    ]),
  );
  expect(v.report.answers.abruptEndings).toBe(40);
  expect(v.report.preference.contradictory).toBe(20);
  expect(v.report.duplicates.exact).toBe(20);
  expect(v.report.text.mojibakeRows).toBe(10);
  const contradiction = v.report.findings.find((f) => f.code === 'AB_DATA_CONTRADICTORY_PREFERENCE');
  expect(contradiction?.examples[0]).toMatchObject({ line: 201 });
  expect(contradiction?.message).toContain('line 41');
  expect(byMetric.mojibake_rate?.findings[0]?.lines[0]).toBe(81);
});

test('the clean delivery is accepted, and a later version is diffed against it', async () => {
  const contract = parseContract(CONTRACT);
  const clean = await intakeDataset(await writeJsonl(goodRows(200)), { store, dataset: 'prefs', contract });
  expect(clean.reasons).toEqual([]);
  expect(clean.status).toBe('accepted');
  const next = await intakeDataset(await writeJsonl(brokenRows()), { store, dataset: 'prefs', contract });
  expect(next.previousId).toBe(clean.id);
  expect(next.diff?.rows).toEqual({ before: 200, after: 240, change: 40 });
});

test('workers over byte ranges find exactly what one thread finds', async () => {
  const file = await writeJsonl(brokenRows());
  const contract = parseContract(CONTRACT).contract;
  const one = await inspectDataset(file, { contract, workers: 1 });
  const many = await inspectDataset(file, { contract, workers: 3, parallelMinBytes: 0 });
  const strip = (r: typeof one) => ({
    ...r,
    durationMs: 0,
    findings: r.findings
      .map((f) => ({ ...f, examples: f.examples.map((e) => e.line).sort((a, b) => a - b) }))
      .sort((a, b) => (a.code + a.field).localeCompare(b.code + b.field)),
  });
  expect(strip(many).findings.map((f) => [f.code, f.count])).toEqual(
    strip(one).findings.map((f) => [f.code, f.count]),
  );
  expect({
    ...many.preference,
    ...many.answers,
    ...many.text,
    rows: many.rows,
    exact: many.duplicates.exact,
  }).toEqual({ ...one.preference, ...one.answers, ...one.text, rows: one.rows, exact: one.duplicates.exact });
}, 30_000);

test('split files over worker ranges find what one thread finds, across files and ranges', async () => {
  // Two splits, each cut into three ranges: keys of the first range seed the merge, the middle
  // ones are inserted, the last only looked up. Test repeats rows of the first and middle train ranges, swaps train pairs and
  // repeats a prompt (the contract's unique key) of its own first range in its last.
  const train = brokenRows();
  const test = [
    ...goodRows(90).map((r) => ({ ...r, prompt: `${r.prompt} (test)` })),
    ...train.slice(0, 15),
    ...train.slice(120, 125),
    ...train.slice(100, 110).map((r) => ({ prompt: r.prompt, chosen: r.rejected, rejected: r.chosen })),
    ...goodRows(5).map((r, i) => ({ ...r, prompt: `${r.prompt} (test)`, chosen: `other answer ${i}.` })),
  ];
  const files = [await writeJsonl(train), await writeJsonl(test)];
  const contract = parseContract(`${CONTRACT}unique: [prompt]\n`).contract;
  const one = await inspectDataset(files, { contract, workers: 1 });
  const many = await inspectDataset(files, { contract, workers: 3, parallelMinBytes: 0 });
  // Every finding as one thread files it: code, field, count, message and example lines.
  const summary = (r: typeof one) => ({
    findings: r.findings,
    duplicates: r.duplicates,
    preference: r.preference,
    unique: r.counts.uniqueViolations,
  });
  expect(one.duplicates.crossSplit).toBeGreaterThan(0);
  expect(one.preference.contradictory).toBeGreaterThan(20);
  expect(one.counts.uniqueViolations).toBeGreaterThan(0);
  expect(summary(many)).toEqual(summary(one));
}, 30_000);

test('each unique entry of a contract has its own keys: a value repeated across entries is no violation', async () => {
  const rows = goodRows(6).map((r, i) => ({ ...r, id: `q${i}` }));
  (rows[3] as { prompt: string }).prompt = 'q1'; // equals row 1's id, a different entry
  (rows[5] as { id: string }).id = 'q2'; // repeats row 2's id
  const file = await writeJsonl(rows);
  const contract = parseContract(
    `${CONTRACT}  id: { type: string, required: true }\nunique: [id, prompt]\n`,
  ).contract;
  const r = await inspectDataset([file], { contract, workers: 1 });
  expect(r.counts.uniqueViolations).toBe(1);
  const f = r.findings.find((x) => x.code === 'AB_DATA_UNIQUE');
  expect(f?.field).toBe('id');
  expect(f?.examples[0]).toMatchObject({ line: 6, field: 'id' });
  expect(f?.message).toBe('(id) repeats line 3');
});
