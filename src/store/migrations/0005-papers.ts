import type { Kysely } from 'kysely';

/**
 * The paper digest (src/papers): every fetched paper (keyed by its arXiv id without version),
 * one digest per day with its ranked entries (score, reasons, summary, delivery state), reader
 * feedback, and the team's interest profile. JSON as text, ISO text timestamps.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('papers_items')
    .ifNotExists()
    .addColumn('arxiv_id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('abstract', 'text', (c) => c.notNull())
    .addColumn('authors', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('primary_category', 'varchar(40)')
    .addColumn('announce_type', 'varchar(20)', (c) => c.notNull())
    .addColumn('sources', 'text', (c) => c.notNull())
    .addColumn('hf_upvotes', 'integer')
    .addColumn('published_at', 'varchar(40)')
    .addColumn('announced_on', 'varchar(10)', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('papers_items_announced_on')
    .ifNotExists()
    .on('papers_items')
    .column('announced_on')
    .execute();
  await db.schema
    .createTable('papers_digests')
    .ifNotExists()
    .addColumn('id', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('language', 'varchar(10)', (c) => c.notNull())
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('header_message_ids', 'text')
    .addColumn('claimed_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('posted_at', 'varchar(40)')
    .execute();
  await db.schema
    .createTable('papers_digest_entries')
    .ifNotExists()
    .addColumn('digest_id', 'varchar(20)', (c) => c.notNull().references('papers_digests.id'))
    .addColumn('arxiv_id', 'varchar(40)', (c) => c.notNull().references('papers_items.arxiv_id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('summary_language', 'varchar(10)')
    .addColumn('summary_status', 'varchar(20)', (c) => c.notNull())
    .addColumn('summary_error', 'text')
    .addColumn('message_ids', 'text')
    .addColumn('posted_at', 'varchar(40)')
    .addPrimaryKeyConstraint('papers_digest_entries_pk', ['digest_id', 'arxiv_id'])
    .execute();
  await db.schema
    .createIndex('papers_digest_entries_arxiv_id')
    .ifNotExists()
    .on('papers_digest_entries')
    .column('arxiv_id')
    .execute();
  await db.schema
    .createTable('papers_feedback')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('arxiv_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('source', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('papers_profiles')
    .ifNotExists()
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'papers_profiles',
    'papers_feedback',
    'papers_digest_entries',
    'papers_digests',
    'papers_items',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
