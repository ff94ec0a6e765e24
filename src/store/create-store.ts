import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type MigrationResultSet, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type Logger, silentLogger } from '../common/logger.js';
import { StoreError } from './errors.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The database location with any password removed, safe to print. */
  readonly location: string;
  /** Applies pending migrations; safe to call again (already applied ones are skipped). */
  migrate(): Promise<MigrationResultSet>;
  /** Names of applied migrations, oldest first. */
  appliedMigrations(): Promise<string[]>;
  /** A stable id for this Alignboard instance, created on first migration. */
  instanceId(): Promise<string>;
  close(): Promise<void>;
}

export interface CreateStoreOptions {
  /** `sqlite:<file>`, `sqlite::memory:` or `postgres://user:pass@host/db`. */
  databaseUrl: string;
  log?: Logger;
}

/** Removes the password from a connection URL so it can be logged and shown. */
export function redactDatabaseUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a parseable URL: show only the scheme rather than risk leaking a secret.
    return `${url.split(':')[0]}://…`;
  }
}

/**
 * Opens the database named by `databaseUrl`: better-sqlite3 in WAL mode for the embedded
 * default, or PostgreSQL through `pg`. Queries are written once against Kysely and run on both.
 */
export function createStore(opts: CreateStoreOptions): Store {
  const log = opts.log ?? silentLogger;
  const { db, dialect } = openKysely(opts.databaseUrl);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const location = redactDatabaseUrl(opts.databaseUrl);

  return {
    db,
    dialect,
    location,
    async migrate() {
      const result = await migrator.migrateToLatest();
      for (const r of result.results ?? []) {
        log.info({ migration: r.migrationName, status: r.status }, 'migration');
      }
      if (result.error) {
        throw new StoreError('AB_STORE_MIGRATION', `migration failed on ${location}`, {
          cause: result.error,
        });
      }
      await db
        .insertInto('meta')
        .values({ key: 'instance_id', value: randomUUID() })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      return result;
    },
    async appliedMigrations() {
      const all = await migrator.getMigrations();
      return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
    },
    async instanceId() {
      const row = await db
        .selectFrom('meta')
        .select('value')
        .where('key', '=', 'instance_id')
        .executeTakeFirst();
      if (!row) throw new StoreError('AB_STORE_NOT_MIGRATED', `database ${location} is not migrated`);
      return row.value;
    },
    async close() {
      await db.destroy();
    },
  };
}

function openKysely(url: string): { db: Kysely<Database>; dialect: Dialect } {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    let sqlite: SQLite.Database;
    try {
      sqlite = new SQLite(file);
    } catch (err) {
      throw new StoreError('AB_STORE_OPEN', `cannot open SQLite database "${file}"`, { cause: err });
    }
    // WAL lets readers (API requests) proceed while a writer (a run) commits.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    return {
      db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }),
      dialect: 'sqlite',
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  throw new StoreError(
    'AB_STORE_URL',
    `unsupported database URL "${redactDatabaseUrl(url)}"; use sqlite: or postgres://`,
  );
}
