// What every embedded algorithm exposes to the run driver: a fixed number of steps, one step at a
// time (a pure function of the state and the step index), and the small state to checkpoint.
// Online algorithms' steps are async: they wait for their samples.
import type { EngineTokenizer, LlamaModel, Trainer } from '../../engine/index.js';
import type { Recipe } from '../recipe.js';
import type { ScoredSequence } from './logit-grads.js';
import type { ScalarHead } from './scalar-head.js';

export type Metrics = Record<string, number>;

export interface AlgorithmLoop {
  totalSteps: number;
  /** Runs optimizer step (or online iteration) `step`; returns its metrics. */
  runStep(step: number): Metrics | Promise<Metrics>;
  /** Small numeric state beyond parameters and optimizer (e.g. the adaptive KL coefficient). */
  extraState(): Record<string, number>;
  restoreExtra(extra: Record<string, number>): void;
  /** Metrics measured once at the end (held-out accuracy, win rate, …). */
  finalMetrics?(): Metrics;
}

/** A preference pair, tokenized: the same prompt with a chosen and a rejected continuation. */
export interface PreferencePair {
  prompt: number[];
  chosen: number[];
  rejected: number[];
  /** Bradley–Terry margin (reward model with use_margin). */
  margin?: number;
}

/** A policy (or reward model) being trained: trunk + optimizer, and an optional scalar head. */
export interface TrainState {
  trainer: Trainer;
  head: ScalarHead | null;
}

/** A frozen reward model: trunk and head. */
export interface RewardModel {
  model: LlamaModel;
  head: ScalarHead;
}

/** A prompt to sample and its request's seed (fixed per step and prompt, so a resumed run repeats it). */
export interface SamplePrompt {
  prompt: readonly number[];
  seed: number;
}

/**
 * Draws `n` completions for each prompt, all prompts at once so a server batches them: per
 * prompt, the policy's token ids, ending with the stop token when one ended the sample. The
 * embedded engine in-process (`engineSampler`) or an OpenAI-compatible server (`servedSampler`).
 */
export interface Sampler {
  sample(
    prompts: readonly SamplePrompt[],
    opts: { n: number; temperature: number; maxTokens: number },
  ): Promise<number[][][]>;
}

export interface LoopContext {
  recipe: Recipe;
  state: TrainState;
  tokenizer: EngineTokenizer;
  /** Frozen reference model (DPO, online DPO, PPO). */
  reference?: LlamaModel;
  rewardModel?: RewardModel;
  sampler?: Sampler;
}

export const pairSeqs = (p: PreferencePair): [ScoredSequence, ScoredSequence] => [
  { tokens: [...p.prompt, ...p.chosen], start: p.prompt.length },
  { tokens: [...p.prompt, ...p.rejected], start: p.prompt.length },
];
