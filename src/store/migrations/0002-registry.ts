import type { Kysely } from 'kysely';

/**
 * The model registry: one narrow catalog row per model version, its details (spec, files, card,
 * training as JSON text) in a side table, and the evaluations attached to models. Portable to
 * PostgreSQL: text ids, ISO timestamps, JSON as text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registry_models')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(300)', (c) => c.notNull())
    .addColumn('version', 'varchar(100)', (c) => c.notNull())
    .addColumn('owner', 'varchar(200)')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('family', 'varchar(100)')
    .addColumn('architecture', 'varchar(200)')
    .addColumn('is_adapter', 'integer', (c) => c.notNull())
    .addColumn('parameter_count', 'bigint')
    .addColumn('size_bytes', 'bigint')
    .addColumn('base_model_id', 'varchar(64)')
    .addColumn('base_model_external', 'varchar(300)')
    .addColumn('base_model_relation', 'varchar(40)')
    .addColumn('chat_template_hash', 'varchar(80)')
    // Lowercased name, version, owner, family, architecture, tags, notes and location: one
    // column for the catalog's word search instead of eight lower() calls per row.
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('deleted_at', 'varchar(40)')
    .addUniqueConstraint('registry_models_name_version', ['name', 'version'])
    .execute();
  for (const column of ['family', 'owner', 'status', 'parameter_count', 'created_at', 'base_model_id']) {
    await db.schema
      .createIndex(`registry_models_${column}`)
      .ifNotExists()
      .on('registry_models')
      .column(column)
      .execute();
  }
  // Covers the facet counts and the total (index-only scans). deleted_at goes last: leading
  // with it would make SQLite seek on it and sort the whole catalog instead of walking created_at.
  await db.schema
    .createIndex('registry_models_facets')
    .ifNotExists()
    .on('registry_models')
    .columns(['family', 'owner', 'status', 'deleted_at'])
    .execute();
  // The bulky JSON lives beside the catalog row, so list and search scan narrow rows only.
  await db.schema
    .createTable('registry_model_details')
    .ifNotExists()
    .addColumn('model_id', 'varchar(64)', (c) => c.primaryKey().references('registry_models.id'))
    .addColumn('spec', 'text')
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('card', 'text')
    .addColumn('training', 'text')
    .addColumn('curves', 'text')
    .addColumn('chat_template', 'text')
    .addColumn('generation', 'text')
    .execute();
  await db.schema
    .createTable('registry_evaluations')
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('model_id', 'varchar(64)', (c) => c.notNull().references('registry_models.id'))
    .addColumn('name', 'varchar(300)', (c) => c.notNull())
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addColumn('contract_hash', 'varchar(80)')
    .addColumn('details', 'text')
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('registry_evaluations_model_id')
    .ifNotExists()
    .on('registry_evaluations')
    .column('model_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('registry_evaluations').ifExists().execute();
  await db.schema.dropTable('registry_model_details').ifExists().execute();
  await db.schema.dropTable('registry_models').ifExists().execute();
}
