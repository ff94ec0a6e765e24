import type { Kysely } from 'kysely';

/**
 * The evaluation hub (issue 7, src/eval): imported tasks, suites of tasks with pinned settings,
 * registry models bound to the endpoint that serves them, the link from a run to its job and
 * registry model, and each model's baseline for regression watch.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('eval_tasks')
    .ifNotExists()
    .addColumn('name', 'varchar(300)', (c) => c.primaryKey())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('eval_suites')
    .ifNotExists()
    .addColumn('name', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('eval_bindings')
    .ifNotExists()
    .addColumn('model_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('baseline_model_id', 'varchar(64)')
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('eval_run_links')
    .ifNotExists()
    .addColumn('run_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('job_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('model_id', 'varchar(64)')
    .addColumn('suite', 'varchar(200)')
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['eval_run_links', 'eval_bindings', 'eval_suites', 'eval_tasks'])
    await db.schema.dropTable(table).ifExists().execute();
}
