/**
 * Online DPO and PPO iteration time: the embedded trainer sampling in-process (one prompt after
 * another) beside sampling its live policy through the engine API (all prompts of an iteration in
 * flight, batched by the scheduler), same recipe and seeds in the same run, for a tiny model (the
 * algorithms test's size) and a wider one. Both paths must produce the same history.
 * `npm run bench -- online-dpo [iterations]`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelDir, setEngineThreads } from '../src/engine/index.js';
import { serveLoadedModel } from '../src/server/index.js';
import { saveModel } from '../src/train/embedded/checkpoint.js';
import type { Metrics } from '../src/train/embedded/loop.js';
import { createScalarHead } from '../src/train/embedded/scalar-head.js';
import { parseRecipe, train } from '../src/train/index.js';
import { writeTinyModel } from '../tests/helpers/tiny-model.js';
import { heldOutPrompts } from '../tests/train/synthetic.js';

const SIZES = [
  { label: 'tiny (C 32, L 2)', config: {} },
  { label: 'wider (C 128, L 4)', config: { hidden_size: 128, intermediate_size: 256, num_hidden_layers: 4 } },
];

export default async function main(args: string[]): Promise<void> {
  const iterations = Number(args[0] ?? 4);
  setEngineThreads(1); // one compute thread for both paths: the comparison is batching, not threads
  const root = await mkdtemp(join(tmpdir(), 'alignboard-bench-online-dpo-'));
  try {
    console.log(
      `${iterations} iterations; online DPO 8 prompts × k 8, PPO 16 prompts × 1; 24 new tokens, temperature 1; engine threads 1`,
    );
    for (const [si, size] of SIZES.entries()) {
      const { dir: base } = await writeTinyModel({ seed: 2, config: size.config });
      const rm = await loadModelDir((await writeTinyModel({ seed: 3 })).dir);
      if (!rm.tokenizer) throw new Error('the tiny model has a tokenizer');
      const rmDir = join(root, `rm-${si}`);
      await saveModel(rmDir, rm.model, createScalarHead(rm.model.config.V, 8, 0.5), rm.tokenizer);
      const recipes = {
        'online DPO': `online_dpo: { iterations: ${iterations}, prompts_per_iteration: 8, k: 8, max_new_tokens: 24, steps_per_iteration: 2 }`,
        PPO: `ppo: { iterations: ${iterations}, prompts_per_iteration: 16, max_new_tokens: 24 }`,
      };
      const measure = async (algorithm: string, name: string, served: boolean) => {
        const block = recipes[algorithm as keyof typeof recipes];
        const recipe = parseRecipe(
          `
name: bench-online
algorithm: ${block.split(':')[0]}
base_model: tiny@1
reward_model: rm@1
datasets: [{ name: prompts, version: v1 }]
hyperparameters: { learning_rate: 0.0005, batch_size: 16, max_length: 64, seed: 1 }
${block}
checkpoint_every: 1000
`,
          'bench.yaml',
        );
        const load0 = loadavg()[0] ?? 0;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await train({
          recipe,
          baseModelDir: base,
          rewardModelDir: rmDir,
          examples: { prompts: heldOutPrompts(4) },
          runDir: join(root, `${si}-${block.split(':')[0]}-${name}`),
          ...(served && { servePolicy: serveLoadedModel }),
        });
        const wall = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const sampling = r.history.reduce((a, m) => a + (m.sample_seconds ?? 0), 0) / r.history.length;
        console.log(
          `  ${algorithm.padEnd(10)} ${name.padEnd(10)} per iteration wall ${(wall / iterations).toFixed(2)} s` +
            (sampling ? ` (sampling ${sampling.toFixed(2)} s)` : '') +
            `, cpu ${((cpu.user + cpu.system) / 1e6 / iterations).toFixed(2)} s; load ${load0.toFixed(1)} → ${loadavg()[0]?.toFixed(1)}`,
        );
        return r.history;
      };
      console.log(size.label);
      const strip = (h: Metrics[]) =>
        JSON.stringify(h.map(({ seconds, sample_seconds, tokens_per_s, ...m }) => m));
      for (const algorithm of Object.keys(recipes)) {
        const inProcess = await measure(algorithm, 'in-process', false);
        const served = await measure(algorithm, 'served', true);
        console.log(
          `  ${algorithm}: same history in-process and served: ${strip(inProcess) === strip(served)}`,
        );
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
