import { describe, expect, test } from 'vitest';
import {
  allocActivations,
  createKvCache,
  createModel,
  createRng,
  createTokenizer,
  forwardCached,
  forwardWithAttentions,
  GenerationJob,
  generate,
  generateIter,
  initParams,
  llamaForward,
  logSoftmax,
  parseModelConfig,
  sampleToken,
  scoreTokens,
  stepJobs,
} from '../../src/engine/index.js';
import { tinyTokenizerFiles } from '../helpers/tiny-model.js';

const tokFiles = tinyTokenizerFiles(320);
const tokenizer = createTokenizer({ ...tokFiles, chatTemplateJinja: null });
const eos = tokenizer.eosTokenId ?? 2;

function tinyModel(extra: Record<string, unknown> = {}) {
  const cfg = parseModelConfig({
    model_type: 'llama',
    vocab_size: 320,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 64,
    eos_token_id: eos,
    ...extra,
  });
  return createModel(cfg, initParams(cfg, 9, 0.2));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('KV-cache inference', () => {
  test.each([
    ['llama', {}],
    ['qwen2 tied', { model_type: 'qwen2', tie_word_embeddings: true }],
    ['dynamic rope', { rope_scaling: { rope_type: 'dynamic', factor: 2 } }],
  ])('%s: prefill + token-by-token decode give the training forward logits', (_n, extra) => {
    const model = tinyModel(extra);
    const tokens = tokenizer.encode('The quick brown fox jumps over the lazy dog.');
    const T = tokens.length;
    const acts = allocActivations(model.config, 1, T);
    llamaForward(model, acts, { tokens });
    const cache = createKvCache(model, T);
    const first = forwardCached(model, [{ cache, tokens: tokens.slice(0, 3) }], { allLogits: true })
      .logits[0] as Float32Array;
    const rest: Float32Array[] = [];
    for (const id of tokens.slice(3))
      rest.push(forwardCached(model, [{ cache, tokens: [id] }]).logits[0] as Float32Array);
    const V = model.config.V;
    const got = new Float32Array(T * V);
    got.set(first);
    for (const [i, l] of rest.entries()) got.set(l, (3 + i) * V);
    expect(maxAbsDiff(got, acts.logits)).toBeLessThan(1e-4);
  });

  test('attention probabilities are causal rows that sum to 1 and match the training forward', () => {
    const model = tinyModel();
    const tokens = tokenizer.encode('Hello world! How are you?');
    const T = tokens.length;
    const { attentions } = forwardWithAttentions(model, tokens);
    expect(attentions).toHaveLength(2);
    const att = attentions[1] as Float32Array; // (H, T, T)
    for (let h = 0; h < 4; h++) {
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (let t2 = 0; t2 < T; t2++) s += att[(h * T + t) * T + t2] as number;
        expect(s).toBeCloseTo(1, 5);
        expect(att[(h * T + t) * T + T - 1]).toBe(t === T - 1 ? att[(h * T + t) * T + T - 1] : 0);
      }
    }
    const acts = allocActivations(model.config, 1, T);
    llamaForward(model, acts, { tokens });
    expect(maxAbsDiff(att, acts.layers[1]?.att ?? [])).toBeLessThan(1e-5);
  });
});

describe('sampling and generation', () => {
  test('greedy is argmax; top-k 1 equals greedy; top-p keeps the nucleus', () => {
    const logits = Float32Array.from([0.1, 2, 1.5, -1]);
    const rng = createRng(1);
    expect(sampleToken(logits, { temperature: 0 }, rng)).toBe(1);
    for (let i = 0; i < 20; i++) expect(sampleToken(logits, { temperature: 1, topK: 1 }, rng)).toBe(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(sampleToken(logits, { temperature: 1, topP: 0.7 }, rng));
    expect([...seen].sort()).toEqual([1, 2]); // p = .50, .30, ... : 1 and 2 reach 0.7
  });

  test('same seed, same samples; n samples differ; max_tokens ends with length', () => {
    const model = tinyModel();
    const prompt = tokenizer.encode('One plus one');
    const opts = { maxTokens: 8, temperature: 1, seed: 7, n: 3, stopTokenIds: [] };
    const a = generate(model, tokenizer, prompt, opts);
    const b = generate(model, tokenizer, prompt, opts);
    expect(a).toEqual(b);
    expect(a).toHaveLength(3);
    expect(new Set(a.map((s) => s.tokens.join(','))).size).toBeGreaterThan(1);
    for (const s of a) {
      expect(s.tokens).toHaveLength(8);
      expect(s.finishReason).toBe('length');
      expect(s.text).toBe(tokenizer.decode(s.tokens, { skipSpecialTokens: true }));
    }
  });

  test('a stop string cuts the text and streamed deltas add up to it', () => {
    const model = tinyModel();
    const prompt = tokenizer.encode('Hello');
    const free = generate(model, tokenizer, prompt, { maxTokens: 12, temperature: 0 })[0];
    const text = free?.text ?? '';
    const stop = text.slice(3, 5);
    expect(stop.length).toBe(2);
    let streamed = '';
    let done: { text: string; finishReason: string } | undefined;
    for (const ev of generateIter(model, tokenizer, prompt, {
      maxTokens: 12,
      temperature: 0,
      stop: [stop],
    })) {
      if (ev.type === 'token') streamed += ev.textDelta;
      else {
        streamed += ev.textDelta ?? '';
        done = ev;
      }
    }
    expect(done?.finishReason).toBe('stop');
    expect(done?.text).toBe(text.slice(0, text.indexOf(stop)));
    expect(streamed).toBe(done?.text);
  });

  test('generated logprobs equal scoring the same tokens', () => {
    const model = tinyModel();
    const prompt = tokenizer.encode('A tiny model');
    const [s] = generate(model, tokenizer, prompt, {
      maxTokens: 5,
      temperature: 0.8,
      seed: 3,
      logprobs: 2,
      stopTokenIds: [],
    });
    const score = scoreTokens(model, [...prompt, ...(s?.tokens ?? [])], 2);
    const tail = score.logprobs.slice(prompt.length);
    s?.logprobs?.forEach((lp, i) => {
      expect(lp.logprob).toBeCloseTo(tail[i] as number, 4);
      expect(lp.top).toHaveLength(2);
    });
    expect(score.logprobs[0]).toBeNull();
    const ls = logSoftmax(Float32Array.from([1, 2, 3]));
    expect(Math.exp(ls[0] as number) + Math.exp(ls[1] as number) + Math.exp(ls[2] as number)).toBeCloseTo(
      1,
      12,
    );
  });

  test('jobs batched into shared forward passes give the same samples as jobs run alone', () => {
    const model = tinyModel();
    const prompts = ['Hello', 'The quick brown fox', 'One plus one is'].map((t) => tokenizer.encode(t));
    const opts = (i: number) => ({
      maxTokens: 4 + i * 3,
      temperature: 0.9,
      seed: 100 + i,
      n: 1 + (i % 2),
      logprobs: 1,
      stopTokenIds: [],
    });
    const alone = prompts.map((p, i) => generate(model, tokenizer, p, opts(i)));
    const jobs = prompts.map((p, i) => new GenerationJob(model, tokenizer, p, opts(i)));
    const done: { index: number; tokens: number[]; text: string }[][] = jobs.map(() => []);
    let steps = 0;
    while (jobs.some((j) => !j.done)) {
      steps++;
      stepJobs(model, jobs).forEach((events, i) => {
        for (const ev of events) if (ev.type === 'done') done[i]?.push(ev);
      });
    }
    expect(steps).toBe(4 + 2 * 3); // the longest job, not the sum
    for (const [i, a] of alone.entries()) {
      const b = [...(done[i] ?? [])].sort((x, y) => x.index - y.index);
      expect(b.map((s) => s.text)).toEqual(a.map((s) => s.text));
      for (const [k, s] of a.entries()) {
        const lp = s.logprobs?.map((l) => l.logprob) ?? [];
        const bl = (b[k] as { logprobs?: { logprob: number }[] }).logprobs?.map((l) => l.logprob) ?? [];
        expect(maxAbsDiff(lp, bl)).toBeLessThan(1e-4);
      }
    }
  });

  test('a stop token sampled first gives an empty text with finish_reason stop', () => {
    const model = tinyModel();
    const prompt = tokenizer.encode('Hello');
    const first = generate(model, tokenizer, prompt, { maxTokens: 1, temperature: 0 })[0]
      ?.tokens[0] as number;
    const [s] = generate(model, tokenizer, prompt, { maxTokens: 5, temperature: 0, stopTokenIds: [first] });
    expect(s).toMatchObject({ tokens: [], text: '', finishReason: 'stop' });
  });

  test('a prompt longer than the context is a located error', () => {
    const model = tinyModel();
    const long = Array.from({ length: 64 }, () => 5);
    expect(() => generate(model, tokenizer, long, { maxTokens: 1 })).toThrow(
      /prompt.*64 tokens; the context holds 64/,
    );
    expect(() => scoreTokens(model, [...long, 5])).toThrow(/65 tokens do not fit the context of 64/);
  });
});
