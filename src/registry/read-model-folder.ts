import { createHash } from 'node:crypto';
import { parseJsonAt } from '../common/errors.js';
import { RegistryError } from './errors.js';
import { extractSpec } from './extract-spec.js';
import type { ModelSource, SourceFile } from './model-source.js';
import { parseModelCard } from './parse-model-card.js';
import { readSafetensorsHeader, type SafetensorsHeader } from './safetensors-header.js';
import type {
  AdapterInfo,
  ChatTemplate,
  CurvePoint,
  ImportedModel,
  Scalar,
  TokenizerInfo,
  Weights,
} from './schemas.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Small files we read whole; anything bigger is a mistake we refuse rather than load. */
const MAX_TEXT_BYTES = 20_000_000;
const INDEX_FILE = 'model.safetensors.index.json';
const SINGLE_FILE = 'model.safetensors';

/**
 * Reads a Hugging Face model folder (or Hub repo) without loading weights: config.json, the
 * safetensors headers or shard index, generation_config.json, tokenizer_config.json and
 * chat_template.jinja, the README.md card, adapter_config.json, trainer_state.json and
 * training_args.json / args.json. Pure reading: nothing is written, so a failure leaves no trace.
 */
export async function readModelFolder(source: ModelSource): Promise<ImportedModel> {
  const files = await source.listFiles();
  const byPath = new Map(files.map((f) => [f.path, f]));
  const where = (file: string) => `${source.location}/${file}`;
  const readJson = async (file: string): Promise<Json | null> => {
    const entry = byPath.get(file);
    if (!entry) return null;
    if (entry.sizeBytes > MAX_TEXT_BYTES) {
      throw new RegistryError(
        'AB_REGISTRY_CONFIG_INVALID',
        `is ${entry.sizeBytes} bytes, too big for a config file`,
        {
          file: where(file),
        },
      );
    }
    const value = parseJsonAt(await source.readText(file), { file: where(file) });
    if (!isObject(value)) {
      throw new RegistryError('AB_REGISTRY_CONFIG_INVALID', 'expected a JSON object', { file: where(file) });
    }
    return value;
  };

  const config = await readJson('config.json');
  const adapterConfig = await readJson('adapter_config.json');
  if (!config && !adapterConfig) {
    throw new RegistryError(
      'AB_REGISTRY_NO_CONFIG',
      'no config.json (nor adapter_config.json): not a Hugging Face model folder; point at the folder that holds config.json',
      { file: source.location },
    );
  }

  const weights = await readWeights(source, byPath, where, readJson);
  const hasLmHead = weights ? weights.tensorNames.some((n) => /(^|\.)lm_head\./.test(n)) : null;
  const spec = config ? extractSpec(config, hasLmHead) : null;
  if (config && spec && spec.family === null) {
    throw new RegistryError(
      'AB_REGISTRY_CONFIG_INVALID',
      'has no "model_type"; cannot tell the architecture',
      {
        file: where('config.json'),
        field: 'model_type',
      },
    );
  }

  const readmeEntry = byPath.get('README.md');
  const card = readmeEntry ? parseModelCard(await source.readText('README.md'), where('README.md')) : null;
  const tokenizerConfig = await readJson('tokenizer_config.json');
  const generationConfig = await readJson('generation_config.json');
  const trainerState = await readJson('trainer_state.json');
  const trainingArgs = (await readJson('training_args.json')) ?? (await readJson('args.json'));

  return {
    isAdapter: adapterConfig !== null,
    spec,
    weights: weights?.summary ?? null,
    chatTemplate: await readChatTemplate(source, byPath, tokenizerConfig),
    tokenizer: tokenizerConfig ? readTokenizer(tokenizerConfig) : null,
    generation: generationConfig ? scalars(generationConfig) : null,
    card,
    adapter: adapterConfig ? readAdapter(adapterConfig) : null,
    curves: trainerState ? readCurves(trainerState) : null,
    hyperparameters: trainingArgs ? redactSecrets(scalars(trainingArgs)) : null,
    files: files.map((f) => ({ path: f.path, sizeBytes: f.sizeBytes })),
  };
}

async function readWeights(
  source: ModelSource,
  byPath: Map<string, SourceFile>,
  where: (file: string) => string,
  readJson: (file: string) => Promise<Json | null>,
): Promise<{ summary: Weights; tensorNames: string[] } | null> {
  const index = await readJson(INDEX_FILE);
  let shardPaths: string[];
  let weightMap: Record<string, string> | null = null;
  if (index) {
    if (!isObject(index.weight_map)) {
      throw new RegistryError('AB_REGISTRY_SAFETENSORS_INDEX', 'has no "weight_map" object', {
        file: where(INDEX_FILE),
        field: 'weight_map',
      });
    }
    weightMap = {};
    for (const [tensor, shard] of Object.entries(index.weight_map)) {
      if (typeof shard !== 'string' || shard.includes('..') || shard.startsWith('/')) {
        throw new RegistryError(
          'AB_REGISTRY_SAFETENSORS_INDEX',
          `shard name ${JSON.stringify(shard)} is not a file in this folder`,
          {
            file: where(INDEX_FILE),
            field: `weight_map.${tensor}`,
          },
        );
      }
      weightMap[tensor] = shard;
    }
    shardPaths = [...new Set(Object.values(weightMap))].sort();
    for (const shard of shardPaths) {
      if (!byPath.has(shard)) {
        throw new RegistryError(
          'AB_REGISTRY_SAFETENSORS_INDEX',
          `names shard "${shard}", which is not in the folder`,
          {
            file: where(INDEX_FILE),
          },
        );
      }
    }
  } else {
    // As transformers loads it: `model.safetensors` when present, so files saved beside the
    // weights (a reward model's scalar_head.safetensors, an optimizer state) are not counted.
    const top = [...byPath.keys()].filter((p) => !p.includes('/') && p.endsWith('.safetensors'));
    shardPaths = top.includes(SINGLE_FILE) ? [SINGLE_FILE] : top;
  }
  if (shardPaths.length === 0) return null;

  const headers: SafetensorsHeader[] = [];
  // Sequential on purpose: each header is one small read, and a Hub repo may have many shards.
  for (const shard of shardPaths) {
    const entry = byPath.get(shard);
    if (!entry) continue;
    headers.push(
      await readSafetensorsHeader(where(shard), entry.sizeBytes, (s, e) => source.readRange(shard, s, e)),
    );
  }
  if (weightMap) {
    for (const [h, shard] of headers.map((h, i) => [h, shardPaths[i]] as const)) {
      const names = new Set(h.tensors.map((t) => t.name));
      for (const [tensor, mapped] of Object.entries(weightMap)) {
        if (mapped === shard && !names.has(tensor)) {
          throw new RegistryError(
            'AB_REGISTRY_SAFETENSORS_INDEX',
            `maps tensor "${tensor}" to "${shard}", whose header lacks it`,
            {
              file: where(INDEX_FILE),
              field: `weight_map.${tensor}`,
            },
          );
        }
      }
    }
  }
  const byDtype: Record<string, number> = {};
  const byComponent: Record<string, number> = {};
  let total = 0;
  const tensorNames: string[] = [];
  for (const h of headers) {
    for (const t of h.tensors) {
      total += t.elements;
      byDtype[t.dtype] = (byDtype[t.dtype] ?? 0) + t.elements;
      const component = componentOf(t.name);
      byComponent[component] = (byComponent[component] ?? 0) + t.elements;
      tensorNames.push(t.name);
    }
  }
  return {
    tensorNames,
    summary: {
      sharded: index !== null,
      files: headers.map((h, i) => ({
        path: shardPaths[i] ?? h.file,
        sizeBytes: h.fileSizeBytes,
        tensors: h.tensors.length,
      })),
      tensorCount: tensorNames.length,
      parameterCount: total,
      parametersByDtype: byDtype,
      parametersByComponent: byComponent,
      sizeBytes: headers.reduce((a, h) => a + h.fileSizeBytes, 0),
    },
  };
}

/** Groups a tensor by its role, from the names transformers uses across Llama, Qwen, Gemma and GPT-2. */
export function componentOf(tensor: string): string {
  if (/lora_|lora\./.test(tensor)) return /attn|attention/.test(tensor) ? 'lora-attention' : 'lora-mlp';
  if (/(^|\.)lm_head\./.test(tensor)) return 'lm_head';
  if (/embed_tokens|wte|word_embeddings|wpe|embed_positions/.test(tensor)) return 'embedding';
  if (/norm|ln_/.test(tensor)) return 'norm';
  if (/self_attn|attention|\.attn\./.test(tensor)) return 'attention';
  if (/mlp|feed_forward|ffn|experts/.test(tensor)) return 'mlp';
  return 'other';
}

async function readChatTemplate(
  source: ModelSource,
  byPath: Map<string, SourceFile>,
  tokenizerConfig: Json | null,
): Promise<ChatTemplate | null> {
  let text: string | null = null;
  let from = '';
  // transformers v5 saves the template beside the tokenizer; it wins over the v4 config key.
  if (byPath.has('chat_template.jinja')) {
    text = await source.readText('chat_template.jinja');
    from = 'chat_template.jinja';
  } else if (tokenizerConfig) {
    const t = tokenizerConfig.chat_template;
    if (typeof t === 'string') text = t;
    else if (Array.isArray(t)) {
      const named = t.filter(isObject);
      const chosen = named.find((x) => x.name === 'default') ?? named[0];
      text = str(chosen?.template);
    }
    from = 'tokenizer_config.json';
  }
  if (text === null || text === '') return null;
  return { text, hash: `sha256:${createHash('sha256').update(text).digest('hex')}`, source: from };
}

function readTokenizer(c: Json): TokenizerInfo {
  const specialTokens: Record<string, string> = {};
  for (const key of [
    'bos_token',
    'eos_token',
    'pad_token',
    'unk_token',
    'sep_token',
    'cls_token',
    'mask_token',
  ]) {
    const v = c[key];
    const content = typeof v === 'string' ? v : isObject(v) ? str(v.content) : null;
    if (content !== null) specialTokens[key] = content;
  }
  const maxLength = num(c.model_max_length);
  return {
    specialTokens,
    // transformers writes 1e30 for "no limit"; that is not a context length.
    modelMaxLength: maxLength !== null && maxLength < 1e12 ? maxLength : null,
    tokenizerClass: str(c.tokenizer_class),
  };
}

function readAdapter(c: Json): AdapterInfo {
  const modules = c.target_modules;
  return {
    peftType: str(c.peft_type),
    baseModel: str(c.base_model_name_or_path),
    rank: num(c.r),
    alpha: num(c.lora_alpha),
    dropout: num(c.lora_dropout),
    targetModules: Array.isArray(modules)
      ? modules.map(String)
      : typeof modules === 'string'
        ? [modules]
        : [],
    taskType: str(c.task_type),
  };
}

/** Loss and learning-rate curves from a Trainer's `log_history`. */
function readCurves(state: Json): CurvePoint[] {
  const history = Array.isArray(state.log_history) ? state.log_history.filter(isObject) : [];
  return history
    .filter((h) => num(h.step) !== null)
    .map((h) => ({
      step: num(h.step) ?? 0,
      epoch: num(h.epoch),
      loss: num(h.loss),
      learningRate: num(h.learning_rate),
      gradNorm: num(h.grad_norm),
      evalLoss: num(h.eval_loss),
    }))
    .filter((p) => p.loss !== null || p.learningRate !== null || p.evalLoss !== null);
}

/** The scalar fields of a JSON object; nested objects are kept as compact JSON text. */
function scalars(obj: Json): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else out[k] = JSON.stringify(v);
  }
  return out;
}

/** training_args.json carries `hub_token` and friends; they never reach the store. */
function redactSecrets(values: Record<string, Scalar>): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = typeof v === 'string' && /(token|secret|password|api_?key)$/i.test(k) ? '[redacted]' : v;
  }
  return out;
}
