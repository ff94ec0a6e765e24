import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseAt } from '../common/errors.js';
import type { Store } from '../store/index.js';
import { nowIso, requireModelRow, rowToEvaluation } from './model-rows.js';
import type { Evaluation } from './schemas.js';

export const AttachEvaluationInputSchema = z.object({
  /** The task or suite, e.g. `gsm8k` or `mt-bench`. */
  name: z.string().min(1).max(300),
  metrics: z.record(z.string(), z.number()),
  /** Hash of the pinned evaluation contract: equal hashes mean comparable numbers. */
  contractHash: z.string().max(80).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AttachEvaluationInput = z.input<typeof AttachEvaluationInputSchema>;

/** Attaches an evaluation result to a model; it appears on the model page and in its lineage. */
export async function attachEvaluation(
  store: Store,
  ref: string,
  input: AttachEvaluationInput,
): Promise<Evaluation> {
  const e = parseAt(AttachEvaluationInputSchema, input, { field: 'evaluation' });
  const model = await requireModelRow(store.db, ref);
  const row = {
    id: randomUUID(),
    model_id: model.id,
    name: e.name,
    metrics: JSON.stringify(e.metrics),
    contract_hash: e.contractHash ?? null,
    details: e.details ? JSON.stringify(e.details) : null,
    created_at: nowIso(),
  };
  await store.db.insertInto('registry_evaluations').values(row).execute();
  return rowToEvaluation(row);
}
