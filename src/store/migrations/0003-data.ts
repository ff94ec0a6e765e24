import type { Kysely } from 'kysely';

/** Data contracts (one row per name and version) and content-addressed dataset versions (src/data). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('data_contracts')
    .ifNotExists()
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addPrimaryKeyConstraint('data_contracts_pk', ['name', 'version'])
    .execute();
  await db.schema
    .createTable('data_versions')
    .ifNotExists()
    .addColumn('id', 'varchar(300)', (c) => c.primaryKey())
    .addColumn('dataset', 'varchar(200)', (c) => c.notNull())
    .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('rows', 'bigint', (c) => c.notNull())
    .addColumn('format', 'varchar(60)')
    .addColumn('contract_name', 'varchar(200)')
    .addColumn('contract_version', 'integer')
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('consumption', 'text')
    .addColumn('diff', 'text')
    .addColumn('previous_id', 'varchar(300)')
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('data_versions_dataset')
    .ifNotExists()
    .on('data_versions')
    .columns(['dataset', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('data_versions').ifExists().execute();
  await db.schema.dropTable('data_contracts').ifExists().execute();
}
