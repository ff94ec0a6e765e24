import type { Store } from '../store/index.js';
import { RegistryError } from './errors.js';
import { loadTraining, type ModelRow, requireModelRow, rowToEvaluation } from './model-rows.js';
import type { Lineage, LineageEdge, LineageNode, Scalar, TrainingInfo } from './schemas.js';

/** How far up a base chain we follow; real chains are a handful of links long. */
const MAX_CHAIN = 100;

/**
 * The lineage graph of a model: its base chain to the root (registry models, then an external
 * placeholder), for each model in the chain its training run and the dataset versions the run
 * consumed and the reward model it optimised, its evaluations, and the models built directly on
 * it. Edges point from a model to what it came from: model → base, model → run, run → dataset,
 * run → reward model, model → evaluation.
 */
export async function getLineage(store: Store, ref: string): Promise<Lineage> {
  const db = store.db;
  const root = await requireModelRow(db, ref);
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const addEdge = (source: string, target: string, kind: LineageEdge['kind'], label: string | null) =>
    edges.push({ id: `${kind}:${source}->${target}`, source, target, kind, label });

  const chain: string[] = [];
  let row: ModelRow | undefined = root;
  while (row) {
    if (nodes.has(row.id)) {
      throw new RegistryError(
        'AB_REGISTRY_BASE_CYCLE',
        `base-model links form a cycle: ${[...chain, `${row.name}@${row.version}`].join(' → ')}; fix one link with "alignboard model update --base"`,
        { field: 'baseModel' },
      );
    }
    chain.push(`${row.name}@${row.version}`);
    nodes.set(row.id, modelNode(row));
    await addTrainingAndEvaluations(store, row, nodes, addEdge);
    if (chain.length > MAX_CHAIN) break;
    if (row.base_model_id) {
      const base: ModelRow | undefined = await db
        .selectFrom('registry_models')
        .selectAll()
        .where('id', '=', row.base_model_id)
        .executeTakeFirst();
      if (base) addEdge(row.id, base.id, 'base-model', row.base_model_relation);
      row = base;
    } else {
      if (row.base_model_external) {
        const id = `external:${row.base_model_external}`;
        nodes.set(id, {
          id,
          kind: 'external-model',
          label: row.base_model_external,
          modelId: null,
          details: { external: true },
        });
        addEdge(row.id, id, 'base-model', row.base_model_relation);
      }
      row = undefined;
    }
  }

  const children = await db
    .selectFrom('registry_models')
    .selectAll()
    .where('base_model_id', '=', root.id)
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'asc')
    .limit(200)
    .execute();
  for (const child of children) {
    if (nodes.has(child.id)) continue;
    nodes.set(child.id, modelNode(child));
    addEdge(child.id, root.id, 'base-model', child.base_model_relation);
  }
  return { rootId: root.id, nodes: [...nodes.values()], edges };
}

function modelNode(row: ModelRow): LineageNode {
  return {
    id: row.id,
    kind: 'model',
    label: `${row.name}@${row.version}`,
    modelId: row.id,
    details: {
      family: row.family,
      parameterCount: row.parameter_count === null ? null : Number(row.parameter_count),
      status: row.status,
      owner: row.owner,
      isAdapter: row.is_adapter === 1,
      deleted: row.deleted_at !== null,
    },
  };
}

async function addTrainingAndEvaluations(
  store: Store,
  row: ModelRow,
  nodes: Map<string, LineageNode>,
  addEdge: (s: string, t: string, k: LineageEdge['kind'], l: string | null) => void,
): Promise<void> {
  const training: TrainingInfo | null = await loadTraining(store.db, row.id);
  if (training) {
    const runId = `run:${training.runId ?? row.id}`;
    const details: Record<string, Scalar> = {
      algorithm: training.algorithm ?? null,
      recipe: training.recipe ?? null,
      recipeHash: training.recipeHash ?? null,
      engine: training.engine ?? null,
      runId: training.runId ?? null,
    };
    for (const [k, v] of Object.entries(training.hyperparameters)) details[`hp.${k}`] = v;
    nodes.set(runId, {
      id: runId,
      kind: 'run',
      label: `${training.algorithm ?? 'training'} run${training.runId ? ` ${training.runId}` : ''}`,
      modelId: null,
      details,
    });
    addEdge(row.id, runId, 'trained-by', training.algorithm ?? null);
    for (const d of training.datasets) {
      const id = `dataset:${d.name}@${d.version ?? d.contentHash ?? 'unversioned'}`;
      nodes.set(id, {
        id,
        kind: 'dataset',
        label: d.version ? `${d.name}@${d.version}` : d.name,
        modelId: null,
        details: {
          version: d.version ?? null,
          contentHash: d.contentHash ?? null,
          contractVersion: d.contractVersion ?? null,
          gateStatus: d.gateStatus ?? null,
          role: d.role ?? null,
        },
      });
      addEdge(runId, id, 'used-dataset', d.role ?? null);
    }
    const rewardModel = training.rewardModelId
      ? await store.db
          .selectFrom('registry_models')
          .selectAll()
          .where('id', '=', training.rewardModelId)
          .executeTakeFirst()
      : undefined;
    if (rewardModel) {
      if (!nodes.has(rewardModel.id)) nodes.set(rewardModel.id, modelNode(rewardModel));
      addEdge(runId, rewardModel.id, 'used-reward-model', null);
    }
  }
  const evaluations = await store.db
    .selectFrom('registry_evaluations')
    .selectAll()
    .where('model_id', '=', row.id)
    .orderBy('created_at', 'asc')
    .execute();
  for (const e of evaluations.map(rowToEvaluation)) {
    const id = `evaluation:${e.id}`;
    nodes.set(id, { id, kind: 'evaluation', label: e.name, modelId: null, details: { ...e.metrics } });
    addEdge(row.id, id, 'evaluated-by', null);
  }
}
