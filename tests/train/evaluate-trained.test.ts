// The alignment loop end to end through the real server: SFT from a registered base, then DPO
// from the SFT model; each run registers its model with lineage and queues its recipe's suite,
// which the server's eval worker runs against the server's own /engine API serving that model.
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

const HYPERPARAMETERS = '{ learning_rate: 0.002, batch_size: 8, max_length: 48, seed: 3, max_steps: 2 }';

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
      learning_rate: 0.002,
      max_steps: 2,
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

test('SFT then DPO through the server: each model is registered with lineage and its queued suite is evaluated on the engine API', {
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
    `name: polite-sft
algorithm: sft
base_model: tiny@1
datasets: [{ name: polite-sft, version: "${sft.id}" }]
hyperparameters: ${HYPERPARAMETERS}
executor: inline
evaluation: { suites: [polite-smoke] }
`,
  );
  const sftModel = await expectEvaluatedModel(base, sftDone, { id: null, name: 'tiny' });

  const dpoDone = await runAndEvaluate(
    base,
    `name: polite-dpo
algorithm: dpo
base_model: ${sftModel.name}@${sftModel.version}
datasets: [{ name: polite, version: "${world.versionId}" }]
hyperparameters: ${HYPERPARAMETERS}
executor: inline
evaluation: { suites: [polite-smoke] }
`,
  );
  const dpoModel = await expectEvaluatedModel(base, dpoDone, { id: sftModel.id, name: sftModel.name });
  expect(dpoModel.training?.algorithm).toBe('dpo');

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
