import { z } from 'zod';
import { parseAt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Store } from '../store/index.js';
import { hubModelSource, localModelSource } from './model-source.js';
import { readModelFolder } from './read-model-folder.js';
import { registerModel } from './register-model.js';
import { BaseRelationSchema, type ModelDetail, ModelStatusSchema, TrainingInfoSchema } from './schemas.js';

export const ImportModelInputSchema = z
  .object({
    /** A local Hugging Face model folder. */
    path: z.string().min(1).optional(),
    /** A Hub repo id (`owner/name` or `hf://owner/name`). */
    hubRepo: z.string().min(1).max(200).optional(),
    revision: z.string().min(1).max(200).optional(),
    name: z.string().min(1).max(300).optional(),
    version: z.string().min(1).max(100).optional(),
    owner: z.string().min(1).max(200).optional(),
    tags: z.array(z.string().min(1).max(100)).max(100).optional(),
    notes: z.string().max(100_000).optional(),
    status: ModelStatusSchema.optional(),
    baseModel: z.string().min(1).max(300).optional(),
    baseModelRelation: BaseRelationSchema.optional(),
    training: TrainingInfoSchema.optional(),
  })
  .refine((v) => (v.path === undefined) !== (v.hubRepo === undefined), {
    message: 'give exactly one of "path" (a local folder) or "hubRepo" (a Hub repo id)',
    path: ['path'],
  });
export type ImportModelInput = z.input<typeof ImportModelInputSchema>;

export interface ImportModelOptions {
  log?: Logger;
  signal?: AbortSignal;
  /** The Hub's base URL; tests point it at a local server. */
  hubUrl?: string;
  /** A Hub token for private repos; never logged. */
  hubToken?: string;
  hubTimeoutMs?: number;
}

/**
 * Imports a model from a local Hugging Face folder or a Hub repo: reads every metadata file and
 * the safetensors headers (never the weights), then registers it. The folder is read completely
 * before the store is touched, so a bad file leaves nothing half written.
 */
export async function importModel(
  store: Store,
  input: ImportModelInput,
  opts: ImportModelOptions = {},
): Promise<ModelDetail> {
  const log = opts.log ?? silentLogger;
  const i = parseAt(ImportModelInputSchema, input, {});
  const source = i.path
    ? await localModelSource(i.path)
    : hubModelSource({
        repo: i.hubRepo ?? '',
        revision: i.revision,
        hubUrl: opts.hubUrl,
        accessToken: opts.hubToken,
        timeoutMs: opts.hubTimeoutMs,
        signal: opts.signal,
      });
  log.debug({ location: source.location }, 'reading model folder');
  const imported = await readModelFolder(source);
  return registerModel(
    store,
    {
      name: i.name ?? source.displayName,
      version: i.version,
      owner: i.owner,
      tags: i.tags,
      notes: i.notes,
      status: i.status,
      location: source.location,
      sourceKind: source.kind,
      baseModel: i.baseModel,
      baseModelRelation: i.baseModelRelation,
      training: i.training,
      imported,
    },
    { log },
  );
}
