import { createHash } from 'node:crypto';
import { VERSION } from '../common/version.js';
import type { EvalSample } from './build-samples.js';
import { EvaluationError } from './errors.js';
import { canonicalJson, type Doc, hashDocs } from './load-dataset.js';
import type { TaskSpec } from './schemas.js';

/** Bumped when the runner's scoring changes in a way that changes numbers. */
export const EVAL_HARNESS_VERSION = '1';

/**
 * Everything that changes a number, and nothing that doesn't: the model and endpoint are what
 * is compared, so they are not in the contract.
 */
export interface EvalContract {
  harness: { name: 'alignboard'; version: string; scoring: string };
  task: { name: string; version: string; outputType: string };
  dataset: {
    path: string;
    name: string | null;
    split: string;
    contentHash: string;
    sampleIdsHash: string;
    count: number;
  };
  prompt: {
    docToText: unknown;
    docToTarget: unknown;
    docToChoice: unknown;
    description: string;
    fewshot: { n: number; sampler: string; seed: number; split: string | null; idsHash: string };
    fewshotDelimiter: string;
    targetDelimiter: string;
    fewshotAsMultiturn: boolean;
  };
  chat: { enabled: boolean; systemPrompt: string; chatTemplateHash: string | null };
  decoding: {
    api: 'chat' | 'completions';
    temperature: number;
    topP: number | null;
    maxTokens: number;
    until: string[];
    seed: number | null;
    repeats: number;
  };
  scoring: { filters: unknown; metrics: unknown; reasoning: unknown };
  judge: unknown;
}

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

export function buildContract(
  spec: TaskSpec,
  samples: readonly EvalSample[],
  opts: { chatTemplateHash?: string | null; judge?: unknown } = {},
): EvalContract {
  const usesChat = spec.chat.enabled || spec.outputType === 'judge';
  return {
    harness: { name: 'alignboard', version: VERSION, scoring: EVAL_HARNESS_VERSION },
    task: { name: spec.name, version: spec.version, outputType: spec.outputType },
    dataset: {
      path: spec.dataset.path,
      name: spec.dataset.name,
      split: spec.dataset.testSplit,
      contentHash: hashDocs(samples.map((s) => s.doc as Doc)),
      sampleIdsHash: sha(samples.map((s) => s.id).join('\n')),
      count: samples.length,
    },
    prompt: {
      docToText: spec.docToText,
      docToTarget: spec.docToTarget ?? null,
      docToChoice: spec.docToChoice ?? null,
      description: spec.description,
      fewshot: {
        n: spec.fewshot.n,
        sampler: spec.fewshot.sampler,
        seed: spec.fewshot.seed,
        split: spec.fewshot.samples ? 'fewshot_config.samples' : spec.dataset.fewshotSplit,
        idsHash: sha(samples.map((s) => s.fewshotIds.join(',')).join('\n')),
      },
      fewshotDelimiter: spec.fewshot.delimiter,
      targetDelimiter: spec.targetDelimiter,
      fewshotAsMultiturn: spec.fewshot.asMultiturn,
      // Only when set, so the contracts of single-turn runs stored before it stay the same.
      ...(spec.multiTurn && { multiTurn: true }),
    },
    chat: {
      enabled: usesChat,
      systemPrompt: spec.chat.systemPrompt,
      chatTemplateHash: opts.chatTemplateHash ?? null,
    },
    decoding: {
      api: usesChat ? 'chat' : 'completions',
      temperature: spec.generation.temperature,
      topP: spec.generation.topP ?? null,
      maxTokens: spec.generation.maxTokens,
      until: spec.generation.until,
      seed: spec.generation.seed ?? null,
      repeats: spec.repeats,
    },
    scoring: { filters: spec.filters, metrics: spec.metrics, reasoning: spec.reasoning },
    judge: opts.judge ?? spec.judge ?? null,
  };
}

export function hashContract(contract: EvalContract): string {
  return sha(canonicalJson(contract));
}

export interface ContractDifference {
  /** Dotted path, e.g. `decoding.temperature`. */
  field: string;
  a: unknown;
  b: unknown;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(prefix, {});
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
}

/** Every leaf field that differs between two contracts, by dotted path. */
export function diffContracts(a: EvalContract, b: EvalContract): ContractDifference[] {
  const fa = new Map<string, unknown>();
  const fb = new Map<string, unknown>();
  flatten(a, '', fa);
  flatten(b, '', fb);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  return keys
    .filter((k) => canonicalJson(fa.get(k) ?? null) !== canonicalJson(fb.get(k) ?? null))
    .map((k) => ({ field: k, a: fa.get(k) ?? null, b: fb.get(k) ?? null }));
}

/** "incomparable: decoding.temperature differs (0 vs 0.7); …" */
export function describeDifferences(diffs: readonly ContractDifference[]): string {
  const short = (v: unknown) => {
    const t = JSON.stringify(v) ?? 'null';
    return t.length > 40 ? `${t.slice(0, 39)}…` : t;
  };
  return `incomparable: ${diffs.map((d) => `${d.field} differs (${short(d.a)} vs ${short(d.b)})`).join('; ')}`;
}

/** Throws AB_EVAL_INCOMPARABLE naming every differing field, unless the contracts agree. */
export function assertComparable(a: EvalContract, b: EvalContract): void {
  const diffs = diffContracts(a, b);
  if (diffs.length > 0) {
    throw new EvaluationError(
      'AB_EVAL_INCOMPARABLE',
      `${describeDifferences(diffs)}; rerun one of them under the other's contract, or pass --allow-incomparable to see them side by side with this statement`,
      { field: diffs[0]?.field },
      { status: 409 },
    );
  }
}
