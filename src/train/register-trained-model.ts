// Registers a finished run's model with its lineage: base model, reward model (online DPO, PPO),
// recipe and its hash, hyperparameters, dataset versions and the preflight outcome (an override
// is visible as a tag).
import type { Logger } from '../common/logger.js';
import { getModel, type ModelDetail, registerModel } from '../registry/index.js';
import type { Store } from '../store/index.js';
import type { PreflightReport } from './preflight.js';
import type { LoadedRecipe } from './recipe.js';

export interface RegisterTrainedModelInput {
  runId: string;
  recipe: LoadedRecipe;
  modelDir: string;
  preflight: PreflightReport;
  startedAt: string;
  finishedAt: string;
  finalMetrics?: Record<string, number>;
}

const ALGORITHM_NAMES = {
  sft: 'sft',
  rm: 'reward',
  dpo: 'dpo',
  online_dpo: 'online-dpo',
  ppo: 'ppo',
} as const;

export async function registerTrainedModel(
  store: Store,
  input: RegisterTrainedModelInput,
  opts: { log?: Logger } = {},
): Promise<ModelDetail> {
  const r = input.recipe.recipe;
  const hp: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(r.hyperparameters)) if (v !== undefined) hp[k] = v;
  const algo = r.algorithm === 'rm' ? null : r.algorithm === 'sft' ? null : r[r.algorithm];
  if (algo)
    for (const [k, v] of Object.entries(algo))
      if (v !== null && v !== undefined) hp[`${r.algorithm}.${k}`] = v;
  if (r.algorithm === 'rm') for (const [k, v] of Object.entries(r.rm)) hp[`rm.${k}`] = v;
  hp['packing.strategy'] = r.packing.strategy;
  hp.preflight_passed = input.preflight.passed;
  hp.preflight_overridden = input.preflight.overridden;
  for (const [k, v] of Object.entries(input.finalMetrics ?? {})) if (Number.isFinite(v)) hp[`final.${k}`] = v;
  const failed = input.preflight.checks.filter((c) => !c.passed);
  // Resolved now, as the base model is: the ref names the registry model the run started with.
  const rewardModelId = r.reward_model ? (await getModel(store, r.reward_model)).id : undefined;
  return registerModel(
    store,
    {
      name: r.output.name ?? r.name,
      location: input.modelDir,
      sourceKind: 'local',
      baseModel: r.base_model,
      baseModelRelation: 'finetune',
      tags: [
        ...r.output.tags,
        ALGORITHM_NAMES[r.algorithm],
        ...(input.preflight.overridden ? ['preflight-override'] : []),
      ],
      notes: failed.length
        ? `Preflight overridden:\n${failed.map((c) => `- ${c.dataset} ${c.check}: ${c.message}`).join('\n')}`
        : 'Preflight passed.',
      training: {
        runId: input.runId,
        algorithm: ALGORITHM_NAMES[r.algorithm],
        recipe: input.recipe.text,
        recipeHash: input.recipe.hash,
        engine: r.engine,
        ...(rewardModelId && { rewardModelId }),
        hyperparameters: hp,
        datasets: r.datasets.map((d) => ({
          name: d.name,
          version: d.version,
          role: d.role,
          gateStatus: input.preflight.checks.find(
            (c) => c.check === 'dataset_accepted' && c.dataset === `${d.name}@${d.version}`,
          )?.passed
            ? 'accepted'
            : 'quarantined',
        })),
        startedAt: input.startedAt,
        finishedAt: input.finishedAt,
      },
    },
    opts,
  );
}
