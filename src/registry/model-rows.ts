import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Database, Store } from '../store/index.js';
import { RegistryError } from './errors.js';
import {
  AdapterInfoSchema,
  type BaseModelRef,
  ChatTemplateSchema,
  CurvePointSchema,
  type Evaluation,
  EvaluationSchema,
  FileEntrySchema,
  ModelCardSchema,
  type ModelDetail,
  ModelSpecSchema,
  ModelStatusSchema,
  type ModelSummary,
  ScalarSchema,
  TokenizerInfoSchema,
  type TrainingInfo,
  TrainingInfoSchema,
  WeightsSchema,
} from './schemas.js';

export type ModelRow = Selectable<Database['registry_models']>;
export type DetailsRow = Selectable<Database['registry_model_details']>;
export type EvaluationRow = Selectable<Database['registry_evaluations']>;
type Db = Store['db'];

export const nowIso = (): string => new Date().toISOString();

/** PostgreSQL returns bigint columns as strings; SQLite as numbers. */
const toNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** Columns we store as JSON text, each with the schema it was written with. */
const Stored = z.object({
  tags: z.array(z.string()),
  spec: ModelSpecSchema.nullable(),
  files: z.array(FileEntrySchema),
  card: z
    .object({
      card: ModelCardSchema.nullable(),
      adapter: AdapterInfoSchema.nullable(),
      tokenizer: TokenizerInfoSchema.nullable(),
      weights: WeightsSchema.nullable(),
      chatTemplateSource: z.string().nullable().optional(),
    })
    .nullable(),
  training: TrainingInfoSchema.nullable(),
  curves: z.array(CurvePointSchema).nullable(),
  generation: z.record(z.string(), ScalarSchema).nullable(),
});

export const TagsSchema = z.array(z.string());
const SourceKindSchema = z.enum(['local', 'hub', 'manual']);

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function rowToSummary(row: ModelRow, base: BaseModelRef | null): ModelSummary {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    owner: row.owner,
    tags: TagsSchema.parse(JSON.parse(row.tags)),
    status: ModelStatusSchema.parse(row.status),
    location: row.location,
    sourceKind: SourceKindSchema.parse(row.source_kind),
    family: row.family,
    architecture: row.architecture,
    isAdapter: row.is_adapter === 1,
    parameterCount: toNumber(row.parameter_count),
    sizeBytes: toNumber(row.size_bytes),
    baseModel: base,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export function rowToDetail(
  row: ModelRow,
  details: DetailsRow | undefined,
  base: BaseModelRef | null,
  evaluations: Evaluation[],
): ModelDetail {
  const stored = Stored.parse({
    tags: json(row.tags),
    spec: json(details?.spec ?? null),
    files: json(details?.files ?? '[]'),
    card: json(details?.card ?? null),
    training: json(details?.training ?? null),
    curves: json(details?.curves ?? null),
    generation: json(details?.generation ?? null),
  });
  return {
    ...rowToSummary(row, base),
    notes: row.notes,
    spec: stored.spec,
    weights: stored.card?.weights ?? null,
    files: stored.files,
    card: stored.card?.card ?? null,
    adapter: stored.card?.adapter ?? null,
    tokenizer: stored.card?.tokenizer ?? null,
    chatTemplate:
      details?.chat_template != null && row.chat_template_hash !== null
        ? ChatTemplateSchema.parse({
            text: details.chat_template,
            hash: row.chat_template_hash,
            source: stored.card?.chatTemplateSource ?? 'registry',
          })
        : null,
    generation: stored.generation,
    training: stored.training,
    curves: stored.curves,
    evaluations,
  };
}

export function rowToEvaluation(row: EvaluationRow): Evaluation {
  return EvaluationSchema.parse({
    id: row.id,
    modelId: row.model_id,
    name: row.name,
    metrics: JSON.parse(row.metrics),
    contractHash: row.contract_hash,
    createdAt: row.created_at,
  });
}

/**
 * Finds a model by reference: its id, `name@version`, or a name (its newest live version).
 * Soft-deleted models are found by id and `name@version` only.
 */
export async function findModelRow(db: Db, ref: string): Promise<ModelRow | undefined> {
  const byId = await db.selectFrom('registry_models').selectAll().where('id', '=', ref).executeTakeFirst();
  if (byId) return byId;
  const at = ref.lastIndexOf('@');
  if (at > 0) {
    const row = await db
      .selectFrom('registry_models')
      .selectAll()
      .where('name', '=', ref.slice(0, at))
      .where('version', '=', ref.slice(at + 1))
      .executeTakeFirst();
    if (row) return row;
  }
  return db
    .selectFrom('registry_models')
    .selectAll()
    .where('name', '=', ref)
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function requireModelRow(db: Db, ref: string): Promise<ModelRow> {
  const row = await findModelRow(db, ref);
  if (!row) {
    throw new RegistryError(
      'AB_REGISTRY_MODEL_NOT_FOUND',
      `no model "${ref}" in the registry; use an id, name@version or name (see "alignboard model list")`,
      { field: 'model' },
    );
  }
  return row;
}

/** The base of `row` as shown to users: a registry model or an external placeholder. */
export async function baseRefOf(db: Db, row: ModelRow): Promise<BaseModelRef | null> {
  if (row.base_model_id) {
    const base = await db
      .selectFrom('registry_models')
      .select(['id', 'name', 'version'])
      .where('id', '=', row.base_model_id)
      .executeTakeFirst();
    if (base)
      return { id: base.id, name: base.name, version: base.version, relation: row.base_model_relation };
  }
  if (row.base_model_external) {
    return { id: null, name: row.base_model_external, version: null, relation: row.base_model_relation };
  }
  return null;
}

/**
 * Resolves a base-model reference: a live registry model (by id, `name@version`, name, or the
 * `hf://` location it was imported from), else an external placeholder such as
 * `meta-llama/Llama-3.1-8B`.
 */
export async function resolveBase(
  db: Db,
  ref: string,
): Promise<{ id: string | null; external: string | null }> {
  const row = await findModelRow(db, ref);
  if (row) return { id: row.id, external: null };
  const hub = ref.startsWith('hf://') ? ref : `hf://${ref}`;
  const byLocation = await db
    .selectFrom('registry_models')
    .select('id')
    .where('location', 'in', [ref, hub])
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (byLocation) return { id: byLocation.id, external: null };
  return { id: null, external: ref.replace(/^hf:\/\//, '') };
}

export function loadDetails(db: Db, modelId: string): Promise<DetailsRow | undefined> {
  return db
    .selectFrom('registry_model_details')
    .selectAll()
    .where('model_id', '=', modelId)
    .executeTakeFirst();
}

/** The training info of a model, for lineage; null when it has none. */
export async function loadTraining(db: Db, modelId: string): Promise<TrainingInfo | null> {
  const row = await db
    .selectFrom('registry_model_details')
    .select('training')
    .where('model_id', '=', modelId)
    .executeTakeFirst();
  return row?.training ? TrainingInfoSchema.parse(JSON.parse(row.training)) : null;
}

/** The catalog search column: every searchable field, lowercased, in one string. */
export function searchTextOf(m: {
  name: string;
  version: string;
  owner: string | null;
  family: string | null;
  architecture: string | null;
  tags: string[];
  notes: string;
  location: string;
}): string {
  return [m.name, m.version, m.owner, m.family, m.architecture, m.tags.join(' '), m.notes, m.location]
    .filter((v) => v !== null && v !== '')
    .join('\n')
    .toLowerCase();
}
