// A store with what a training run needs: a tiny base model in the registry and an accepted
// preference dataset whose preference is learnable (polite beats rude).
import path from 'node:path';
import { intakeDataset, loadChatTemplate, loadTokenizer, parseContract } from '../../src/data/index.js';
import { registerModel } from '../../src/registry/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { preferenceContractYaml, writeJsonl } from '../helpers/jsonl.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { politePairs } from './synthetic.js';

const CONTRACT = preferenceContractYaml('polite');

export interface RunWorld {
  root: string;
  databaseUrl: string;
  store: Store;
  modelDir: string;
  versionId: string;
}

export async function makeRunWorld(): Promise<RunWorld> {
  const root = await makeTempDir('alignboard-runs-');
  const databaseUrl = `sqlite:${path.join(root, 'ab.db')}`;
  const store = createStore({ databaseUrl });
  await store.migrate();
  const { dir: modelDir } = await writeTinyModel({ seed: 2 });
  await registerModel(store, { name: 'tiny', version: '1', location: modelDir, sourceKind: 'local' });
  const rows = politePairs(32, 5).map((p, i) => ({ ...p, prompt: `${p.prompt} Request ${i}.` }));
  const version = await intakeDataset(await writeJsonl(rows), {
    store,
    dataset: 'polite',
    contract: parseContract(CONTRACT),
    template: await loadChatTemplate(modelDir),
    tokenizer: await loadTokenizer(modelDir),
  });
  if (version.status !== 'accepted')
    throw new Error(`test data not accepted: ${version.reasons.map((r) => r.message).join('; ')}`);
  return { root, databaseUrl, store, modelDir, versionId: version.id };
}

/** A small DPO recipe on the world's data; `extra` is appended YAML (executor, engine…). */
export function dpoRecipe(world: RunWorld, extra = '', name = 'polite-dpo'): string {
  return `name: ${name}
algorithm: dpo
base_model: tiny@1
datasets: [{ name: polite, version: "${world.versionId}" }]
hyperparameters: { learning_rate: 0.002, batch_size: 8, max_length: 48, seed: 3, max_steps: 4 }
checkpoint_every: 2
evaluation: { suites: [polite-smoke] }
${extra}`;
}
