// Online DPO samples the live policy through the engine API: the samples cross HTTP as token ids,
// equal what in-process generation draws for the same seeds, and the server lives as long as the run.
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { type LoadedModel, loadModelDir, setEngineThreads } from '../../src/engine/index.js';
import { serveLoadedModel } from '../../src/server/index.js';
import { saveModel } from '../../src/train/embedded/checkpoint.js';
import { engineSampler } from '../../src/train/embedded/engine-sampler.js';
import { createScalarHead } from '../../src/train/embedded/scalar-head.js';
import { mixSeed } from '../../src/train/embedded/seeded.js';
import { servedSampler } from '../../src/train/embedded/served-sampler.js';
import { parseRecipe, type ServePolicy, TrainError, train, trainIter } from '../../src/train/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { heldOutPrompts } from './synthetic.js';

// The engine's matmul worker pool does not start under vitest's transform; one thread suffices here.
beforeAll(() => setEngineThreads(1));

test('the served sampler returns the token ids in-process generation draws for the same seeds, stop token included', {
  timeout: 30_000,
}, async () => {
  const { dir } = await writeTinyModel({ seed: 4 });
  const folder = await loadModelDir(dir);
  const tok = folder.tokenizer;
  if (!tok) throw new Error('the tiny model has a tokenizer');
  // Every fifth token id stops a sample, so both endings occur: on a stop token and at max tokens.
  const stopIds = Array.from({ length: folder.model.config.V }, (_, i) => i).filter((i) => i % 5 === 0);
  const loaded: LoadedModel = { ...folder, generation: { ...folder.generation, eosTokenIds: stopIds } };
  const prompts = heldOutPrompts(1).map((text, i) => ({ prompt: tok.encode(text), seed: 40 + i }));
  const opts = { n: 4, temperature: 1, maxTokens: 10 };
  const served = await serveLoadedModel(loaded);
  const overHttp = await servedSampler(served)
    .sample(prompts, opts)
    .finally(() => served.close());
  const inProcess = await engineSampler(loaded).sample(prompts, opts);
  expect(overHttp).toEqual(inProcess);
  const all = overHttp.flat();
  expect(all).toHaveLength(prompts.length * opts.n);
  const stopped = all.filter((c) => stopIds.includes(c.at(-1) ?? -1));
  expect(stopped.length).toBeGreaterThan(0);
  expect(all.some((c) => c.length === opts.maxTokens && !stopIds.includes(c.at(-1) ?? -1))).toBe(true);
  // a stop token ends a completion and appears nowhere else in it
  for (const c of stopped) expect(c.slice(0, -1).some((id) => stopIds.includes(id))).toBe(false);
});

const RECIPE = `
name: online-dpo-served
algorithm: online_dpo
base_model: tiny@1
reward_model: rm@1
datasets: [{ name: prompts, version: v1 }]
hyperparameters: { learning_rate: 0.003, batch_size: 8, max_length: 48, seed: 5 }
online_dpo: { iterations: 3, prompts_per_iteration: 3, k: 4, max_new_tokens: 8, steps_per_iteration: 1 }
checkpoint_every: 1
`;

test('online DPO sends k samples per prompt over HTTP with its seeds, samples the weights it trains, closes the server, and resumes like an in-process run', {
  timeout: 60_000,
}, async () => {
  const { dir: base } = await writeTinyModel({ seed: 2 });
  const root = await makeTempDir('alignboard-train-');
  const rmDir = join(root, 'rm');
  const rm = await loadModelDir((await writeTinyModel({ seed: 3 })).dir);
  if (!rm.tokenizer) throw new Error('the tiny model has a tokenizer');
  await saveModel(rmDir, rm.model, createScalarHead(rm.model.config.V, 8, 0.5), rm.tokenizer);
  const recipe = parseRecipe(RECIPE, 'online-dpo.yaml');
  const examples = { prompts: heldOutPrompts(2) };
  const common = { recipe, baseModelDir: base, rewardModelDir: rmDir, examples };
  const inProcess = await train({ ...common, runDir: join(root, 'in-process') });

  const bodies: { n: number; seed: number; prompt: number[]; return_token_ids: boolean }[] = [];
  const servers: { baseURL: string; loaded: LoadedModel }[] = [];
  const servePolicy: ServePolicy = async (loaded) => {
    const s = await serveLoadedModel(loaded, {
      onRequest: (url, body) => {
        if (url === '/v1/completions') bodies.push(body as (typeof bodies)[number]);
      },
    });
    servers.push({ baseURL: s.baseURL, loaded });
    return s;
  };
  const runDir = join(root, 'served');
  const ctrl = new AbortController();
  await expect(async () => {
    for await (const ev of trainIter({ ...common, runDir, servePolicy, signal: ctrl.signal }))
      if (ev.type === 'step') ctrl.abort(); // stopped after the first iteration
  }).rejects.toThrow(TrainError);
  expect(servers).toHaveLength(1);
  // a failed run leaves no listener behind
  await expect(fetch(`${servers[0]?.baseURL}/models`)).rejects.toThrow();
  const resumed = await train({ ...common, runDir, servePolicy });
  expect(servers).toHaveLength(2);
  await expect(fetch(`${servers[1]?.baseURL}/models`)).rejects.toThrow();

  // Iterations 0 (first server) and 1–2 (after resume): each asks for k samples of every prompt
  // of the iteration, under the seed the loop derives from (run seed, step, prompt index).
  const expected = [0, 1, 2].flatMap((step) => [0, 1, 2].map((pi) => mixSeed(5, 6, step, pi)));
  expect(bodies.map((b) => b.seed).sort()).toEqual([...expected].sort());
  for (const b of bodies) {
    expect(b).toMatchObject({ n: 4, return_token_ids: true });
    expect(b.prompt.every((id) => Number.isInteger(id))).toBe(true);
  }
  // Same samples, same pairs, same steps as in-process sampling: the histories and weights agree.
  const strip = (h: Record<string, number>[]) => h.map(({ seconds, sample_seconds, ...m }) => m);
  expect(strip(resumed.history)).toEqual(strip(inProcess.history));
  expect(resumed.history.some((m) => (m.pairs ?? 0) > 0)).toBe(true);
  const trained = await loadModelDir(resumed.modelDir);
  expect(trained.model.params).toEqual((await loadModelDir(inProcess.modelDir)).model.params);
  // The server served the trainer's own model object: it holds the trained weights, not the base's.
  expect(servers[1]?.loaded.model.params).toEqual(trained.model.params);
  expect(trained.model.params).not.toEqual((await loadModelDir(base)).model.params);
});
