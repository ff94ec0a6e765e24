import type { Kysely } from 'kysely';

/**
 * Evaluation (src/eval): registered endpoints (the API key is named by an env var, never stored),
 * runs with their pinned contract, one row per finished sample under (run_id, sample_index) so a
 * killed run resumes with nothing lost or done twice, and a response cache keyed by the full request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('eval_endpoints')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('model', 'varchar(300)', (c) => c.notNull())
    .addColumn('api_key_env', 'varchar(200)')
    .addColumn('capabilities', 'text')
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('eval_runs')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('task_name', 'varchar(300)', (c) => c.notNull())
    .addColumn('task_spec', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('model', 'varchar(300)', (c) => c.notNull())
    .addColumn('contract', 'text', (c) => c.notNull())
    .addColumn('contract_hash', 'varchar(80)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('eval_runs_contract_hash')
    .ifNotExists()
    .on('eval_runs')
    .column('contract_hash')
    .execute();
  await db.schema
    .createTable('eval_samples')
    .ifNotExists()
    .addColumn('run_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('sample_index', 'integer', (c) => c.notNull())
    .addColumn('sample_id', 'varchar(300)', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addPrimaryKeyConstraint('eval_samples_pk', ['run_id', 'sample_index'])
    .execute();
  await db.schema
    .createTable('eval_cache')
    .ifNotExists()
    .addColumn('key', 'varchar(80)', (c) => c.primaryKey())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['eval_cache', 'eval_samples', 'eval_runs', 'eval_endpoints']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
