import path from 'node:path';
import { onTestFinished } from 'vitest';
import { importModel } from '../../src/registry/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { writeHfModelFolder } from '../helpers/hf-folder.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** A migrated SQLite store in a fresh temp dir, closed when the test ends. */
export async function makeRegistryStore(): Promise<Store> {
  const dir = await makeTempDir();
  const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'ab.db')}` });
  await store.migrate();
  onTestFinished(() => store.close());
  return store;
}

export const SFT_TEMPLATE = "{% for m in messages %}<|user|>{{ m['content'] }}\n{% endfor %}<|assistant|>";
export const DPO_TEMPLATE =
  "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}<|assistant|>";

/**
 * The chain the product is about: an external Llama base, an SFT model trained on it, and a DPO
 * model trained from the SFT one, each with its run, hyperparameters and dataset versions.
 */
export async function importChain(store: Store) {
  const root = await makeTempDir();
  const baseDir = path.join(root, 'tiny-llama-base');
  await writeHfModelFolder(baseDir, { card: { license: 'llama3.1', tags: ['base'] } });
  const base = await importModel(store, {
    path: baseDir,
    owner: 'platform',
    baseModel: 'meta-llama/Llama-3.1-8B',
    baseModelRelation: 'distillation',
  });
  const sftDir = path.join(root, 'tiny-llama-sft');
  await writeHfModelFolder(sftDir, {
    chatTemplate: SFT_TEMPLATE,
    trainerState: { steps: 4 },
    trainingArgs: { learning_rate: 2e-5, num_train_epochs: 3, per_device_train_batch_size: 8 },
  });
  const sft = await importModel(store, {
    path: sftDir,
    owner: 'alice',
    tags: ['sft'],
    baseModel: `${base.name}@${base.version}`,
    training: {
      runId: 'run-sft-1',
      algorithm: 'sft',
      recipeHash: 'sha256:aaa111',
      datasets: [{ name: 'chat-mix', version: '3', contentHash: 'c0ffee00112233', gateStatus: 'accepted' }],
    },
  });
  const dpoDir = path.join(root, 'tiny-llama-dpo');
  await writeHfModelFolder(dpoDir, {
    chatTemplate: DPO_TEMPLATE,
    generation: { temperature: 0.6 },
    trainingArgs: { learning_rate: 5e-7, num_train_epochs: 1, per_device_train_batch_size: 8, beta: 0.1 },
  });
  const dpo = await importModel(store, {
    path: dpoDir,
    owner: 'bob',
    tags: ['dpo'],
    baseModel: sft.id,
    training: {
      runId: 'run-dpo-1',
      algorithm: 'dpo',
      recipeHash: 'sha256:bbb222',
      datasets: [
        { name: 'prefs-helpful', version: '7', contentHash: 'feedbeef4455', gateStatus: 'accepted' },
        { name: 'chat-mix', version: '3', contentHash: 'c0ffee00112233', gateStatus: 'accepted' },
      ],
    },
  });
  return { base, sft, dpo };
}
