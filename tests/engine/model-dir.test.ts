import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  decodeSafetensors,
  EngineError,
  loadModelDir,
  parseModelConfig,
  saveModelDir,
} from '../../src/engine/index.js';
import { makeTempDir, writeTinyModel } from '../helpers/tiny-model.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tiny(opts: Parameters<typeof writeTinyModel>[0] = {}) {
  const r = await writeTinyModel(opts);
  dirs.push(r.dir);
  return r;
}

describe('Hugging Face folders', () => {
  test('a folder written by the engine loads back bit-identically (f32, single file)', async () => {
    const { dir, model } = await tiny({ config: { tie_word_embeddings: true } });
    const loaded = await loadModelDir(dir);
    expect(loaded.config).toEqual(model.config);
    expect(
      Buffer.from(loaded.model.params.buffer, 0, model.params.length * 4).equals(
        Buffer.from(model.params.buffer, 0, model.params.length * 4),
      ),
    ).toBe(true);
    // and saving the loaded model again gives the same bytes
    const again = await makeTempDir();
    dirs.push(again);
    await saveModelDir(again, loaded.model, { tokenizer: loaded.tokenizer?.files });
    for (const f of ['model.safetensors', 'config.json', 'tokenizer.json']) {
      expect((await readFile(join(again, f))).equals(await readFile(join(dir, f))), f).toBe(true);
    }
  });

  test('sharded checkpoints with an index load the same tensors', async () => {
    const { dir, model } = await tiny({ maxShardBytes: 20_000 });
    const files = await readdir(dir);
    expect(files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).length).toBeGreaterThan(1);
    const index = JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index.weight_map['model.embed_tokens.weight']).toMatch(/^model-00001-of-/);
    const loaded = await loadModelDir(dir);
    expect(loaded.model.params).toEqual(model.params);
  });

  test('bf16 weights round to nearest even and load as f32', async () => {
    const { dir, model } = await tiny({ dtype: 'bfloat16' });
    const loaded = await loadModelDir(dir);
    let maxRel = 0;
    for (let i = 0; i < model.params.length; i++) {
      const a = model.params[i] as number;
      const b = loaded.model.params[i] as number;
      if (a !== 0) maxRel = Math.max(maxRel, Math.abs(a - b) / Math.abs(a));
    }
    expect(maxRel).toBeLessThanOrEqual(2 ** -8); // bf16 has 8 bits of mantissa precision
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).torch_dtype).toBe('bfloat16');
  });

  test('f16 tensors are read', () => {
    // header for one F16 tensor [2] holding 1.0 (0x3c00) and -2.5 (0xc100)
    const header = JSON.stringify({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } });
    const buf = Buffer.alloc(8 + header.length + 4);
    buf.writeBigUInt64LE(BigInt(header.length));
    buf.write(header, 8);
    buf.writeUInt16LE(0x3c00, 8 + header.length);
    buf.writeUInt16LE(0xc100, 10 + header.length);
    expect(Array.from(decodeSafetensors(buf, 'x.safetensors').get('w')?.data ?? [])).toEqual([1, -2.5]);
  });

  test('the folder is a valid Hugging Face layout', async () => {
    const { dir } = await tiny();
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: 32,
      num_key_value_heads: 2,
      torch_dtype: 'float32',
    });
    const st = await readFile(join(dir, 'model.safetensors'));
    const n = Number(st.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0); // header padded to 8 bytes
    const header = JSON.parse(st.subarray(8, 8 + n).toString('utf8'));
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(header['model.layers.0.self_attn.k_proj.weight']).toMatchObject({ dtype: 'F32', shape: [16, 32] });
    const tok = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
    expect(tok.model.type).toBe('BPE');
    expect(tok.added_tokens.map((t: { content: string }) => t.content)).toContain('<|im_end|>');
    const gen = JSON.parse(await readFile(join(dir, 'generation_config.json'), 'utf8'));
    expect(typeof gen.eos_token_id).toBe('number');
  });

  test('transformers v5 keys (rope_parameters, dtype) read like v4 ones', () => {
    const base = {
      model_type: 'llama',
      vocab_size: 10,
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
    };
    const v4 = parseModelConfig({
      ...base,
      rope_theta: 500000,
      rope_scaling: { rope_type: 'linear', factor: 2 },
      torch_dtype: 'bfloat16',
    });
    const v5 = parseModelConfig({
      ...base,
      rope_parameters: { rope_type: 'linear', rope_theta: 500000, factor: 2 },
      dtype: 'bfloat16',
    });
    expect(v5).toEqual(v4);
    expect(v4.ropeScaling).toEqual({ type: 'linear', factor: 2 });
    expect(parseModelConfig({ ...base, model_type: 'qwen2' })).toMatchObject({ qkvBias: true, oBias: false });
  });
});

describe('bad model folders', () => {
  const cases: [string, (dir: string) => Promise<void>, string, RegExp][] = [
    [
      'missing config.json',
      (d) => rm(join(d, 'config.json')),
      'AB_ENGINE_CONFIG',
      /config\.json: file not found/,
    ],
    [
      'malformed config.json',
      (d) => writeFile(join(d, 'config.json'), '{"model_type": "llama",'),
      'AB_ENGINE_CONFIG',
      /config\.json: not valid JSON/,
    ],
    [
      'config.json with a bad field',
      async (d) => patchConfig(d, { hidden_size: 'big' }),
      'AB_ENGINE_CONFIG',
      /config\.json field "hidden_size"/,
    ],
    [
      'unsupported architecture',
      async (d) => patchConfig(d, { model_type: 'gpt2' }),
      'AB_ENGINE_ARCH',
      /field "model_type": model_type "gpt2" is not supported/,
    ],
    [
      'safetensors header length beyond the file',
      (d) =>
        corrupt(d, (b) => {
          b.writeBigUInt64LE(10n ** 9n);
          return b;
        }),
      'AB_ENGINE_SAFETENSORS',
      /model\.safetensors: header length/,
    ],
    [
      'safetensors header not JSON',
      (d) =>
        corrupt(d, (b) => {
          b.write('@@', 8);
          return b;
        }),
      'AB_ENGINE_SAFETENSORS',
      /model\.safetensors: header is not valid JSON/,
    ],
    [
      'truncated safetensors data',
      (d) => corrupt(d, (b) => b.subarray(0, b.length - 100)),
      'AB_ENGINE_SAFETENSORS',
      /model\.safetensors field "[^"]+": tensor data ends at byte \d+ but only \d+ data bytes/,
    ],
    [
      'a tensor with the wrong shape',
      async (d) => patchConfig(d, { intermediate_size: 48 }),
      'AB_ENGINE_WEIGHTS',
      /field "model\.layers\.0\.mlp\.gate_proj\.weight": shape \[64,32\] does not match/,
    ],
  ];
  test.each(cases)('%s', async (_name, breakIt, code, message) => {
    const { dir } = await tiny();
    await breakIt(dir);
    const err = await loadModelDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe(code);
    expect((err as EngineError).message).toMatch(message);
  });
});

async function patchConfig(dir: string, patch: Record<string, unknown>) {
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), ...patch }));
}
async function corrupt(dir: string, f: (b: Buffer) => Buffer) {
  const file = join(dir, 'model.safetensors');
  await writeFile(file, f(await readFile(file)));
}
