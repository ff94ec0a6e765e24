import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { createStore, redactDatabaseUrl } from './index.js';
import { MIGRATIONS } from './migrations/index.js';

const ALL = Object.keys(MIGRATIONS).sort();

async function exerciseMigrations(databaseUrl: string): Promise<void> {
  const store = createStore({ databaseUrl });
  try {
    const first = await store.migrate();
    expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual(ALL.map((n) => [n, 'Success']));
    expect(await store.appliedMigrations()).toEqual(ALL);
    const id = await store.instanceId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const again = await store.migrate();
    expect(again.results).toEqual([]);
    expect(await store.instanceId()).toBe(id);
  } finally {
    await store.close();
  }
  // A second process opening the same database finds everything applied.
  const reopened = createStore({ databaseUrl });
  try {
    expect((await reopened.migrate()).results).toEqual([]);
    expect(await reopened.appliedMigrations()).toEqual(ALL);
  } finally {
    await reopened.close();
  }
}

describe('store on SQLite', () => {
  test('migrations apply on a fresh database and are idempotent on re-run', async () => {
    const dir = await makeTempDir();
    await exerciseMigrations(`sqlite:${path.join(dir, 'nested', 'ab.db')}`);
  });

  test('the database runs in WAL mode', async () => {
    const dir = await makeTempDir();
    const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'ab.db')}` });
    try {
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(rows[0]?.journal_mode).toBe('wal');
    } finally {
      await store.close();
    }
  });

  test('an unsupported URL is refused with a code', () => {
    expect(() => createStore({ databaseUrl: 'mysql://root:hunter2@db/x' })).toThrowError(
      expect.objectContaining({ code: 'AB_STORE_URL', message: expect.not.stringContaining('hunter2') }),
    );
  });
});

test('redactDatabaseUrl hides the password', () => {
  expect(redactDatabaseUrl('postgres://ab:s3cret@localhost:5432/ab')).toBe(
    'postgres://ab:***@localhost:5432/ab',
  );
});

// PostgreSQL runs where one is provided (CI starts one and sets this variable).
const pgUrl = process.env.ALIGNBOARD_TEST_PG_URL;
describe.skipIf(!pgUrl)('store on PostgreSQL', () => {
  test('the same migrations apply and are idempotent', async () => {
    const url = pgUrl as string;
    const schema = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const admin = createStore({ databaseUrl: url });
    await sql`create schema ${sql.raw(schema)}`.execute(admin.db);
    try {
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      await exerciseMigrations(u.toString());
    } finally {
      await sql`drop schema ${sql.raw(schema)} cascade`.execute(admin.db);
      await admin.close();
    }
  });
});
if (!pgUrl) console.warn('store: ALIGNBOARD_TEST_PG_URL not set; PostgreSQL tests skipped');
