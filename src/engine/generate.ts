// Generation and scoring on top of the KV-cache forward.
import { EngineError } from './errors.js';
import { type CachedStream, cloneKvCache, createKvCache, forwardCached, type KvCache } from './infer.js';
import type { LlamaModel } from './llama.js';
import { createRng } from './random.js';
import { checkSamplingParams, logSoftmax, type SamplingParams, sampleToken, topEntries } from './sampling.js';
import type { EngineTokenizer } from './tokenizer.js';

export interface TokenLogprob {
  tokenId: number;
  logprob: number;
  /** The most likely alternatives at this position, highest first. */
  top: { tokenId: number; logprob: number }[];
}

export interface GenerateOptions extends SamplingParams {
  maxTokens: number;
  /** Number of independent samples from the same prompt (prefilled once). */
  n?: number;
  seed?: number;
  /** Stop when the text contains one of these; the stop string is not returned. */
  stop?: string[];
  /** Stop on these token ids (the model's EOS by default); they are not returned. */
  stopTokenIds?: number[];
  /** Record log-probabilities of generated tokens with this many alternatives (0: only the chosen). */
  logprobs?: number;
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'length';

export type GenerateEvent =
  | { type: 'token'; index: number; tokenId: number; textDelta: string; logprob?: TokenLogprob }
  | {
      type: 'done';
      index: number;
      finishReason: FinishReason;
      tokens: number[];
      /** The stop token id that ended the sample (not in `tokens`); absent when a length or stop string ended it. */
      stopTokenId?: number;
      text: string;
      /** Text not yet sent in token events (held back for a possible stop string). */
      textDelta?: string;
      logprobs?: TokenLogprob[];
    };

export interface GeneratedSequence {
  tokens: number[];
  /** The stop token id that ended the sample (not in `tokens`). */
  stopTokenId?: number;
  text: string;
  finishReason: FinishReason;
  logprobs?: TokenLogprob[];
}

interface SampleState {
  cache: KvCache;
  tokens: number[];
  logprobs: TokenLogprob[];
  emitted: number; // characters of text already sent
  done: boolean;
}

/** Where the earliest stop string starts in text, or -1. */
function findStop(text: string, stop: string[]): number {
  let at = -1;
  for (const s of stop) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at;
}

/** How many trailing characters of text could be the start of a stop string (held back when streaming). */
function stopPrefixOverlap(text: string, stop: string[]): number {
  let best = 0;
  for (const s of stop) {
    for (let n = Math.min(s.length - 1, text.length); n > best; n--) {
      if (text.endsWith(s.slice(0, n))) {
        best = n;
        break;
      }
    }
  }
  return best;
}

/**
 * One generation request as a state machine, so that several requests can share each forward
 * pass: `inputs()` says which tokens to run next (the prompt first, then one token per sample
 * still running), `accept()` takes their logits, samples, and returns the events.
 */
export class GenerationJob {
  private readonly states: SampleState[];
  private readonly prefill: KvCache;
  private readonly maxTokens: number;
  private readonly stop: string[];
  private readonly stopIds: Set<number>;
  private readonly rng: () => number;
  private pending: { state: SampleState; token: number }[] = [];
  private started = false;
  done = false;

  constructor(
    model: LlamaModel,
    private readonly tokenizer: EngineTokenizer,
    private readonly promptIds: readonly number[],
    private readonly opts: GenerateOptions,
  ) {
    checkSamplingParams(opts);
    const n = opts.n ?? 1;
    const cap = model.config.maxPositions;
    if (promptIds.length === 0)
      throw new EngineError('AB_ENGINE_INPUT', 'the prompt is empty', { field: 'prompt' });
    if (promptIds.length >= cap) {
      throw new EngineError(
        'AB_ENGINE_INPUT',
        `the prompt has ${promptIds.length} tokens; the context holds ${cap}, leaving no room to generate`,
        {
          field: 'prompt',
        },
      );
    }
    for (const [i, id] of promptIds.entries()) {
      if (!Number.isInteger(id) || id < 0 || id >= model.config.V) {
        throw new EngineError('AB_ENGINE_INPUT', `token id ${id} is outside [0, ${model.config.V})`, {
          field: `tokens[${i}]`,
        });
      }
    }
    this.maxTokens = Math.min(opts.maxTokens, cap - promptIds.length);
    this.stop = opts.stop ?? [];
    this.stopIds = new Set(opts.stopTokenIds ?? []);
    this.rng = createRng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.prefill = createKvCache(model, promptIds.length + this.maxTokens);
    this.states = Array.from({ length: n }, () => ({
      cache: this.prefill,
      tokens: [],
      logprobs: [],
      emitted: 0,
      done: false,
    }));
  }

  /** The streams to run through forwardCached next (empty when done). */
  inputs(): CachedStream[] {
    if (this.done) return [];
    if (!this.started) return [{ cache: this.prefill, tokens: this.promptIds }];
    return this.pending.map((p) => ({ cache: p.state.cache, tokens: [p.token] }));
  }

  /** Takes the last-position logits of each stream from inputs(), samples, and returns the events. */
  accept(logits: Float32Array[]): GenerateEvent[] {
    this.opts.signal?.throwIfAborted();
    let rows: { state: SampleState; index: number; logits: Float32Array }[];
    if (!this.started) {
      this.started = true;
      // every sample starts from the same prefill; all but the last get their own copy of the cache
      rows = this.states.map((state, index) => {
        if (index < this.states.length - 1) state.cache = cloneKvCache(this.prefill);
        return { state, index, logits: logits[0] as Float32Array };
      });
    } else {
      rows = this.pending.map((p, j) => ({
        state: p.state,
        index: this.states.indexOf(p.state),
        logits: logits[j] as Float32Array,
      }));
    }
    const events: GenerateEvent[] = [];
    this.pending = [];
    for (const { state: s, index: i, logits: lg } of rows) {
      const id = sampleToken(lg, this.opts, this.rng);
      let lp: TokenLogprob | undefined;
      if (this.opts.logprobs !== undefined) {
        const ls = logSoftmax(lg);
        lp = {
          tokenId: id,
          logprob: ls[id] as number,
          top: topEntries(ls, this.opts.logprobs).map((e) => ({ tokenId: e.id, logprob: e.value })),
        };
      }
      if (this.stopIds.has(id)) {
        events.push(this.finish(s, i, 'stop', undefined, id));
        continue;
      }
      s.tokens.push(id);
      if (lp) s.logprobs.push(lp);
      const text = this.tokenizer.decode(s.tokens, { skipSpecialTokens: true });
      const stopAt = findStop(text, this.stop);
      if (stopAt >= 0) {
        const delta = text.slice(s.emitted, stopAt);
        s.emitted = Math.max(s.emitted, stopAt);
        events.push({
          type: 'token',
          index: i,
          tokenId: id,
          textDelta: delta,
          ...(lp ? { logprob: lp } : {}),
        });
        events.push(this.finish(s, i, 'stop', text.slice(0, stopAt)));
        continue;
      }
      let safe = text.length - stopPrefixOverlap(text, this.stop);
      while (safe > s.emitted && text.charCodeAt(safe - 1) === 0xfffd) safe--; // incomplete UTF-8
      const delta = safe > s.emitted ? text.slice(s.emitted, safe) : '';
      s.emitted = Math.max(s.emitted, safe);
      events.push({ type: 'token', index: i, tokenId: id, textDelta: delta, ...(lp ? { logprob: lp } : {}) });
      if (s.tokens.length >= this.maxTokens) {
        events.push(this.finish(s, i, 'length'));
        continue;
      }
      this.pending.push({ state: s, token: id });
    }
    // samples finish in any order; the job is done when none is left to run
    this.done = this.pending.length === 0;
    return events;
  }

  private finish(
    s: SampleState,
    index: number,
    finishReason: FinishReason,
    text?: string,
    stopTokenId?: number,
  ): GenerateEvent {
    s.done = true;
    const full = text ?? this.tokenizer.decode(s.tokens, { skipSpecialTokens: true });
    const delta = full.slice(s.emitted);
    s.emitted = full.length;
    return {
      type: 'done',
      index,
      finishReason,
      tokens: s.tokens,
      ...(stopTokenId !== undefined ? { stopTokenId } : {}),
      text: full,
      ...(this.opts.logprobs !== undefined ? { logprobs: s.logprobs } : {}),
      ...(delta ? { textDelta: delta } : {}),
    };
  }
}

/**
 * Runs one forward pass for several jobs at once (their rows share every matmul) and returns
 * each job's events. Jobs that are done are skipped (empty event list).
 */
export function stepJobs(model: LlamaModel, jobs: GenerationJob[]): GenerateEvent[][] {
  const inputs = jobs.map((j) => j.inputs());
  const flat = inputs.flat();
  const { logits } = flat.length ? forwardCached(model, flat) : { logits: [] };
  let at = 0;
  return jobs.map((job, i) => {
    const n = (inputs[i] as CachedStream[]).length;
    const mine = logits.slice(at, at + n);
    at += n;
    return n ? job.accept(mine) : [];
  });
}

/**
 * Samples `n` continuations of promptIds, yielding each token as it is chosen (text deltas are
 * safe to print: incomplete UTF-8 and possible stop-string prefixes are held back) and a `done`
 * event per sample. Decoding steps are batched across the samples still running.
 */
export function* generateIter(
  model: LlamaModel,
  tokenizer: EngineTokenizer,
  promptIds: readonly number[],
  opts: GenerateOptions,
): Generator<GenerateEvent> {
  const job = new GenerationJob(model, tokenizer, promptIds, opts);
  while (!job.done) yield* stepJobs(model, [job])[0] ?? [];
}

/** Drains generateIter: the finished samples in index order. */
export function generate(
  model: LlamaModel,
  tokenizer: EngineTokenizer,
  promptIds: readonly number[],
  opts: GenerateOptions,
): GeneratedSequence[] {
  const out: GeneratedSequence[] = [];
  for (const ev of generateIter(model, tokenizer, promptIds, opts)) {
    if (ev.type === 'done') {
      out[ev.index] = {
        tokens: ev.tokens,
        ...(ev.stopTokenId !== undefined ? { stopTokenId: ev.stopTokenId } : {}),
        text: ev.text,
        finishReason: ev.finishReason,
        ...(ev.logprobs ? { logprobs: ev.logprobs } : {}),
      };
    }
  }
  return out;
}

export interface PromptScore {
  /** logprobs[i] = log p(tokens[i] | tokens[<i]); null for the first token, which has no context. */
  logprobs: (number | null)[];
  /** Alternatives at each position (empty for the first token). */
  top: { tokenId: number; logprob: number }[][];
  /** Sum of the non-null logprobs. */
  total: number;
}

/** Log-probabilities of every prompt token given the ones before it (what echo + logprobs returns). */
export function scoreTokens(model: LlamaModel, tokens: readonly number[], topK = 0): PromptScore {
  if (tokens.length === 0) return { logprobs: [], top: [], total: 0 };
  if (tokens.length > model.config.maxPositions) {
    throw new EngineError(
      'AB_ENGINE_INPUT',
      `${tokens.length} tokens do not fit the context of ${model.config.maxPositions}`,
      { field: 'prompt' },
    );
  }
  const cache = createKvCache(model, tokens.length);
  const { logits } = forwardCached(model, [{ cache, tokens }], { allLogits: true });
  const all = logits[0] as Float32Array;
  const V = model.config.V;
  const logprobs: (number | null)[] = [null];
  const top: { tokenId: number; logprob: number }[][] = [[]];
  let total = 0;
  for (let i = 1; i < tokens.length; i++) {
    const ls = logSoftmax(all.subarray((i - 1) * V, i * V));
    const lp = ls[tokens[i] as number] as number;
    logprobs.push(lp);
    total += lp;
    top.push(topEntries(ls, topK).map((e) => ({ tokenId: e.id, logprob: e.value })));
  }
  return { logprobs, top, total };
}

/** Logits and every layer's attention probabilities for one sequence (for the attention lab). */
export function forwardWithAttentions(
  model: LlamaModel,
  tokens: readonly number[],
): { logits: Float32Array; attentions: Float32Array[] } {
  const cache = createKvCache(model, tokens.length);
  const r = forwardCached(model, [{ cache, tokens }], { allLogits: true, attentions: true });
  return { logits: r.logits[0] as Float32Array, attentions: r.attentions?.[0] ?? [] };
}
