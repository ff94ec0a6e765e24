import path from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { expect, onTestFinished, test } from 'vitest';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { createStore, type Store } from '../store/index.js';
import { SampleWriter } from './sample-writer.js';

/** A real SQLite store whose INSERT statements are counted (each one is its own transaction). */
async function countingStore(): Promise<{ store: Store; inserts: () => number }> {
  const store = createStore({ databaseUrl: `sqlite:${path.join(await makeTempDir(), 'w.db')}` });
  await store.migrate();
  onTestFinished(() => store.close());
  let inserts = 0;
  const counter: KyselyPlugin = {
    transformQuery(args) {
      if (args.node.kind === 'InsertQueryNode') inserts++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { store: { ...store, db: store.db.withPlugin(counter) }, inserts: () => inserts };
}

const row = (index: number, record = `{"i":${index}}`) => ({
  run_id: 'run-1',
  sample_index: index,
  sample_id: `s${index}`,
  record,
  created_at: new Date().toISOString(),
});

const stored = (store: Store) =>
  store.db
    .selectFrom('eval_samples')
    .select(['sample_index', 'record'])
    .where('run_id', '=', 'run-1')
    .orderBy('sample_index')
    .execute();

test('rows written in the same turn are committed by one INSERT, and each write resolves once its row is stored', async () => {
  const { store, inserts } = await countingStore();
  const writer = new SampleWriter(store);
  const seenAtResolve: number[] = [];
  await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      writer.write(row(i)).then(async () => {
        if (i === 0 || i === 299) seenAtResolve.push((await stored(store)).length);
      }),
    ),
  );
  // 300 rows in one turn: two INSERTs (256 rows at most each), not 300.
  expect(inserts()).toBe(2);
  expect(seenAtResolve.every((n) => n >= 256)).toBe(true);
  const rows = await stored(store);
  expect(rows.map((r) => r.sample_index)).toEqual(Array.from({ length: 300 }, (_, i) => i));
});

test('writes in later turns go to later commits; a row already stored is kept as it was', async () => {
  const { store, inserts } = await countingStore();
  const writer = new SampleWriter(store);
  await writer.write(row(0, '{"first":true}'));
  await writer.write(row(1));
  await writer.write(row(0, '{"first":false}'));
  expect(inserts()).toBe(3);
  expect(await stored(store)).toEqual([
    { sample_index: 0, record: '{"first":true}' },
    { sample_index: 1, record: '{"i":1}' },
  ]);
});

test('a failed commit rejects every write in it, and the writer keeps working for later writes', async () => {
  const { store } = await countingStore();
  const writer = new SampleWriter(store);
  await writer.write(row(0));
  // A NOT NULL column left empty fails the whole statement (the type forbids it; the cast makes the fault).
  const bad = { ...row(1), sample_id: null as unknown as string };
  const results = await Promise.allSettled([writer.write(row(2)), writer.write(bad)]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/NOT NULL/);
  await writer.write(row(3));
  expect((await stored(store)).map((r) => r.sample_index)).toEqual([0, 3]);
});
