import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../store/index.js';
import { RegistryError } from './errors.js';
import { getModel } from './get-model.js';

/** Raw files we show: the metadata a model page links to, never weights. */
const MAX_FILE_BYTES = 2_000_000;
const TEXT_FILE = /\.(json|md|jinja|txt|yaml|yml|model\.index\.json)$/i;

/**
 * The text of one metadata file of a locally imported model (config.json, README.md,
 * chat_template.jinja, …): what "raw files one click away" opens. Only files recorded at import,
 * only text, at most 2 MB; weights are never served.
 */
export async function readModelFile(
  store: Store,
  ref: string,
  file: string,
): Promise<{ path: string; text: string }> {
  const model = await getModel(store, ref);
  const entry = model.files.find((f) => f.path === file);
  if (!entry || model.sourceKind !== 'local') {
    throw new RegistryError(
      'AB_REGISTRY_FILE_NOT_FOUND',
      `model ${model.name}@${model.version} has no local file "${file}"; see its file list`,
      { file, field: 'path' },
    );
  }
  if (!TEXT_FILE.test(file) || entry.sizeBytes > MAX_FILE_BYTES) {
    throw new RegistryError(
      'AB_REGISTRY_FILE_NOT_TEXT',
      `only text metadata files up to ${MAX_FILE_BYTES} bytes are shown, not weights`,
      { file, field: 'path' },
    );
  }
  const full = path.join(model.location, ...file.split('/'));
  const info = await stat(full).catch((err: unknown) => {
    throw new RegistryError(
      'AB_REGISTRY_FILE_NOT_FOUND',
      'was removed from the model folder since import',
      { file: full },
      { cause: err },
    );
  });
  if (info.size > MAX_FILE_BYTES) {
    throw new RegistryError('AB_REGISTRY_FILE_NOT_TEXT', `grew to ${info.size} bytes since import`, {
      file: full,
    });
  }
  return { path: file, text: await readFile(full, 'utf8') };
}
