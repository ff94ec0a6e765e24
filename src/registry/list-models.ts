import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { parseAt } from '../common/errors.js';
import type { Database, Store } from '../store/index.js';
import { rowToSummary } from './model-rows.js';
import { type BaseModelRef, type ListModelsQuery, ListModelsQuerySchema, type ModelList } from './schemas.js';

type Eb = ExpressionBuilder<Database, 'registry_models'>;

/** A LIKE pattern for `word`; `%` becomes a one-character wildcard so input never widens a match. */
const like = (word: string): string => `%${word.toLowerCase().replaceAll('%', '_')}%`;

/** Columns a catalog row needs; the bulky JSON stays in registry_model_details. */
const SUMMARY_COLUMNS = [
  'id',
  'name',
  'version',
  'owner',
  'tags',
  'notes',
  'status',
  'location',
  'source_kind',
  'family',
  'architecture',
  'is_adapter',
  'parameter_count',
  'size_bytes',
  'base_model_id',
  'base_model_external',
  'base_model_relation',
  'chat_template_hash',
  'search_text',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

/**
 * The catalog: filters (family, owner, tag, status, parameter range), a word search over the
 * precomputed `search_text` column and a page, with the total and
 * the facet counts the filter menus show (one index-only scan). Portable SQL.
 */
export async function listModels(store: Store, query: ListModelsQuery = {}): Promise<ModelList> {
  const q = parseAt(ListModelsQuerySchema, query, { field: 'query' });
  const filter = (eb: Eb): Expression<SqlBool> => {
    const all: Expression<SqlBool>[] = [];
    if (!q.includeDeleted) all.push(eb('deleted_at', 'is', null));
    if (q.family) all.push(eb('family', '=', q.family));
    if (q.owner) all.push(eb('owner', '=', q.owner));
    if (q.status) all.push(eb('status', '=', q.status));
    if (q.tag) all.push(eb('tags', 'like', like(JSON.stringify(q.tag))));
    if (q.minParams !== undefined) all.push(eb('parameter_count', '>=', q.minParams));
    if (q.maxParams !== undefined) all.push(eb('parameter_count', '<=', q.maxParams));
    for (const word of (q.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
      all.push(eb('search_text', 'like', like(word)));
    }
    return eb.and(all);
  };
  const db = store.db;
  let page = db.selectFrom('registry_models').select(SUMMARY_COLUMNS).where(filter);
  if (q.sort === 'name') page = page.orderBy('name', 'asc').orderBy('version', 'asc');
  else if (q.sort === 'params') page = page.orderBy('parameter_count', 'desc');
  else page = page.orderBy('created_at', 'desc');
  // Two queries, not a window count: the page can walk the sort index and stop at `limit`,
  // and the count reads only narrow columns.
  const rows = await page.orderBy('id', 'asc').limit(q.limit).offset(q.offset).execute();
  const count = await db
    .selectFrom('registry_models')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where(filter)
    .executeTakeFirstOrThrow();
  const total = Number(count.n);

  const baseIds = [...new Set(rows.map((r) => r.base_model_id).filter((id): id is string => id !== null))];
  const bases = baseIds.length
    ? await db
        .selectFrom('registry_models')
        .select(['id', 'name', 'version'])
        .where('id', 'in', baseIds)
        .execute()
    : [];
  const baseById = new Map(bases.map((b) => [b.id, b]));
  const items = rows.map((row) => {
    const b = row.base_model_id ? baseById.get(row.base_model_id) : undefined;
    const base: BaseModelRef | null = b
      ? { id: b.id, name: b.name, version: b.version, relation: row.base_model_relation }
      : row.base_model_external
        ? { id: null, name: row.base_model_external, version: null, relation: row.base_model_relation }
        : null;
    return rowToSummary(row, base);
  });
  return { total, items, facets: await facets(store) };
}

/** Counts per family, owner and status over live models, from one grouped scan of the facet index. */
async function facets(store: Store): Promise<ModelList['facets']> {
  const groups = await store.db
    .selectFrom('registry_models')
    .select(['family', 'owner', 'status'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('deleted_at', 'is', null)
    .groupBy(['family', 'owner', 'status'])
    .execute();
  const tally = (key: 'family' | 'owner' | 'status') => {
    const counts = new Map<string, number>();
    for (const g of groups) {
      const value = g[key];
      if (value !== null) counts.set(value, (counts.get(value) ?? 0) + Number(g.n));
    }
    return [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([value, count]) => ({ value, count }));
  };
  return { families: tally('family'), owners: tally('owner'), statuses: tally('status') };
}
