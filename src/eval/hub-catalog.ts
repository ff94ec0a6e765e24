import { parseAt } from '../common/errors.js';
import { getModel } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { resolveTask } from './builtin-tasks.js';
import { getEndpoint } from './endpoints.js';
import { EvaluationError } from './errors.js';
import {
  type Binding,
  type ImportTaskInput,
  type Suite,
  type SuiteInput,
  SuiteSchema,
  type TaskInfo,
} from './hub-schemas.js';
import { type TaskSpec, TaskSpecSchema } from './schemas.js';

const now = () => new Date().toISOString();

function taskInfo(spec: TaskSpec, source: string, createdAt: string): TaskInfo {
  return {
    name: spec.name,
    outputType: spec.outputType,
    version: spec.version,
    fewshot: spec.fewshot.n,
    maxTokens: spec.generation.maxTokens,
    temperature: spec.generation.temperature,
    source,
    createdAt,
  };
}

/**
 * Imports a task into the hub's task list: a built-in (`mt-bench`, `arena-hard`, its data under
 * `benchmarksDir` unless `datasetPath` names the folder) or a task file (lm-eval YAML or ours).
 * Re-importing replaces it.
 */
export async function importHubTask(
  store: Store,
  input: ImportTaskInput,
  opts: { benchmarksDir: string },
): Promise<TaskInfo> {
  const { task: spec } = await resolveTask(input.file, {
    benchmarksDir: opts.benchmarksDir,
    ...(input.datasetPath && { datasetPath: input.datasetPath }),
  });
  const createdAt = now();
  await store.db
    .insertInto('eval_tasks')
    .values({ name: spec.name, spec: JSON.stringify(spec), source: input.file, created_at: createdAt })
    .onConflict((oc) => oc.column('name').doUpdateSet({ spec: JSON.stringify(spec), source: input.file }))
    .execute();
  return taskInfo(spec, input.file, createdAt);
}

export async function listHubTasks(store: Store): Promise<TaskInfo[]> {
  const rows = await store.db.selectFrom('eval_tasks').selectAll().orderBy('name').execute();
  return rows.map((r) =>
    taskInfo(
      parseAt(TaskSpecSchema, JSON.parse(r.spec), { field: `tasks.${r.name}` }),
      r.source,
      r.created_at,
    ),
  );
}

export async function getHubTask(store: Store, name: string): Promise<TaskSpec> {
  const row = await store.db
    .selectFrom('eval_tasks')
    .select('spec')
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row)
    throw new EvaluationError(
      'AB_EVAL_TASK_NOT_FOUND',
      `no task "${name}" in the hub; import it first (POST /api/eval/tasks/import)`,
      { field: 'task' },
      { status: 404 },
    );
  return parseAt(TaskSpecSchema, JSON.parse(row.spec), { field: `tasks.${name}` });
}

/** Saves a suite (named tasks with pinned settings); every task must already be imported. */
export async function saveSuite(store: Store, input: SuiteInput): Promise<Suite> {
  const suite = parseAt(SuiteSchema, input, { field: 'suite' });
  for (const item of suite.items) await getHubTask(store, item.task);
  await store.db
    .insertInto('eval_suites')
    .values({
      name: suite.name,
      description: suite.description,
      items: JSON.stringify(suite.items),
      created_at: now(),
    })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({ description: suite.description, items: JSON.stringify(suite.items) }),
    )
    .execute();
  return suite;
}

export async function listSuites(store: Store): Promise<Suite[]> {
  const rows = await store.db.selectFrom('eval_suites').selectAll().orderBy('name').execute();
  return rows.map((r) =>
    parseAt(
      SuiteSchema,
      { name: r.name, description: r.description, items: JSON.parse(r.items) },
      {
        field: `suites.${r.name}`,
      },
    ),
  );
}

export async function getSuite(store: Store, name: string): Promise<Suite> {
  const suite = (await listSuites(store)).find((s) => s.name === name);
  if (!suite)
    throw new EvaluationError(
      'AB_EVAL_SUITE_NOT_FOUND',
      `no suite "${name}"`,
      { field: 'suite' },
      { status: 404 },
    );
  return suite;
}

/** Binds a registry model to the endpoint that serves it (and optionally names its baseline). */
export async function bindModel(
  store: Store,
  modelId: string,
  input: { endpointId: string; baselineModelId?: string | null | undefined },
): Promise<void> {
  const endpoint = await getEndpoint(store, input.endpointId);
  const existing = await store.db
    .selectFrom('eval_bindings')
    .select('baseline_model_id')
    .where('model_id', '=', modelId)
    .executeTakeFirst();
  const baseline =
    input.baselineModelId === undefined ? (existing?.baseline_model_id ?? null) : input.baselineModelId;
  await store.db
    .insertInto('eval_bindings')
    .values({ model_id: modelId, endpoint_id: endpoint.id, baseline_model_id: baseline, created_at: now() })
    .onConflict((oc) =>
      oc.column('model_id').doUpdateSet({ endpoint_id: endpoint.id, baseline_model_id: baseline }),
    )
    .execute();
}

export async function listBindingRows(
  store: Store,
): Promise<{ modelId: string; endpointId: string; baselineModelId: string | null }[]> {
  const rows = await store.db.selectFrom('eval_bindings').selectAll().execute();
  return rows.map((r) => ({
    modelId: r.model_id,
    endpointId: r.endpoint_id,
    baselineModelId: r.baseline_model_id,
  }));
}

/** Applies a suite's pinned settings to a task; each lands in the contract. */
export function applySettings(
  spec: TaskSpec,
  s: {
    maxTokens?: number | undefined;
    judgeMaxTokens?: number | undefined;
    temperature?: number | undefined;
    numFewshot?: number | undefined;
    seed?: number | undefined;
  },
): TaskSpec {
  return {
    ...spec,
    fewshot: { ...spec.fewshot, ...(s.numFewshot !== undefined && { n: s.numFewshot }) },
    generation: {
      ...spec.generation,
      ...(s.maxTokens !== undefined && { maxTokens: s.maxTokens }),
      ...(s.temperature !== undefined && { temperature: s.temperature }),
      ...(s.seed !== undefined && { seed: s.seed }),
    },
    ...(spec.judge && {
      judge: { ...spec.judge, ...(s.judgeMaxTokens !== undefined && { maxTokens: s.judgeMaxTokens }) },
    }),
  };
}

/** Bound models with their endpoint's and the model's names, for the run page. */
export async function listBindings(store: Store): Promise<Binding[]> {
  const out: Binding[] = [];
  for (const b of await listBindingRows(store)) {
    const model = await getModel(store, b.modelId).catch(() => null);
    const endpoint = await getEndpoint(store, b.endpointId).catch(() => null);
    if (!model || !endpoint || model.deletedAt) continue;
    out.push({
      modelId: model.id,
      modelName: `${model.name}@${model.version}`,
      endpointId: endpoint.id,
      endpointName: endpoint.name,
      baselineModelId: b.baselineModelId,
    });
  }
  return out;
}
