import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  CHATML_TEMPLATE,
  type Family,
  TINY,
  writeHfModelFolder,
  writeLoraAdapterFolder,
  writeSafetensors,
} from '../../tests/helpers/hf-folder.js';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { localModelSource } from './model-source.js';
import { readModelFolder } from './read-model-folder.js';

const read = async (dir: string) => readModelFolder(await localModelSource(dir));

describe('readModelFolder reads the spec of each family in both config layouts', () => {
  const cases: { family: Family; layout: 'v4' | 'v5'; tied: boolean; theta: number; ropeType: string }[] = [
    { family: 'llama', layout: 'v4', tied: false, theta: 10_000, ropeType: 'llama3' },
    { family: 'llama', layout: 'v5', tied: false, theta: 10_000, ropeType: 'llama3' },
    { family: 'qwen2', layout: 'v4', tied: false, theta: 1_000_000, ropeType: 'default' },
    { family: 'qwen2', layout: 'v5', tied: false, theta: 1_000_000, ropeType: 'default' },
    { family: 'gemma', layout: 'v4', tied: true, theta: 10_000, ropeType: 'default' },
    { family: 'gemma', layout: 'v5', tied: true, theta: 10_000, ropeType: 'default' },
  ];
  test.each(cases)('$family $layout', async ({ family, layout, tied, theta, ropeType }) => {
    const dir = await makeTempDir();
    const written = await writeHfModelFolder(dir, { family, layout, shape: { ...TINY, headDim: 8 } });
    const m = await read(dir);
    expect(m.spec).toMatchObject({
      family,
      configLayout: layout,
      layers: 2,
      hiddenSize: 16,
      attentionHeads: 4,
      kvHeads: 2,
      gqaRatio: 2,
      headDim: 8,
      intermediateSize: 32,
      vocabSize: 64,
      contextLength: 256,
      tiedEmbeddings: tied,
      dtype: 'bfloat16',
      rope: { theta, type: ropeType },
    });
    // The exact count is the sum over the safetensors header, tensor by tensor.
    expect(m.weights?.parameterCount).toBe(written.parameterCount);
    expect(m.weights?.parametersByDtype).toEqual({ BF16: written.parameterCount });
    const byComponent = m.weights?.parametersByComponent ?? {};
    expect(Object.values(byComponent).reduce((a, b) => a + b, 0)).toBe(written.parameterCount);
    expect(byComponent.embedding).toBe(64 * 16);
    expect(byComponent.lm_head).toBe(tied ? undefined : 64 * 16);
    expect(m.chatTemplate?.text).toBe(CHATML_TEMPLATE);
    expect(m.chatTemplate?.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m.generation).toMatchObject({ temperature: 0.7, top_p: 0.9 });
    expect(m.tokenizer?.specialTokens.eos_token).toBeDefined();
  });
});

describe('readModelFolder', () => {
  test('files saved beside model.safetensors (a reward head, optimizer state) are not weights', async () => {
    const dir = await makeTempDir();
    const written = await writeHfModelFolder(dir, { family: 'llama' });
    await writeSafetensors(path.join(dir, 'scalar_head.safetensors'), [
      { name: 'weight', dtype: 'F32', shape: [1, 64] },
    ]);
    await writeSafetensors(path.join(dir, 'optimizer.safetensors'), [
      { name: 'm', dtype: 'F32', shape: [500] },
    ]);
    const m = await read(dir);
    expect(m.weights?.parameterCount).toBe(written.parameterCount);
  });

  test('a sharded model sums every shard and lists the shards', async () => {
    const dir = await makeTempDir();
    const written = await writeHfModelFolder(dir, { family: 'qwen2', shards: 3 });
    const m = await read(dir);
    expect(m.weights?.sharded).toBe(true);
    expect(m.weights?.files.map((f) => f.path)).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
    ]);
    expect(m.weights?.parameterCount).toBe(written.parameterCount);
    expect(m.weights?.tensorCount).toBe(written.tensors.length);
  });

  test('a LoRA adapter: base model, rank, alpha, targets and adapter parameters', async () => {
    const dir = await makeTempDir();
    const written = await writeLoraAdapterFolder(dir, {
      baseModel: 'meta-llama/Llama-3.1-8B',
      rank: 8,
      alpha: 32,
    });
    const m = await read(dir);
    expect(m.isAdapter).toBe(true);
    expect(m.spec).toBeNull();
    expect(m.adapter).toMatchObject({
      peftType: 'LORA',
      baseModel: 'meta-llama/Llama-3.1-8B',
      rank: 8,
      alpha: 32,
      targetModules: ['q_proj', 'v_proj'],
    });
    expect(m.weights?.parameterCount).toBe(written.parameterCount);
    expect(m.weights?.parametersByDtype).toEqual({ F32: written.parameterCount });
  });

  test('card, trainer curves, training args (secrets redacted) and the v5 chat_template.jinja', async () => {
    const dir = await makeTempDir();
    await writeHfModelFolder(dir, {
      layout: 'v5',
      chatTemplateFile: true,
      chatTemplate: '{{ messages }}',
      card: {
        base_model: 'meta-llama/Llama-3.1-8B',
        base_model_relation: 'finetune',
        license: 'llama3.1',
        datasets: ['org/sft-mix'],
        tags: ['sft', 'trl'],
      },
      trainerState: { steps: 5 },
      trainingArgs: {
        learning_rate: 2e-5,
        num_train_epochs: 3,
        hub_token: 'hf_canary_secret',
        lr_scheduler_type: 'cosine',
      },
    });
    const m = await read(dir);
    expect(m.card).toMatchObject({
      baseModels: ['meta-llama/Llama-3.1-8B'],
      baseModelRelation: 'finetune',
      license: 'llama3.1',
      datasets: ['org/sft-mix'],
      tags: ['sft', 'trl'],
    });
    expect(m.card?.body).toContain('A tiny test model.');
    expect(m.chatTemplate).toMatchObject({ text: '{{ messages }}', source: 'chat_template.jinja' });
    expect(m.curves).toHaveLength(5);
    expect(m.curves?.[0]).toMatchObject({ step: 1, loss: 2.5, learningRate: 1e-5 });
    expect(m.hyperparameters).toMatchObject({
      learning_rate: 2e-5,
      num_train_epochs: 3,
      hub_token: '[redacted]',
    });
    expect(JSON.stringify(m)).not.toContain('hf_canary_secret');
  });
});

describe('readModelFolder rejects bad input with a located error', () => {
  const cases: {
    name: string;
    make: (dir: string) => Promise<void>;
    code: string;
    file: RegExp;
    line?: number;
    field?: string;
  }[] = [
    {
      name: 'folder without config.json',
      make: async (dir) => void (await writeHfModelFolder(dir, { omitConfig: true })),
      code: 'AB_REGISTRY_NO_CONFIG',
      file: /./,
    },
    {
      name: 'corrupt safetensors header (length past the end)',
      make: async (dir) => {
        await writeHfModelFolder(dir);
        const f = path.join(dir, 'model.safetensors');
        const bytes = await readFile(f);
        bytes.writeBigUInt64LE(10n ** 12n, 0);
        await writeFile(f, bytes);
      },
      code: 'AB_REGISTRY_SAFETENSORS_HEADER',
      file: /model\.safetensors$/,
    },
    {
      name: 'corrupt safetensors header (JSON cut short)',
      make: async (dir) => {
        await writeHfModelFolder(dir);
        const f = path.join(dir, 'model.safetensors');
        const bytes = await readFile(f);
        bytes.write('@@@@', 12);
        await writeFile(f, bytes);
      },
      code: 'AB_REGISTRY_SAFETENSORS_HEADER',
      file: /model\.safetensors$/,
    },
    {
      name: 'tensor offsets that disagree with the shape',
      make: async (dir) => {
        await writeHfModelFolder(dir);
        const f = path.join(dir, 'model.safetensors');
        const bytes = await readFile(f);
        const len = Number(bytes.readBigUInt64LE(0));
        const header = bytes
          .subarray(8, 8 + len)
          .toString()
          .replace('"shape":[64,16]', '"shape":[64,17]');
        bytes.write(header, 8);
        await writeFile(f, bytes);
      },
      code: 'AB_REGISTRY_SAFETENSORS_HEADER',
      file: /model\.safetensors$/,
      field: 'model.embed_tokens.weight',
    },
    {
      name: 'shard index naming a missing shard',
      make: async (dir) => {
        await writeHfModelFolder(dir, { shards: 2 });
        const f = path.join(dir, 'model.safetensors.index.json');
        const index = JSON.parse(await readFile(f, 'utf8'));
        index.weight_map['lm_head.weight'] = 'model-00009-of-00009.safetensors';
        await writeFile(f, JSON.stringify(index));
      },
      code: 'AB_REGISTRY_SAFETENSORS_INDEX',
      file: /model\.safetensors\.index\.json$/,
    },
    {
      name: 'model card with broken YAML',
      make: async (dir) =>
        void (await writeHfModelFolder(dir, {
          card: '---\nlicense: mit\ntags: [a, b\nbase_model: x\n---\n# card\n',
        })),
      code: 'AB_REGISTRY_CARD_YAML',
      file: /README\.md$/,
      line: 4,
    },
    {
      name: 'config.json that is not JSON',
      make: async (dir) => {
        await writeHfModelFolder(dir);
        await writeFile(path.join(dir, 'config.json'), '{"model_type": "llama",');
      },
      code: 'AB_INPUT_JSON',
      file: /config\.json$/,
    },
  ];
  test.each(cases)('$name → $code', async ({ make, code, file, line, field }) => {
    const dir = await makeTempDir();
    await make(dir);
    const err = await read(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code });
    const where = (err as { where: { file?: string; line?: number; field?: string } }).where;
    expect(where.file).toMatch(file);
    if (line !== undefined) expect(where.line).toBe(line);
    if (field !== undefined) expect(where.field).toBe(field);
  });
});
