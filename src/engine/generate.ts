// Generation and scoring on top of the KV-cache forward.
import { EngineError } from './errors.js';
import { cloneKvCache, createKvCache, forwardCached, type KvCache } from './infer.js';
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
      text: string;
      /** Text not yet sent in token events (held back for a possible stop string). */
      textDelta?: string;
      logprobs?: TokenLogprob[];
    };

export interface GeneratedSequence {
  tokens: number[];
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
  const maxTokens = Math.min(opts.maxTokens, cap - promptIds.length);
  const stop = opts.stop ?? [];
  const stopIds = new Set(opts.stopTokenIds ?? []);
  const rng = createRng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
  const prefill = createKvCache(model, promptIds.length + maxTokens);
  let logits = forwardCached(model, [{ cache: prefill, tokens: promptIds }]).logits;
  const states: SampleState[] = Array.from({ length: n }, (_, i) => ({
    cache: i === n - 1 ? prefill : cloneKvCache(prefill),
    tokens: [],
    logprobs: [],
    emitted: 0,
    done: false,
  }));
  let rowLogits: Float32Array[] = states.map(() => logits[0] as Float32Array);
  for (;;) {
    opts.signal?.throwIfAborted();
    const active: SampleState[] = [];
    const next: number[] = [];
    for (const [i, s] of states.entries()) {
      if (s.done) continue;
      const lg = rowLogits[i] as Float32Array;
      const id = sampleToken(lg, opts, rng);
      let lp: TokenLogprob | undefined;
      if (opts.logprobs !== undefined) {
        const ls = logSoftmax(lg);
        lp = {
          tokenId: id,
          logprob: ls[id] as number,
          top: topEntries(ls, opts.logprobs).map((e) => ({ tokenId: e.id, logprob: e.value })),
        };
      }
      if (stopIds.has(id)) {
        s.done = true;
        yield finish(s, i, 'stop');
        continue;
      }
      s.tokens.push(id);
      if (lp) s.logprobs.push(lp);
      const text = tokenizer.decode(s.tokens, { skipSpecialTokens: true });
      const stopAt = findStop(text, stop);
      if (stopAt >= 0) {
        const delta = text.slice(s.emitted, stopAt);
        s.emitted = Math.max(s.emitted, stopAt);
        yield { type: 'token', index: i, tokenId: id, textDelta: delta, ...(lp ? { logprob: lp } : {}) };
        s.done = true;
        yield finish(s, i, 'stop', text.slice(0, stopAt));
        continue;
      }
      let safe = text.length - stopPrefixOverlap(text, stop);
      while (safe > s.emitted && text.charCodeAt(safe - 1) === 0xfffd) safe--; // incomplete UTF-8
      const delta = safe > s.emitted ? text.slice(s.emitted, safe) : '';
      s.emitted = Math.max(s.emitted, safe);
      yield { type: 'token', index: i, tokenId: id, textDelta: delta, ...(lp ? { logprob: lp } : {}) };
      if (s.tokens.length >= maxTokens) {
        s.done = true;
        yield finish(s, i, 'length');
        continue;
      }
      active.push(s);
      next.push(id);
    }
    if (active.length === 0) return;
    logits = forwardCached(
      model,
      active.map((s, j) => ({ cache: s.cache, tokens: [next[j] as number] })),
    ).logits;
    rowLogits = states.map((s) => {
      const j = active.indexOf(s);
      return j >= 0 ? (logits[j] as Float32Array) : new Float32Array(0);
    });
  }

  function finish(s: SampleState, index: number, finishReason: FinishReason, text?: string): GenerateEvent {
    const full = text ?? tokenizer.decode(s.tokens, { skipSpecialTokens: true });
    const delta = full.slice(s.emitted);
    s.emitted = full.length;
    return {
      type: 'done',
      index,
      finishReason,
      tokens: s.tokens,
      text: full,
      ...(opts.logprobs !== undefined ? { logprobs: s.logprobs } : {}),
      ...(delta ? { textDelta: delta } : {}),
    };
  }
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
