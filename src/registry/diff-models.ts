import type { Store } from '../store/index.js';
import { diffText } from './diff-text.js';
import { RegistryError } from './errors.js';
import { getModel } from './get-model.js';
import type { DiffRow, ModelDetail, ModelDiff, Scalar } from './schemas.js';

/** How many models one diff compares; a table wider than this is unreadable. */
const MAX_MODELS = 8;

type Section = DiffRow['section'];

/**
 * Compares two or more models field by field: identity and size, spec, parameters per dtype
 * and component, training (algorithm, recipe), hyperparameters, dataset versions, generation
 * defaults and the chat template (hash row plus a line diff against the first model). Each row
 * says whether its values differ; `onlyDifferences` keeps just those rows.
 */
export async function diffModels(
  store: Store,
  refs: string[],
  opts: { onlyDifferences?: boolean } = {},
): Promise<ModelDiff> {
  const unique = [...new Set(refs)];
  if (unique.length < 2 || unique.length > MAX_MODELS) {
    throw new RegistryError(
      'AB_REGISTRY_DIFF_ARGS',
      `a diff compares 2 to ${MAX_MODELS} distinct models, got ${unique.length}`,
      { field: 'ids' },
    );
  }
  const models: ModelDetail[] = [];
  for (const ref of unique) models.push(await getModel(store, ref));

  const rows: DiffRow[] = [];
  const add = (section: Section, field: string, pick: (m: ModelDetail) => Scalar | undefined) => {
    const values = models.map((m) => pick(m) ?? null);
    const first = JSON.stringify(values[0]);
    rows.push({ section, field, values, isDifferent: values.some((v) => JSON.stringify(v) !== first) });
  };
  const keysOf = (pick: (m: ModelDetail) => Record<string, unknown> | null | undefined) =>
    [...new Set(models.flatMap((m) => Object.keys(pick(m) ?? {})))].sort();

  add('model', 'family', (m) => m.family);
  add('model', 'architecture', (m) => m.architecture);
  add('model', 'isAdapter', (m) => m.isAdapter);
  add('model', 'baseModel', (m) => (m.baseModel ? label(m.baseModel.name, m.baseModel.version) : null));
  add('model', 'baseModelRelation', (m) => m.baseModel?.relation);
  add('model', 'parameterCount', (m) => m.parameterCount);
  add('model', 'sizeBytes', (m) => m.sizeBytes);
  add('model', 'status', (m) => m.status);
  add('model', 'owner', (m) => m.owner);
  add('model', 'tags', (m) => m.tags.join(', '));
  add('model', 'location', (m) => m.location);

  const specKeys = keysOf((m) => m.spec).filter((k) => k !== 'rope');
  for (const k of specKeys) {
    add('spec', k, (m) => {
      const value = Object.entries(m.spec ?? {}).find(([key]) => key === k)?.[1];
      return typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
    });
  }
  add('spec', 'rope.theta', (m) => m.spec?.rope?.theta);
  add('spec', 'rope.type', (m) => m.spec?.rope?.type);
  for (const k of keysOf((m) => m.spec?.rope?.scaling))
    add('spec', `rope.${k}`, (m) => m.spec?.rope?.scaling?.[k]);

  add('weights', 'tensorCount', (m) => m.weights?.tensorCount);
  for (const k of keysOf((m) => m.weights?.parametersByDtype)) {
    add('weights', `parameters.${k}`, (m) => m.weights?.parametersByDtype[k]);
  }
  for (const k of keysOf((m) => m.weights?.parametersByComponent)) {
    add('weights', `component.${k}`, (m) => m.weights?.parametersByComponent[k]);
  }

  for (const k of ['algorithm', 'recipe', 'recipeHash', 'engine', 'runId'] as const) {
    add('training', k, (m) => m.training?.[k]);
  }
  for (const k of keysOf((m) => m.training?.hyperparameters)) {
    add('hyperparameters', k, (m) => m.training?.hyperparameters[k]);
  }
  const datasetNames = [
    ...new Set(models.flatMap((m) => m.training?.datasets.map((d) => d.name) ?? [])),
  ].sort();
  for (const name of datasetNames) {
    add('datasets', name, (m) => {
      const d = m.training?.datasets.find((x) => x.name === name);
      if (!d) return null;
      const parts = [d.version, d.contentHash ? `#${d.contentHash.slice(0, 12)}` : undefined, d.gateStatus];
      return parts.filter(Boolean).join(' ') || 'used';
    });
  }
  for (const k of keysOf((m) => m.generation)) add('generation', k, (m) => m.generation?.[k]);
  add('chat-template', 'hash', (m) => m.chatTemplate?.hash);
  add('chat-template', 'source', (m) => m.chatTemplate?.source);

  const [first, ...rest] = models;
  const chatTemplateDiffs = rest.map((m) => {
    const a = first?.chatTemplate?.text ?? '';
    const b = m.chatTemplate?.text ?? '';
    return { fromId: first?.id ?? '', toId: m.id, isDifferent: a !== b, lines: diffText(a, b) };
  });
  const differentCount = rows.filter((r) => r.isDifferent).length;
  return {
    models: models.map((m) => ({ id: m.id, name: m.name, version: m.version })),
    rows: opts.onlyDifferences ? rows.filter((r) => r.isDifferent) : rows,
    chatTemplateDiffs,
    differentCount,
  };
}

const label = (name: string, version: string | null) => (version ? `${name}@${version}` : name);
