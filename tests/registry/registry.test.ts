import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  attachEvaluation,
  deleteModel,
  diffModels,
  getLineage,
  getModel,
  importModel,
  listModels,
  registerModel,
  updateModel,
} from '../../src/registry/index.js';
import { writeHfModelFolder, writeLoraAdapterFolder } from '../helpers/hf-folder.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { DPO_TEMPLATE, importChain, makeRegistryStore, SFT_TEMPLATE } from './helpers.js';

const countRows = async (store: Awaited<ReturnType<typeof makeRegistryStore>>) =>
  Number(
    (
      await store.db
        .selectFrom('registry_models')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('import into the store', () => {
  test('a Qwen2 v5 model: spec, exact parameters, card fields, default name and version', async () => {
    const store = await makeRegistryStore();
    const dir = path.join(await makeTempDir(), 'qwen-tiny');
    const written = await writeHfModelFolder(dir, {
      family: 'qwen2',
      layout: 'v5',
      card: {
        base_model: 'Qwen/Qwen2.5-0.5B',
        license: 'apache-2.0',
        datasets: ['org/ultrachat'],
        tags: ['sft'],
      },
    });
    const m = await importModel(store, { path: dir });
    expect(m).toMatchObject({
      name: 'qwen-tiny',
      version: '1',
      family: 'qwen2',
      architecture: 'Qwen2ForCausalLM',
      parameterCount: written.parameterCount,
      sourceKind: 'local',
      status: 'candidate',
      baseModel: { id: null, name: 'Qwen/Qwen2.5-0.5B', relation: 'finetune' },
      training: { algorithm: 'sft', datasets: [{ name: 'org/ultrachat' }] },
    });
    expect(m.tags).toContain('sft');
    const again = await importModel(store, { path: dir });
    expect(again.version).toBe('2');
    expect((await getModel(store, 'qwen-tiny')).id).toBe(again.id);
    expect((await getModel(store, 'qwen-tiny@1')).id).toBe(m.id);
  });

  test('a LoRA adapter links to its registry base and inherits its family', async () => {
    const store = await makeRegistryStore();
    const root = await makeTempDir();
    const base = await importModel(store, {
      path: (await writeHfModelFolder(path.join(root, 'gemma-tiny'), { family: 'gemma' })).dir,
      name: 'gemma-tiny',
    });
    const adapterDir = path.join(root, 'gemma-lora');
    const written = await writeLoraAdapterFolder(adapterDir, { baseModel: 'gemma-tiny', rank: 8 });
    const a = await importModel(store, { path: adapterDir });
    expect(a).toMatchObject({
      isAdapter: true,
      family: 'gemma',
      parameterCount: written.parameterCount,
      baseModel: { id: base.id, name: 'gemma-tiny', relation: 'adapter' },
      adapter: { rank: 8, targetModules: ['q_proj', 'v_proj'] },
    });
  });

  const badCases = [
    { name: 'no config.json', opts: { omitConfig: true }, code: 'AB_REGISTRY_NO_CONFIG' },
    { name: 'broken card YAML', opts: { card: '---\nlicense: [mit\n---\n' }, code: 'AB_REGISTRY_CARD_YAML' },
    { name: 'truncated safetensors header', opts: {}, code: 'AB_REGISTRY_SAFETENSORS_HEADER' },
  ] as const;
  test.each(badCases)('bad folder ($name) writes nothing', async ({ opts, code }) => {
    const store = await makeRegistryStore();
    const dir = await makeTempDir();
    await writeHfModelFolder(dir, opts);
    if (code === 'AB_REGISTRY_SAFETENSORS_HEADER') {
      // Cut the file inside its header: the length prefix now points past the end.
      const file = path.join(dir, 'model.safetensors');
      await writeFile(file, (await readFile(file)).subarray(0, 40));
    }
    await expect(importModel(store, { path: dir })).rejects.toMatchObject({ code });
    expect(await countRows(store)).toBe(0);
  });

  test('a duplicate name@version is refused and the first row is kept', async () => {
    const store = await makeRegistryStore();
    const dir = (await writeHfModelFolder(await makeTempDir())).dir;
    await importModel(store, { path: dir, name: 'm', version: 'a' });
    await expect(importModel(store, { path: dir, name: 'm', version: 'a' })).rejects.toMatchObject({
      code: 'AB_REGISTRY_MODEL_EXISTS',
      status: 409,
    });
    expect(await countRows(store)).toBe(1);
  });
});

describe('lineage', () => {
  test('base → SFT → DPO: chain to the external root, runs, datasets, evaluations, children', async () => {
    const store = await makeRegistryStore();
    const { base, sft, dpo } = await importChain(store);
    await attachEvaluation(store, dpo.id, {
      name: 'gsm8k',
      metrics: { accuracy: 0.41 },
      contractHash: 'sha256:e1',
    });
    const g = await getLineage(store, dpo.id);
    const kinds = (k: string) =>
      g.nodes
        .filter((n) => n.kind === k)
        .map((n) => n.label)
        .sort();
    expect(g.rootId).toBe(dpo.id);
    expect(kinds('model')).toEqual([`${base.name}@1`, `${dpo.name}@1`, `${sft.name}@1`].sort());
    expect(kinds('external-model')).toEqual(['meta-llama/Llama-3.1-8B']);
    expect(kinds('run')).toEqual(['dpo run run-dpo-1', 'sft run run-sft-1']);
    expect(kinds('dataset')).toEqual(['chat-mix@3', 'prefs-helpful@7']);
    expect(kinds('evaluation')).toEqual(['gsm8k']);
    const edge = (s: string, t: string) => g.edges.find((e) => e.source === s && e.target === t);
    expect(edge(dpo.id, sft.id)?.kind).toBe('base-model');
    expect(edge(sft.id, base.id)?.kind).toBe('base-model');
    expect(edge(base.id, 'external:meta-llama/Llama-3.1-8B')?.label).toBe('distillation');
    expect(edge(dpo.id, 'run:run-dpo-1')?.label).toBe('dpo');
    expect(edge('run:run-dpo-1', 'dataset:chat-mix@3')).toBeDefined();
    expect(g.nodes.find((n) => n.id === 'run:run-dpo-1')?.details).toMatchObject({
      recipeHash: 'sha256:bbb222',
      'hp.beta': 0.1,
      'hp.learning_rate': 5e-7,
    });
    // The base's lineage shows the model built on it.
    const up = await getLineage(store, base.id);
    expect(up.edges.some((e) => e.source === sft.id && e.target === base.id)).toBe(true);
  });

  test('a base-model link that would close a cycle is refused and nothing changes', async () => {
    const store = await makeRegistryStore();
    const { base, dpo } = await importChain(store);
    const before = await getModel(store, base.id);
    const err = await updateModel(store, base.id, { baseModel: dpo.id }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AB_REGISTRY_BASE_CYCLE', status: 409, where: { field: 'baseModel' } });
    expect(String((err as Error).message)).toContain('→');
    expect(await getModel(store, base.id)).toEqual(before);
    await expect(updateModel(store, base.id, { baseModel: base.id })).rejects.toMatchObject({
      code: 'AB_REGISTRY_BASE_CYCLE',
    });
  });
});

describe('diff', () => {
  test('SFT vs DPO: differing hyperparameters, datasets, templates; only-differences filter', async () => {
    const store = await makeRegistryStore();
    const { sft, dpo } = await importChain(store);
    const d = await diffModels(store, [sft.id, dpo.id]);
    const row = (section: string, field: string) =>
      d.rows.find((r) => r.section === section && r.field === field);
    expect(row('hyperparameters', 'learning_rate')).toMatchObject({
      values: [2e-5, 5e-7],
      isDifferent: true,
    });
    expect(row('hyperparameters', 'per_device_train_batch_size')).toMatchObject({ isDifferent: false });
    expect(row('hyperparameters', 'beta')).toMatchObject({ values: [null, 0.1], isDifferent: true });
    expect(row('datasets', 'prefs-helpful')).toMatchObject({ values: [null, '7 #feedbeef4455 accepted'] });
    expect(row('datasets', 'chat-mix')).toMatchObject({ isDifferent: false });
    expect(row('spec', 'hiddenSize')).toMatchObject({ values: [16, 16], isDifferent: false });
    expect(row('generation', 'temperature')).toMatchObject({ values: [0.7, 0.6], isDifferent: true });
    expect(row('chat-template', 'hash')?.isDifferent).toBe(true);
    expect(d.chatTemplateDiffs[0]?.lines).toEqual([
      { op: 'remove', text: SFT_TEMPLATE.split('\n')[0] },
      { op: 'add', text: DPO_TEMPLATE.split('\n')[0] },
      { op: 'equal', text: '{% endfor %}<|assistant|>' },
    ]);
    const only = await diffModels(store, [sft.id, dpo.id], { onlyDifferences: true });
    expect(only.rows.length).toBe(d.differentCount);
    expect(only.rows.every((r) => r.isDifferent)).toBe(true);
    expect(only.rows.length).toBeLessThan(d.rows.length);
    await expect(diffModels(store, [sft.id])).rejects.toMatchObject({ code: 'AB_REGISTRY_DIFF_ARGS' });
  });
});

describe('catalog', () => {
  test('list filters, search, update, soft delete', async () => {
    const store = await makeRegistryStore();
    const { base, sft, dpo } = await importChain(store);
    await registerModel(store, {
      name: 'ext-ref',
      location: 's3://bucket/models/x',
      owner: 'carol',
      tags: ['rag'],
    });
    expect((await listModels(store)).total).toBe(4);
    expect((await listModels(store, { owner: 'bob' })).items.map((m) => m.id)).toEqual([dpo.id]);
    expect((await listModels(store, { tag: 'rag' })).items.map((m) => m.name)).toEqual(['ext-ref']);
    expect((await listModels(store, { q: 'LLAMA dpo' })).items.map((m) => m.id)).toEqual([dpo.id]);
    expect((await listModels(store, { family: 'llama' })).total).toBe(3);
    const listed = await listModels(store, { sort: 'name', limit: 2 });
    expect(listed.items).toHaveLength(2);
    expect(listed.facets.owners).toEqual([
      { value: 'alice', count: 1 },
      { value: 'bob', count: 1 },
      { value: 'carol', count: 1 },
      { value: 'platform', count: 1 },
    ]);
    expect((await listModels(store, { owner: 'bob' })).items[0]?.baseModel).toMatchObject({
      id: sft.id,
      version: '1',
    });
    const updated = await updateModel(store, sft.id, {
      notes: 'ok for chat',
      tags: ['sft', 'v1'],
      status: 'released',
    });
    expect(updated).toMatchObject({ notes: 'ok for chat', tags: ['sft', 'v1'], status: 'released' });
    expect((await listModels(store, { status: 'released' })).items.map((m) => m.id)).toEqual([sft.id]);
    const deleted = await deleteModel(store, base.id);
    expect(deleted.deletedAt).not.toBeNull();
    expect((await listModels(store)).total).toBe(3);
    expect((await listModels(store, { includeDeleted: true })).total).toBe(4);
    // Lineage through a deleted base still shows the chain.
    expect((await getLineage(store, dpo.id)).nodes.some((n) => n.id === base.id)).toBe(true);
  });
});
