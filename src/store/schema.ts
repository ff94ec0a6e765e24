/**
 * Table types of the Alignboard database. Timestamps are ISO-8601 text and JSON is text, so
 * the same rows and queries work on SQLite and PostgreSQL. Each migration that adds a table
 * adds its row type here.
 */
export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  meta: MetaTable;
}
