import type { Store } from '../store/index.js';
import { baseRefOf, nowIso, requireModelRow, rowToSummary } from './model-rows.js';
import type { ModelSummary } from './schemas.js';

/**
 * Soft-deletes a model: it leaves the catalog but stays reachable by id, so the lineage of the
 * models built on it keeps its chain. Deleting twice keeps the first time.
 */
export async function deleteModel(store: Store, ref: string): Promise<ModelSummary> {
  const row = await requireModelRow(store.db, ref);
  if (row.deleted_at === null) {
    const now = nowIso();
    await store.db
      .updateTable('registry_models')
      .set({ deleted_at: now, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    row.deleted_at = now;
    row.updated_at = now;
  }
  return rowToSummary(row, await baseRefOf(store.db, row));
}
