import type { Kysely } from 'kysely';

/**
 * The notification outbox (src/notify): one row per delivery of a message to a channel target,
 * keyed by an idempotency key so a retried or restarted sender never delivers twice. Targets are
 * chat ids or webhook origins, never tokens or full webhook URLs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notify_deliveries')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'varchar(300)', (c) => c.notNull().unique())
    .addColumn('channel', 'varchar(20)', (c) => c.notNull())
    .addColumn('target', 'varchar(300)', (c) => c.notNull())
    .addColumn('event', 'varchar(100)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'varchar(60)')
    .addColumn('last_error', 'text')
    .addColumn('receipt', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  for (const column of ['status', 'created_at']) {
    await db.schema
      .createIndex(`notify_deliveries_${column}`)
      .ifNotExists()
      .on('notify_deliveries')
      .column(column)
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notify_deliveries').ifExists().execute();
}
