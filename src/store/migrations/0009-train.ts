import type { Kysely } from 'kysely';

/**
 * Training runs (src/train): the recipe and its hash, the preflight report and any override,
 * where the run lives, the executor's job id and read offsets (so a restarted Alignboard
 * re-attaches instead of re-submitting), the outcome; and one metrics row per step.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('train_runs')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('algorithm', 'varchar(32)', (c) => c.notNull())
    .addColumn('recipe', 'text', (c) => c.notNull())
    .addColumn('recipe_file', 'text')
    .addColumn('recipe_hash', 'varchar(80)', (c) => c.notNull())
    .addColumn('engine', 'varchar(32)', (c) => c.notNull())
    .addColumn('executor', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('preflight', 'text', (c) => c.notNull())
    .addColumn('is_override', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_dir', 'text', (c) => c.notNull())
    .addColumn('queue_job_id', 'varchar(64)')
    .addColumn('executor_job_id', 'varchar(128)')
    .addColumn('log_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('metrics_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_steps', 'integer')
    .addColumn('last_step', 'integer')
    .addColumn('metrics_summary', 'text')
    .addColumn('registered_model_id', 'varchar(64)')
    .addColumn('evaluations', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('started_at', 'varchar(40)')
    .addColumn('finished_at', 'varchar(40)')
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('train_runs_created')
    .ifNotExists()
    .on('train_runs')
    .columns(['created_at'])
    .execute();
  await db.schema
    .createTable('train_metrics')
    .ifNotExists()
    .addColumn('run_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('train_metrics_pk', ['run_id', 'step'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('train_metrics').ifExists().execute();
  await db.schema.dropTable('train_runs').ifExists().execute();
}
