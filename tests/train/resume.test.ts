import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { loadModelDir, setEngineThreads } from '../../src/engine/index.js';
import { registerModel } from '../../src/registry/index.js';
import { createStore } from '../../src/store/index.js';
import { parseRecipe, registerTrainedModel, TrainError, train, trainIter } from '../../src/train/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { politePairs } from './synthetic.js';

// The engine's matmul worker pool does not start under vitest's transform; one thread suffices here.
beforeAll(() => setEngineThreads(1));

const RECIPE = `
name: resume-sft
algorithm: sft
base_model: tiny@1
datasets: [{ name: polite, version: v1 }]
hyperparameters: { learning_rate: 0.003, batch_size: 8, max_length: 48, seed: 4, max_steps: 6 }
packing: { strategy: bfd }
checkpoint_every: 2
`;

test('a run killed mid-way resumes from its last checkpoint and ends with the same metrics and weights', {
  timeout: 60_000,
}, async () => {
  const { dir: base } = await writeTinyModel({ seed: 2 });
  const recipe = parseRecipe(RECIPE, 'resume.yaml');
  const examples = {
    completions: politePairs(40, 5).map((p) => ({ prompt: p.prompt, completion: p.chosen })),
  };
  const root = await makeTempDir('alignboard-train-');
  const whole = await train({ recipe, runDir: join(root, 'a'), baseModelDir: base, examples });

  const runDir = join(root, 'b');
  const ctrl = new AbortController();
  const seen: number[] = [];
  await expect(async () => {
    for await (const ev of trainIter({ recipe, runDir, baseModelDir: base, examples, signal: ctrl.signal })) {
      if (ev.type === 'step') {
        seen.push(ev.step);
        if (ev.step === 3) ctrl.abort(); // killed after step 3; the last checkpoint is step 2
      }
    }
  }).rejects.toThrow(TrainError);
  expect(seen).toEqual([1, 2, 3]);
  const events: string[] = [];
  let resumedFrom: number | null = null;
  let history: Record<string, number>[] = [];
  for await (const ev of trainIter({ recipe, runDir, baseModelDir: base, examples })) {
    events.push(ev.type);
    if (ev.type === 'start') resumedFrom = ev.resumedFrom;
    if (ev.type === 'done') history = ev.history;
  }
  expect(resumedFrom).toBe(2);
  const strip = (h: Record<string, number>[]) =>
    h.map(({ loss, grad_norm, lr }) => ({ loss, grad_norm, lr }));
  expect(strip(history)).toEqual(strip(whole.history));
  const a = await loadModelDir(whole.modelDir);
  const b = await loadModelDir(join(runDir, 'model'));
  expect(Buffer.from(b.model.params.buffer).equals(Buffer.from(a.model.params.buffer))).toBe(true);

  // The finished model lands in the registry with its lineage.
  const store = createStore({ databaseUrl: `sqlite:${join(root, 'ab.db')}` });
  await store.migrate();
  try {
    await registerModel(store, { name: 'tiny', version: '1', location: base, sourceKind: 'local' });
    const preflightReport = {
      passed: true,
      overridden: false,
      recipeHash: recipe.hash,
      checks: [],
      consumption: {},
    };
    const now = new Date().toISOString();
    const m = await registerTrainedModel(store, {
      runId: 'run-1',
      recipe,
      modelDir: whole.modelDir,
      preflight: preflightReport,
      startedAt: now,
      finishedAt: now,
      finalMetrics: { loss: whole.history.at(-1)?.loss ?? 0 },
    });
    expect(m.baseModel?.name).toBe('tiny');
    expect(m.training).toMatchObject({ recipeHash: recipe.hash, algorithm: 'sft', runId: 'run-1' });
    expect(m.training?.datasets[0]).toMatchObject({ name: 'polite', version: 'v1' });
  } finally {
    await store.close();
  }
});
