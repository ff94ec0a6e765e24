import type { Store } from '../store/index.js';
import { baseRefOf, loadDetails, requireModelRow, rowToDetail, rowToEvaluation } from './model-rows.js';
import type { ModelDetail } from './schemas.js';

/** One model's page: summary, spec, weights, files, card, training, curves and evaluations. */
export async function getModel(store: Store, ref: string): Promise<ModelDetail> {
  const row = await requireModelRow(store.db, ref);
  const evaluations = await store.db
    .selectFrom('registry_evaluations')
    .selectAll()
    .where('model_id', '=', row.id)
    .orderBy('created_at', 'asc')
    .execute();
  return rowToDetail(
    row,
    await loadDetails(store.db, row.id),
    await baseRefOf(store.db, row),
    evaluations.map(rowToEvaluation),
  );
}
