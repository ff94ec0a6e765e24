// A Hugging Face model folder on disk: config.json, model.safetensors (or shards with
// model.safetensors.index.json), generation_config.json, tokenizer files, chat template.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { formatModelConfig, type ModelConfig, parseModelConfig } from './config.js';
import { EngineError } from './errors.js';
import { createModel, type LlamaModel } from './llama.js';
import { allocF32 } from './ops/matmul.js';
import { paramLayout } from './params.js';
import { readSafetensors, type Tensor, writeSafetensors } from './safetensors.js';
import { type EngineTokenizer, loadTokenizer } from './tokenizer.js';

/** Defaults from generation_config.json that sampling falls back to. */
export interface GenerationDefaults {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxNewTokens?: number;
  eosTokenIds: number[];
}

export interface LoadedModel {
  dir: string;
  config: ModelConfig;
  model: LlamaModel;
  /** null when the folder has no tokenizer.json (a weights-only checkpoint). */
  tokenizer: EngineTokenizer | null;
  generation: GenerationDefaults;
}

async function readJsonFile(
  file: string,
  code: 'AB_ENGINE_CONFIG' | 'AB_ENGINE_WEIGHTS',
  optional = false,
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : `cannot read (${(err as NodeJS.ErrnoException).code})`;
    throw new EngineError(
      code,
      `${why}; a model folder needs config.json and model.safetensors`,
      { file },
      { cause: err },
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EngineError(code, `not valid JSON (${(err as Error).message})`, { file }, { cause: err });
  }
}

const IndexSchema = z.object({ weight_map: z.record(z.string(), z.string()) });

const GenerationConfigSchema = z
  .object({
    temperature: z.number().nonnegative().optional(),
    top_p: z.number().positive().max(1).optional(),
    top_k: z.number().int().nonnegative().optional(),
    max_new_tokens: z.number().int().positive().optional(),
    eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullish(),
  })
  .loose();

/** Loads config, weights (any of f32/f16/bf16, single file or sharded) and tokenizer from `dir`. */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const configFile = join(dir, 'config.json');
  const config = parseModelConfig(await readJsonFile(configFile, 'AB_ENGINE_CONFIG'), configFile);
  const tensors = await readWeights(dir);
  const specs = paramLayout(config);
  const params = allocF32(specs.reduce((n, s) => n + s.size, 0));
  for (const s of specs) {
    const t = tensors.get(s.name);
    if (!t) {
      throw new EngineError(
        'AB_ENGINE_WEIGHTS',
        `tensor is missing from the checkpoint (shape [${s.shape}] expected)`,
        {
          file: tensors.source,
          field: s.name,
        },
      );
    }
    if (t.tensor.shape.join(',') !== s.shape.join(',')) {
      throw new EngineError(
        'AB_ENGINE_WEIGHTS',
        `shape [${t.tensor.shape}] does not match config.json, which implies [${s.shape}]`,
        {
          file: t.file,
          field: s.name,
        },
      );
    }
    params.set(t.tensor.data, s.offset);
  }
  const genRaw = await readJsonFile(join(dir, 'generation_config.json'), 'AB_ENGINE_CONFIG', true);
  const gen = genRaw === undefined ? {} : (GenerationConfigSchema.safeParse(genRaw).data ?? {});
  const eos =
    gen.eos_token_id == null
      ? config.eosTokenIds
      : Array.isArray(gen.eos_token_id)
        ? gen.eos_token_id
        : [gen.eos_token_id];
  let tokenizer: EngineTokenizer | null = null;
  try {
    tokenizer = await loadTokenizer(dir);
  } catch (err) {
    // A weights-only folder is usable for scoring token ids; any other tokenizer problem is an error.
    if (!(err instanceof EngineError && /cannot read \(ENOENT\)/.test(err.message))) throw err;
  }
  const eosTokenIds = eos.length ? eos : tokenizer?.eosTokenId != null ? [tokenizer.eosTokenId] : [];
  return {
    dir,
    config,
    model: createModel(config, params),
    tokenizer,
    generation: {
      temperature: gen.temperature,
      topP: gen.top_p,
      topK: gen.top_k,
      maxNewTokens: gen.max_new_tokens,
      eosTokenIds,
    },
  };
}

type Weights = Map<string, { tensor: Tensor; file: string }> & { source?: string };

async function readWeights(dir: string): Promise<Weights> {
  const indexFile = join(dir, 'model.safetensors.index.json');
  const index = await readJsonFile(indexFile, 'AB_ENGINE_WEIGHTS', true);
  const files: string[] = [];
  if (index === undefined) files.push('model.safetensors');
  else {
    const parsed = IndexSchema.safeParse(index);
    if (!parsed.success) {
      throw new EngineError('AB_ENGINE_WEIGHTS', 'expected {"weight_map": {tensor: file}}', {
        file: indexFile,
        field: 'weight_map',
      });
    }
    files.push(...new Set(Object.values(parsed.data.weight_map)));
  }
  const out: Weights = new Map();
  out.source = index === undefined ? join(dir, 'model.safetensors') : indexFile;
  for (const f of files) {
    const file = join(dir, f);
    for (const [name, tensor] of await readSafetensors(file)) out.set(name, { tensor, file });
  }
  return out;
}

export interface SaveModelOptions {
  /** Weights dtype on disk. */
  dtype?: 'float32' | 'bfloat16';
  /** Tokenizer files to write beside the weights. */
  tokenizer?: {
    tokenizerJson: Record<string, unknown>;
    tokenizerConfig: Record<string, unknown>;
    chatTemplateJinja?: string | null;
  };
  generation?: Partial<GenerationDefaults>;
  /** Split the weights into shards of at most this many bytes (writes model.safetensors.index.json). */
  maxShardBytes?: number;
}

/** Writes `model` as a Hugging Face folder that transformers and this engine load. */
export async function saveModelDir(
  dir: string,
  model: LlamaModel,
  opts: SaveModelOptions = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dtype = opts.dtype ?? 'float32';
  const cfg = model.config;
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(formatModelConfig(cfg, dtype), null, 2)}\n`);
  const tensors = paramLayout(cfg).map((s) => ({
    name: s.name,
    shape: s.shape,
    data: model.params.subarray(s.offset, s.offset + s.size),
  }));
  const st = dtype === 'bfloat16' ? 'BF16' : 'F32';
  const bytesPer = st === 'BF16' ? 2 : 4;
  if (opts.maxShardBytes) {
    const shards: (typeof tensors)[] = [[]];
    let size = 0;
    for (const t of tensors) {
      const b = t.data.length * bytesPer;
      if (size + b > opts.maxShardBytes && (shards.at(-1)?.length ?? 0) > 0) {
        shards.push([]);
        size = 0;
      }
      shards.at(-1)?.push(t);
      size += b;
    }
    const weightMap: Record<string, string> = {};
    let total = 0;
    for (const [i, shard] of shards.entries()) {
      const name = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
      await writeSafetensors(join(dir, name), shard, st);
      for (const t of shard) {
        weightMap[t.name] = name;
        total += t.data.length * bytesPer;
      }
    }
    const index = { metadata: { total_size: total }, weight_map: weightMap };
    await writeFile(join(dir, 'model.safetensors.index.json'), `${JSON.stringify(index, null, 2)}\n`);
  } else await writeSafetensors(join(dir, 'model.safetensors'), tensors, st);
  const g = opts.generation ?? {};
  const eos = g.eosTokenIds ?? cfg.eosTokenIds;
  const genConfig = {
    bos_token_id: cfg.bosTokenId,
    eos_token_id: eos.length === 1 ? eos[0] : eos,
    ...(g.temperature !== undefined ? { temperature: g.temperature } : {}),
    ...(g.topP !== undefined ? { top_p: g.topP } : {}),
    ...(g.topK !== undefined ? { top_k: g.topK } : {}),
    ...(g.maxNewTokens !== undefined ? { max_new_tokens: g.maxNewTokens } : {}),
    transformers_version: '4.57.1',
  };
  await writeFile(join(dir, 'generation_config.json'), `${JSON.stringify(genConfig, null, 2)}\n`);
  if (opts.tokenizer) {
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(opts.tokenizer.tokenizerJson));
    await writeFile(
      join(dir, 'tokenizer_config.json'),
      `${JSON.stringify(opts.tokenizer.tokenizerConfig, null, 2)}\n`,
    );
    if (opts.tokenizer.chatTemplateJinja)
      await writeFile(join(dir, 'chat_template.jinja'), opts.tokenizer.chatTemplateJinja);
  }
}
