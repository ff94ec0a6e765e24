import { parseAt } from '../common/errors.js';
import type { Store } from '../store/index.js';
import { RegistryError } from './errors.js';
import { getModel } from './get-model.js';
import { nowIso, requireModelRow, resolveBase, searchTextOf, TagsSchema } from './model-rows.js';
import { type ModelDetail, type UpdateModelInput, UpdateModelInputSchema } from './schemas.js';

/**
 * Changes a model's notes, tags, status, owner or base model. A new base is refused when it
 * would close a cycle (`AB_REGISTRY_BASE_CYCLE`, naming the loop); nothing is written then.
 */
export async function updateModel(store: Store, ref: string, patch: UpdateModelInput): Promise<ModelDetail> {
  const p = parseAt(UpdateModelInputSchema, patch, {});
  const id = await store.db.transaction().execute(async (trx) => {
    const row = await requireModelRow(trx, ref);
    const set: Record<string, string | null> = { updated_at: nowIso() };
    if (p.notes !== undefined) set.notes = p.notes;
    if (p.tags !== undefined) set.tags = JSON.stringify([...new Set(p.tags)]);
    if (p.status !== undefined) set.status = p.status;
    if (p.owner !== undefined) set.owner = p.owner;
    if (p.baseModelRelation !== undefined) set.base_model_relation = p.baseModelRelation;
    if (p.baseModel === null) {
      Object.assign(set, { base_model_id: null, base_model_external: null, base_model_relation: null });
    } else if (p.baseModel !== undefined) {
      const base = await resolveBase(trx, p.baseModel);
      if (base.id) await assertNoCycle(trx, row.id, `${row.name}@${row.version}`, base.id);
      Object.assign(set, { base_model_id: base.id, base_model_external: base.external });
      if (p.baseModelRelation === undefined && !row.base_model_relation) set.base_model_relation = 'finetune';
    }
    set.search_text = searchTextOf({
      ...row,
      notes: p.notes ?? row.notes,
      owner: p.owner !== undefined ? p.owner : row.owner,
      tags: p.tags ?? TagsSchema.parse(JSON.parse(row.tags)),
    });
    await trx.updateTable('registry_models').set(set).where('id', '=', row.id).execute();
    return row.id;
  });
  return getModel(store, id);
}

/** Walks up from `baseId`; reaching `modelId` means the new link would make a loop. */
async function assertNoCycle(db: Store['db'], modelId: string, label: string, baseId: string): Promise<void> {
  const chain = [label];
  const seen = new Set<string>();
  let current: string | null = baseId;
  while (current !== null && !seen.has(current)) {
    seen.add(current);
    const r = await db
      .selectFrom('registry_models')
      .select(['id', 'name', 'version', 'base_model_id'])
      .where('id', '=', current)
      .executeTakeFirst();
    if (!r) return;
    chain.push(`${r.name}@${r.version}`);
    if (r.id === modelId) {
      throw new RegistryError(
        'AB_REGISTRY_BASE_CYCLE',
        `base model would form a cycle: ${chain.join(' → ')}; a model cannot descend from itself`,
        { field: 'baseModel' },
      );
    }
    current = r.base_model_id;
  }
}
