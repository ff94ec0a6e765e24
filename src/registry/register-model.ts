import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseAt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Store } from '../store/index.js';
import { RegistryError } from './errors.js';
import { baseRefOf, nowIso, resolveBase, rowToDetail, searchTextOf } from './model-rows.js';
import {
  BaseRelationSchema,
  ImportedModelSchema,
  type ModelDetail,
  ModelStatusSchema,
  type TrainingInfo,
  TrainingInfoSchema,
} from './schemas.js';

export const RegisterModelInputSchema = z.object({
  name: z.string().min(1).max(300),
  /** Defaults to the next integer version of `name` ("1", "2", …). */
  version: z.string().min(1).max(100).optional(),
  owner: z.string().min(1).max(200).optional(),
  tags: z.array(z.string().min(1).max(100)).max(100).default([]),
  notes: z.string().max(100_000).default(''),
  status: ModelStatusSchema.default('candidate'),
  /** A local path, an `hf://` id, or an S3-style URI kept as text. */
  location: z.string().min(1),
  sourceKind: z.enum(['local', 'hub', 'manual']).default('manual'),
  /** A registry ref (id, `name@version`, name, `hf://` location) or an external id. */
  baseModel: z.string().min(1).max(300).optional(),
  baseModelRelation: BaseRelationSchema.optional(),
  training: TrainingInfoSchema.optional(),
  /** What `readModelFolder` found; absent for a model registered by reference only. */
  imported: ImportedModelSchema.optional(),
});
export type RegisterModelInput = z.input<typeof RegisterModelInputSchema>;

/** Algorithm names a Hub model card's tags reveal (TRL tags its trainer outputs this way). */
const ALGORITHM_TAGS: Record<string, string> = {
  sft: 'sft',
  dpo: 'dpo',
  'online-dpo': 'online-dpo',
  ppo: 'ppo',
  orpo: 'orpo',
  kto: 'kto',
  grpo: 'grpo',
  'reward-trainer': 'reward',
  'reward-model': 'reward',
};

/**
 * Registers one model version (what training calls with lineage, and what import calls after
 * reading a folder). Everything is validated and resolved first, then written in one
 * transaction: a failure writes nothing.
 */
export async function registerModel(
  store: Store,
  input: RegisterModelInput,
  opts: { log?: Logger } = {},
): Promise<ModelDetail> {
  const log = opts.log ?? silentLogger;
  const m = parseAt(RegisterModelInputSchema, input, { field: 'model' });
  const imported = m.imported;
  const card = imported?.card ?? null;
  const baseRef = m.baseModel ?? imported?.adapter?.baseModel ?? card?.baseModels[0];
  const relation =
    m.baseModelRelation ??
    BaseRelationSchema.safeParse(card?.baseModelRelation).data ??
    (imported?.isAdapter ? 'adapter' : baseRef ? 'finetune' : null);
  const training = mergeTraining(
    m.training,
    imported?.hyperparameters ?? null,
    card?.datasets ?? [],
    card?.tags ?? [],
  );
  const tags = [...new Set([...m.tags, ...(card?.tags ?? [])])];

  const { row, details } = await store.db.transaction().execute(async (trx) => {
    const version = m.version ?? (await nextVersion(trx, m.name));
    const clash = await trx
      .selectFrom('registry_models')
      .select('id')
      .where('name', '=', m.name)
      .where('version', '=', version)
      .executeTakeFirst();
    if (clash) {
      throw new RegistryError(
        'AB_REGISTRY_MODEL_EXISTS',
        `"${m.name}@${version}" is already registered (id ${clash.id}); pass another --version`,
        { field: 'version' },
      );
    }
    const base = baseRef ? await resolveBase(trx, baseRef) : { id: null, external: null };
    let family = imported?.spec?.family ?? null;
    if (family === null && base.id) {
      // An adapter has no config.json; it is of its base model's family.
      const b = await trx
        .selectFrom('registry_models')
        .select('family')
        .where('id', '=', base.id)
        .executeTakeFirst();
      family = b?.family ?? null;
    }
    const now = nowIso();
    const values = {
      id: randomUUID(),
      name: m.name,
      version,
      owner: m.owner ?? null,
      tags: JSON.stringify(tags),
      notes: m.notes,
      status: m.status,
      location: m.location,
      source_kind: m.sourceKind,
      family,
      architecture: imported?.spec?.architecture ?? null,
      is_adapter: imported?.isAdapter ? 1 : 0,
      parameter_count: imported?.weights?.parameterCount ?? null,
      size_bytes: imported?.weights?.sizeBytes ?? null,
      base_model_id: base.id,
      base_model_external: base.external,
      base_model_relation: baseRef ? relation : null,
      chat_template_hash: imported?.chatTemplate?.hash ?? null,
      search_text: searchTextOf({
        name: m.name,
        version,
        owner: m.owner ?? null,
        family,
        architecture: imported?.spec?.architecture ?? null,
        tags,
        notes: m.notes,
        location: m.location,
      }),
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    const details = {
      model_id: values.id,
      spec: imported?.spec ? JSON.stringify(imported.spec) : null,
      files: JSON.stringify(imported?.files ?? []),
      card: imported
        ? JSON.stringify({
            card: imported.card,
            adapter: imported.adapter,
            tokenizer: imported.tokenizer,
            weights: imported.weights,
            chatTemplateSource: imported.chatTemplate?.source ?? null,
          })
        : null,
      training: training ? JSON.stringify(training) : null,
      curves: imported?.curves ? JSON.stringify(imported.curves) : null,
      chat_template: imported?.chatTemplate?.text ?? null,
      generation: imported?.generation ? JSON.stringify(imported.generation) : null,
    };
    await trx.insertInto('registry_models').values(values).execute();
    await trx.insertInto('registry_model_details').values(details).execute();
    return { row: values, details };
  });
  log.info({ modelId: row.id, name: row.name, version: row.version }, 'model registered');
  return rowToDetail(row, details, await baseRefOf(store.db, row), []);
}

async function nextVersion(db: Store['db'], name: string): Promise<string> {
  const rows = await db.selectFrom('registry_models').select('version').where('name', '=', name).execute();
  const numbers = rows.map((r) => Number(r.version)).filter((n) => Number.isSafeInteger(n));
  return String(numbers.length > 0 ? Math.max(...numbers) + 1 : 1);
}

/** Explicit training info wins; a folder's training_args.json and card fill what it leaves out. */
function mergeTraining(
  given: TrainingInfo | undefined,
  hyperparameters: TrainingInfo['hyperparameters'] | null,
  cardDatasets: string[],
  cardTags: string[],
): TrainingInfo | null {
  const algorithm = given?.algorithm ?? cardTags.map((t) => ALGORITHM_TAGS[t]).find((a) => a !== undefined);
  const merged: TrainingInfo = {
    ...given,
    algorithm,
    hyperparameters: { ...hyperparameters, ...given?.hyperparameters },
    datasets: given?.datasets.length ? given.datasets : cardDatasets.map((name) => ({ name })),
  };
  const isEmpty =
    !merged.algorithm &&
    !merged.runId &&
    !merged.recipeHash &&
    Object.keys(merged.hyperparameters).length === 0 &&
    merged.datasets.length === 0;
  return isEmpty ? null : merged;
}
