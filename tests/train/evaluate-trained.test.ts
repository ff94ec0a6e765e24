// The alignment loop end to end through the real server: SFT from a registered base, then a
// reward model, DPO, online DPO and PPO from the SFT model (the last two scored by that reward
// model); each run registers its model with lineage and queues its recipe's suite, which the
// server's eval worker runs against the server's own /engine API serving that model.
import { beforeAll, expect, onTestFinished, test } from 'vitest';
import { loadConfig } from '../../src/common/config.js';
import { intakeDataset, loadChatTemplate, loadTokenizer, parseContract } from '../../src/data/index.js';
import { setEngineThreads } from '../../src/engine/index.js';
import type { EvalJob, RunDetail, SamplePage } from '../../src/eval/index.js';
import type { Lineage, ModelDetail } from '../../src/registry/index.js';
import type { TrainRun } from '../../src/train/index.js';
import { api, readEvents, writeToyTask } from '../eval-hub/hub.js';
import { writeJsonl } from '../helpers/jsonl.js';
import { startTestServer } from '../helpers/server.js';
import { makeRunWorld } from './run-world.js';
import { politePairs } from './synthetic.js';

// The engine's matmul worker pool does not start under vitest's transform; one thread suffices here.
beforeAll(() => setEngineThreads(1));

const SFT_CONTRACT = `
name: polite-sft
version: 1
format: trl.prompt_completion
fields:
  prompt: { type: string, required: true }
  completion: { type: string, required: true }
`;

const HYPERPARAMETERS = { learning_rate: 0.002, batch_size: 8, max_length: 48, seed: 3, max_steps: 2 };

// Settings the engine-level test reaches full held-out accuracy with (tests/train/algorithms.test.ts).
const RM_HYPERPARAMETERS = { learning_rate: 0.003, batch_size: 8, max_length: 64, seed: 1, max_steps: 8 };

/** A recipe for the server: one dataset, the polite-smoke suite queued on success. */
function recipeYaml(r: {
  name: string;
  algorithm: string;
  baseModel: string;
  dataset: { name: string; version: string };
  hyperparameters?: Record<string, number>;
  extra?: string;
}): string {
  return `name: ${r.name}
algorithm: ${r.algorithm}
base_model: ${r.baseModel}
datasets: [{ name: ${r.dataset.name}, version: "${r.dataset.version}" }]
hyperparameters: ${JSON.stringify(r.hyperparameters ?? HYPERPARAMETERS)}
executor: inline
evaluation: { suites: [polite-smoke] }
${r.extra ?? ''}`;
}

/** Starts a run on the server and waits for its first evaluation job to end, from the eval events. */
async function runAndEvaluate(base: string, recipe: string): Promise<{ run: TrainRun; job: EvalJob }> {
  let jobSeen: EvalJob | undefined;
  const events = readEvents(
    `${base}/api/eval/events`,
    (e) => {
      const job = (e.data as { job?: EvalJob }).job;
      if (e.event === 'job' && job && job.status !== 'queued' && job.status !== 'running') jobSeen = job;
      return jobSeen !== undefined;
    },
    90_000,
  );
  // The stream is subscribed once its response has started; the run's job comes after that.
  await api(base, 'GET', '/eval/jobs');
  const { run } = await api<{ run: TrainRun }>(base, 'POST', '/train/runs', { recipe }, 201);
  await events;
  expect(jobSeen, 'no evaluation job finished').toBeDefined();
  return { run: await api<TrainRun>(base, 'GET', `/train/runs/${run.id}`), job: jobSeen as EvalJob };
}

async function expectEvaluatedModel(
  base: string,
  done: { run: TrainRun; job: EvalJob },
  parent: { id: string | null; name: string },
  hyperparameters: Record<string, number> = HYPERPARAMETERS,
): Promise<ModelDetail> {
  const { run, job } = done;
  expect(run.status, run.error ?? '').toBe('succeeded');
  const modelId = run.registeredModelId ?? '';
  const model = await api<ModelDetail>(base, 'GET', `/registry/models/${modelId}`);

  // Lineage: parent, recipe and its hash, hyperparameters, dataset versions, preflight outcome.
  expect(model.baseModel).toMatchObject({ name: parent.name, ...(parent.id && { id: parent.id }) });
  expect(model.training).toMatchObject({
    runId: run.id,
    recipe: run.recipe,
    recipeHash: run.recipeHash,
    hyperparameters: {
      learning_rate: hyperparameters.learning_rate,
      max_steps: hyperparameters.max_steps,
      preflight_passed: true,
      preflight_overridden: false,
    },
  });
  expect(model.training?.datasets).toEqual(
    run.datasets.map((d) =>
      expect.objectContaining({ name: d.name, version: d.version, gateStatus: 'accepted' }),
    ),
  );
  expect(model.notes).toBe('Preflight passed.');
  const lineage = await api<Lineage>(base, 'GET', `/registry/models/${modelId}/lineage`);
  expect(lineage.edges.map((e) => e.kind)).toEqual(expect.arrayContaining(['base-model', 'used-dataset']));

  // The queued evaluation: the recipe's suite, its job succeeded on the model's engine endpoint.
  expect(run.evaluations).toHaveLength(1);
  const [evaluation] = run.evaluations;
  expect(evaluation).toMatchObject({ suite: 'polite-smoke', status: 'queued', jobIds: [job.id] });
  expect(evaluation?.jobs).toEqual([
    { id: job.id, task: 'polite-reply', status: 'succeeded', evalRunId: job.runId, error: null },
  ]);
  expect(job).toMatchObject({
    modelId,
    modelName: `${model.name}@${model.version}`,
    endpointName: `alignboard-engine.${model.name}.${model.version}`,
    suite: 'polite-smoke',
  });

  // Results are stored and reachable from the run: the eval run with its summary and samples.
  const detail = await api<RunDetail>(base, 'GET', `/eval/runs/${job.runId}`);
  expect(detail).toMatchObject({
    modelId,
    model: `${model.name}@${model.version}`,
    status: 'finished',
    total: 3,
  });
  expect(detail.summary?.metrics['exact_match,none']?.n).toBe(3);
  const samples = await api<SamplePage>(base, 'GET', `/eval/runs/${job.runId}/samples`);
  expect(samples.items).toHaveLength(3);
  expect(samples.items[0]?.prompt).toMatch(/^Q: .+\?\nA:$/);
  return model;
}

test('SFT, reward model, DPO, online DPO and PPO through the server: each model is registered with lineage and its queued suite is evaluated on the engine API', {
  timeout: 180_000,
}, async () => {
  const world = await makeRunWorld();
  onTestFinished(() => world.store.close());
  const sft = await intakeDataset(
    await writeJsonl(
      politePairs(24, 8).map((p, i) => ({ prompt: `${p.prompt} Request ${i}.`, completion: p.chosen })),
    ),
    {
      store: world.store,
      dataset: 'polite-sft',
      contract: parseContract(SFT_CONTRACT),
      template: await loadChatTemplate(world.modelDir),
      tokenizer: await loadTokenizer(world.modelDir),
    },
  );
  expect(sft.status).toBe('accepted');
  const { base } = await startTestServer({
    store: world.store,
    config: loadConfig({ ALIGNBOARD_DATA_DIR: world.root, ALIGNBOARD_PORT: '0' }),
  });

  // The suite: a generate_until exact-match task on three polite-reply prompts.
  const docs = politePairs(3, 11).map((p) => ({ q: p.prompt, a: p.chosen }));
  await api(base, 'POST', '/eval/tasks/import', { file: await writeToyTask('polite-reply', docs) }, 201);
  await api(base, 'POST', '/eval/suites', { name: 'polite-smoke', items: [{ task: 'polite-reply' }] }, 201);

  const sftDone = await runAndEvaluate(
    base,
    recipeYaml({
      name: 'polite-sft',
      algorithm: 'sft',
      baseModel: 'tiny@1',
      dataset: { name: 'polite-sft', version: sft.id },
    }),
  );
  const sftModel = await expectEvaluatedModel(base, sftDone, { id: null, name: 'tiny' });
  const fromSft = { id: sftModel.id, name: sftModel.name };
  const sftRef = `${sftModel.name}@${sftModel.version}`;
  const preference = { name: 'polite', version: world.versionId };

  // The reward model trains longer than the others: held-out accuracy is its acceptance figure.
  const rmDone = await runAndEvaluate(
    base,
    recipeYaml({
      name: 'polite-rm',
      algorithm: 'rm',
      baseModel: sftRef,
      dataset: preference,
      hyperparameters: RM_HYPERPARAMETERS,
    }),
  );
  const rmModel = await expectEvaluatedModel(base, rmDone, fromSft, RM_HYPERPARAMETERS);
  expect(rmModel.training?.algorithm).toBe('reward');
  expect(rmDone.run.metricsSummary?.eval_accuracy).toBeGreaterThanOrEqual(0.9);
  expect(rmModel.training?.hyperparameters['final.eval_accuracy']).toBe(
    rmDone.run.metricsSummary?.eval_accuracy,
  );

  const dpoDone = await runAndEvaluate(
    base,
    recipeYaml({ name: 'polite-dpo', algorithm: 'dpo', baseModel: sftRef, dataset: preference }),
  );
  const dpoModel = await expectEvaluatedModel(base, dpoDone, fromSft);
  expect(dpoModel.training?.algorithm).toBe('dpo');
  expect(dpoModel.training?.rewardModelId).toBeUndefined();

  // Online DPO and PPO sample the SFT policy on the preference data's prompts, scored by the RM.
  const rewardModel = `reward_model: ${rmModel.name}@${rmModel.version}`;
  const online = [
    {
      name: 'polite-online-dpo',
      algorithm: 'online_dpo',
      extra: `${rewardModel}
online_dpo: { iterations: 2, prompts_per_iteration: 2, k: 2, max_new_tokens: 6, steps_per_iteration: 1 }`,
      tag: 'online-dpo',
    },
    {
      name: 'polite-ppo',
      algorithm: 'ppo',
      extra: `${rewardModel}
ppo: { iterations: 2, prompts_per_iteration: 2, ppo_epochs: 1, max_new_tokens: 6 }`,
      tag: 'ppo',
    },
  ];
  for (const o of online) {
    const done = await runAndEvaluate(base, recipeYaml({ ...o, baseModel: sftRef, dataset: preference }));
    const model = await expectEvaluatedModel(base, done, fromSft);
    expect(model.training).toMatchObject({ algorithm: o.tag, rewardModelId: rmModel.id });
    const lineage = await api<Lineage>(base, 'GET', `/registry/models/${model.id}/lineage`);
    const runNode = `run:${done.run.id}`;
    expect(lineage.edges).toContainEqual(
      expect.objectContaining({ source: runNode, target: rmModel.id, kind: 'used-reward-model' }),
    );
    expect(lineage.nodes).toContainEqual(
      expect.objectContaining({ id: rmModel.id, kind: 'model', label: `${rmModel.name}@${rmModel.version}` }),
    );
  }

  // Each model is bound to its engine endpoint with its parent as the regression baseline.
  const bindings = await api<{ modelId: string; baselineModelId: string | null }[]>(
    base,
    'GET',
    '/eval/bindings',
  );
  expect(bindings).toContainEqual(
    expect.objectContaining({ modelId: dpoModel.id, baselineModelId: sftModel.id }),
  );

  // The engine API lists the registry's local models and names a missing `model` in its error.
  const listed = (await (await fetch(`${base}/engine/v1/models`)).json()) as { data: { id: string }[] };
  expect(listed.data.map((m) => m.id)).toEqual(
    expect.arrayContaining([
      'tiny@1',
      `${sftModel.name}@${sftModel.version}`,
      `${dpoModel.name}@${dpoModel.version}`,
    ]),
  );
  const unnamed = await fetch(`${base}/engine/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Hi', max_tokens: 1 }),
  });
  expect(unnamed.status).toBe(400);
  expect(await unnamed.json()).toMatchObject({ error: { code: 'AB_ENGINE_INPUT', param: 'model' } });
});
