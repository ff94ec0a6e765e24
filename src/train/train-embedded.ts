// The embedded engine as a training engine: loads the models a recipe names, tokenizes the
// examples with the chat template, runs the algorithm step by step with atomic checkpoints, and
// resumes from the last checkpoint with the same results an uninterrupted run gives.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createTrainer, type EngineTokenizer, loadModelDir } from '../engine/index.js';
import {
  latestCheckpoint,
  loadCheckpoint,
  readHead,
  saveCheckpoint,
  saveModel,
} from './embedded/checkpoint.js';
import { createDpoLoop } from './embedded/dpo.js';
import { engineSampler } from './embedded/engine-sampler.js';
import type { ScoredSequence } from './embedded/logit-grads.js';
import type { AlgorithmLoop, LoopContext, Metrics, PreferencePair, RewardModel } from './embedded/loop.js';
import { createOnlineDpoLoop } from './embedded/online-dpo.js';
import { createPpoLoop } from './embedded/ppo.js';
import { createRewardModelLoop } from './embedded/reward-model.js';
import { createScalarHead } from './embedded/scalar-head.js';
import { type ServePolicy, servedSampler } from './embedded/served-sampler.js';
import { createSftLoop } from './embedded/sft.js';
import { TrainError } from './errors.js';
import type { LoadedRecipe } from './recipe.js';

/** Training examples as text, already read from accepted dataset versions. */
export interface TrainExamples {
  /** SFT: a prompt and the completion to learn. */
  completions?: { prompt: string; completion: string }[];
  /** RM / DPO: preference pairs. */
  pairs?: { prompt: string; chosen: string; rejected: string; margin?: number }[];
  /** Online DPO / PPO: prompts to sample from. */
  prompts?: string[];
}

export interface TrainEmbeddedOptions {
  recipe: LoadedRecipe;
  /** The run folder: checkpoints, latest.json and the final model under `model/`. */
  runDir: string;
  baseModelDir: string;
  referenceModelDir?: string;
  rewardModelDir?: string;
  examples: TrainExamples;
  /**
   * Online DPO and PPO sample the live policy through this server (batched across the prompts of
   * an iteration); without it they sample in-process, one prompt after another.
   */
  servePolicy?: ServePolicy;
  signal?: AbortSignal;
}

export type TrainEvent =
  | { type: 'start'; totalSteps: number; resumedFrom: number | null }
  | { type: 'step'; step: number; totalSteps: number; metrics: Metrics }
  | { type: 'checkpoint'; step: number; dir: string }
  | { type: 'done'; modelDir: string; history: Metrics[]; finalMetrics: Metrics };

export interface TrainResult {
  modelDir: string;
  history: Metrics[];
  finalMetrics: Metrics;
}

function tokenizeWith(tok: EngineTokenizer, maxLength: number) {
  const eos = tok.eosTokenId;
  const prompt = (text: string) =>
    tok.encode(
      tok.chatTemplate
        ? tok.applyChatTemplate([{ role: 'user', content: text }], { addGenerationPrompt: true })
        : text,
    );
  const reply = (text: string) => [...tok.encode(text), ...(eos !== null ? [eos] : [])];
  /** Keeps at least one reply token: the prompt is cut from the left when the pair is too long. */
  const fit = (p: number[], r: number[]) => {
    const room = Math.max(1, maxLength - r.length);
    return { p: p.length > room ? p.slice(p.length - room) : p, r: r.slice(0, maxLength - 1) };
  };
  return { prompt, reply, fit };
}

function need<T>(v: T | undefined, what: string, field: string): T {
  if (v === undefined || (Array.isArray(v) && v.length === 0))
    throw new TrainError('AB_TRAIN_DATA_INVALID', `this algorithm needs ${what}`, { field });
  return v;
}

/** Yields progress events; `train` drains it. Resumes from `runDir/latest.json` when present. */
export async function* trainIter(opts: TrainEmbeddedOptions): AsyncGenerator<TrainEvent> {
  const { recipe: loaded, runDir } = opts;
  const recipe = loaded.recipe;
  await mkdir(runDir, { recursive: true });
  const base = await loadModelDir(opts.baseModelDir);
  const tok = need(base.tokenizer ?? undefined, 'a base model with a tokenizer', 'base_model');
  const T = tokenizeWith(tok, recipe.hyperparameters.max_length);
  const trainer = createTrainer(base.model);
  const V = base.model.config.V;
  const head =
    recipe.algorithm === 'rm' || recipe.algorithm === 'ppo'
      ? createScalarHead(V, recipe.hyperparameters.seed + 17)
      : null;
  const ctx: LoopContext = { recipe, state: { trainer, head }, tokenizer: tok };
  if (recipe.algorithm === 'dpo' || recipe.algorithm === 'online_dpo' || recipe.algorithm === 'ppo') {
    ctx.reference = (await loadModelDir(opts.referenceModelDir ?? opts.baseModelDir)).model;
  }
  if (recipe.algorithm === 'online_dpo' || recipe.algorithm === 'ppo') {
    const dir = need(opts.rewardModelDir, 'a reward model', 'reward_model');
    const rmLoaded = await loadModelDir(dir);
    const w = need(
      (await readHead(dir)) ?? undefined,
      'a reward model with scalar_head.safetensors',
      'reward_model',
    );
    const rmHead = createScalarHead(rmLoaded.model.config.V, 0);
    rmHead.params.set(w);
    ctx.rewardModel = { model: rmLoaded.model, head: rmHead } satisfies RewardModel;
  }
  const pairs = (): PreferencePair[] =>
    need(opts.examples.pairs, 'preference pairs (prompt, chosen, rejected)', 'datasets').map((x) => {
      const c = T.fit(T.prompt(x.prompt), T.reply(x.chosen));
      const r = T.fit(T.prompt(x.prompt), T.reply(x.rejected));
      const p = c.p.length <= r.p.length ? c.p : r.p;
      return {
        prompt: p,
        chosen: c.r,
        rejected: r.r,
        ...(x.margin !== undefined ? { margin: x.margin } : {}),
      };
    });
  const prompts = () => need(opts.examples.prompts, 'prompts', 'datasets').map((p) => T.prompt(p));
  // Online algorithms sample `base`, the object the trainer updates in place: every iteration
  // draws from the current weights, through the caller's server when it offers one.
  const served = ctx.rewardModel && opts.servePolicy ? await opts.servePolicy(base) : undefined;
  if (ctx.rewardModel)
    ctx.sampler = served
      ? servedSampler(served, { ...(opts.signal && { signal: opts.signal }) })
      : engineSampler(base);
  try {
    let loop: AlgorithmLoop;
    switch (recipe.algorithm) {
      case 'sft': {
        const seqs: ScoredSequence[] = need(
          opts.examples.completions,
          'prompt/completion rows',
          'datasets',
        ).map((x) => {
          const { p, r } = T.fit(T.prompt(x.prompt), T.reply(x.completion));
          return { tokens: [...p, ...r], start: p.length };
        });
        loop = createSftLoop(ctx, seqs);
        break;
      }
      case 'rm':
        loop = createRewardModelLoop(ctx, pairs());
        break;
      case 'dpo':
        loop = createDpoLoop(ctx, pairs());
        break;
      case 'online_dpo':
        loop = createOnlineDpoLoop(ctx, prompts());
        break;
      case 'ppo':
        loop = createPpoLoop(ctx, prompts());
        break;
    }
    let step = 0;
    let history: Metrics[] = [];
    const ckpt = await latestCheckpoint(runDir);
    if (ckpt) {
      const s = await loadCheckpoint(ckpt, trainer, head);
      if (s.recipeHash !== loaded.hash)
        throw new TrainError(
          'AB_TRAIN_CHECKPOINT',
          'the checkpoint was made by a different recipe (hash differs)',
          {
            file: ckpt,
          },
        );
      step = s.step;
      history = s.history;
      loop.restoreExtra(s.extra);
    }
    yield { type: 'start', totalSteps: loop.totalSteps, resumedFrom: ckpt ? step : null };
    while (step < loop.totalSteps) {
      if (opts.signal?.aborted)
        throw new TrainError(
          'AB_TRAIN_CANCELLED',
          `cancelled at step ${step}; resume continues from the last checkpoint`,
          {
            file: runDir,
          },
        );
      const metrics = await loop.runStep(step);
      history.push(metrics);
      step++;
      yield { type: 'step', step, totalSteps: loop.totalSteps, metrics };
      if (step % recipe.checkpoint_every === 0 || step === loop.totalSteps) {
        const dir = await saveCheckpoint(runDir, trainer, head, tok, {
          step,
          recipeHash: loaded.hash,
          extra: loop.extraState(),
          history,
        });
        yield { type: 'checkpoint', step, dir };
      }
    }
    const modelDir = join(runDir, 'model');
    await saveModel(modelDir, trainer.model, head, tok);
    yield { type: 'done', modelDir, history, finalMetrics: loop.finalMetrics?.() ?? {} };
  } finally {
    await served?.close(); // also when training fails or the consumer stops early
  }
}

export async function train(opts: TrainEmbeddedOptions): Promise<TrainResult> {
  for await (const ev of trainIter(opts)) {
    if (ev.type === 'done')
      return { modelDir: ev.modelDir, history: ev.history, finalMetrics: ev.finalMetrics };
  }
  throw new Error('trainIter ended without a done event'); // a bug: the generator always ends with done
}
