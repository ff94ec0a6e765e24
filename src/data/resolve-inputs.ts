import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../store/index.js';
import { type LoadedContract, loadContract } from './contract.js';
import { getContract } from './dataset-versions.js';
import { ContractError, DataError } from './errors.js';
import {
  loadChatTemplate,
  loadTokenizer,
  type TokenCounter,
  type TrainingTemplate,
} from './training-template.js';

/** `name`, `name@v3` or `name@3`: a stored contract and an optional version. */
const STORED_REF = /^([a-z0-9][a-z0-9._-]*?)(?:@v?(\d+))?$/;

/**
 * The contract a command or request names: a contract file (YAML) when `ref` is a path that
 * exists, else a stored contract `name` (its latest version) or `name@vN`.
 */
export async function resolveContract(ref: string, opts: { store?: Store } = {}): Promise<LoadedContract> {
  if (existsSync(ref)) return loadContract(ref);
  const m = STORED_REF.exec(ref);
  if (!m?.[1] || !opts.store)
    throw new ContractError(
      'AB_DATA_CONTRACT_INVALID',
      'no such contract file, and not a stored contract name (name or name@vN)',
      { file: ref, field: 'contract' },
      { status: 404 },
    );
  return getContract(opts.store, m[1], m[2] ? Number(m[2]) : undefined);
}

/** A stored contract as the API shows it: the text as written and the parsed rules. */
export function describeContract(loaded: LoadedContract): {
  name: string;
  version: number;
  hash: string;
  text: string;
  contract: Record<string, unknown>;
} {
  const { contract, text, hash } = loaded;
  return { name: contract.name, version: contract.version, hash, text, contract: { ...contract } };
}

/**
 * The training template of a model folder (its chat template) and its tokenizer, when the
 * folder has a `tokenizer.json`; token lengths and truncation need the tokenizer.
 */
export async function loadTrainingTemplate(
  modelDir: string,
  opts: { documents?: 'inline' | 'template' } = {},
): Promise<{ template: TrainingTemplate; tokenizer?: TokenCounter }> {
  const info = await stat(modelDir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new DataError(
      'AB_DATA_TEMPLATE_INVALID',
      'not a model folder (expected a folder with tokenizer_config.json)',
      { file: modelDir, field: 'template' },
      { status: 404 },
    );
  const template = await loadChatTemplate(modelDir, opts);
  const hasTokenizer = existsSync(path.join(modelDir, 'tokenizer.json'));
  return hasTokenizer ? { template, tokenizer: await loadTokenizer(modelDir) } : { template };
}
