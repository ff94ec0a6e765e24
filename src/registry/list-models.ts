import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { parseAt } from '../common/errors.js';
import type { Database, Store } from '../store/index.js';
import { rowToSummary } from './model-rows.js';
import { type BaseModelRef, type ListModelsQuery, ListModelsQuerySchema, type ModelList } from './schemas.js';

type Eb = ExpressionBuilder<Database, 'registry_models'>;

/** A LIKE pattern for `word`; `%` becomes a one-character wildcard so input never widens a match. */
const like = (word: string): string => `%${word.toLowerCase().replaceAll('%', '_')}%`;

const SEARCHED = ['name', 'version', 'owner', 'family', 'architecture', 'tags', 'notes', 'location'] as const;

/**
 * The catalog: filters (family, owner, tag, status, parameter range), a word search and a page,
 * with the total and the facet counts the filter menus show. Portable SQL (lower/LIKE).
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
      all.push(eb.or(SEARCHED.map((col) => eb(eb.fn('lower', [col]), 'like', like(word)))));
    }
    return eb.and(all);
  };
  const db = store.db;
  let page = db.selectFrom('registry_models').selectAll().where(filter);
  if (q.sort === 'name') page = page.orderBy('name', 'asc').orderBy('version', 'asc');
  else if (q.sort === 'params') page = page.orderBy('parameter_count', 'desc');
  else page = page.orderBy('created_at', 'desc');
  const rows = await page.orderBy('id', 'asc').limit(q.limit).offset(q.offset).execute();
  const total = await db
    .selectFrom('registry_models')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where(filter)
    .executeTakeFirstOrThrow();

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
  return { total: Number(total.n), items, facets: await facets(store) };
}

async function facets(store: Store): Promise<ModelList['facets']> {
  const count = async (col: 'family' | 'owner' | 'status') => {
    const rows = await store.db
      .selectFrom('registry_models')
      .select((eb) => [col, eb.fn.countAll<number | string>().as('n')])
      .where('deleted_at', 'is', null)
      .where(col, 'is not', null)
      .groupBy(col)
      .orderBy(col)
      .execute();
    return rows.map((r) => ({ value: String(r[col]), count: Number(r.n) }));
  };
  return { families: await count('family'), owners: await count('owner'), statuses: await count('status') };
}
