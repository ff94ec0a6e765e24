// Attention known by construction: a head that attends to the previous token and one that
// attends to the first token; the lab's matrices must show exactly those patterns.
import { describe, expect, test } from 'vitest';
import { buildInput, buildView, extractAttention, llamaAttentionModel } from '../../src/viz/index.js';
import { constructedLlama, maxDiff, naiveLlamaAttentions, tinyTokenizer } from './helpers.js';

const TEXT = 'Hello world! The quick brown fox jumps over the lazy dog. One plus one is two.';

describe('constructed attention', () => {
  const tok = tinyTokenizer();
  const ids = buildInput(tok, { kind: 'text', text: TEXT }).tokens.map((t) => t.id);
  const first = ids[0] as number;
  const model = constructedLlama([first]);
  const lab = llamaAttentionModel(model, tok, 'constructed');

  test('head 0 attends to the previous token, head 1 to the first token, in every layer', () => {
    expect(ids.slice(1)).not.toContain(first); // the first token is unique, so "first" is unambiguous
    const ex = extractAttention(lab, { kind: 'text', text: TEXT });
    const T = ex.tokens.length;
    expect(T).toBe(ids.length);
    for (const [l, att] of ex.attentions.entries()) {
      let worstPrev = 0;
      let worstFirst = 0;
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < T; k++) {
          const expectPrev = t === 0 ? (k === 0 ? 1 : 0) : k === t - 1 ? 1 : 0;
          const expectFirst = k === 0 ? 1 : 0;
          worstPrev = Math.max(worstPrev, Math.abs((att[t * T + k] as number) - expectPrev));
          worstFirst = Math.max(worstFirst, Math.abs((att[(T + t) * T + k] as number) - expectFirst));
        }
      }
      expect(worstPrev, `layer ${l} previous-token head, worst |diff|`).toBeLessThan(1e-4);
      expect(worstFirst, `layer ${l} first-token head, worst |diff|`).toBeLessThan(1e-4);
    }
    // and the same numbers as a naive re-computation
    const ref = naiveLlamaAttentions(model, ids);
    for (const [l, att] of ex.attentions.entries()) expect(maxDiff(att, ref[l] ?? [], T)).toBeLessThan(1e-5);
  });

  test('per-segment shares sum to 1, and the first-token head puts its share on the first segment', () => {
    const ex = extractAttention(lab, {
      kind: 'chat',
      messages: [
        { role: 'system', content: 'You are kind.' },
        { role: 'user', content: 'What is one plus one?' },
        { role: 'assistant', content: 'One plus one is two.' },
      ],
    });
    // the rendered ChatML puts markup between messages: template, system, question, answer
    expect(ex.segments.map((s) => s.kind).sort()).toEqual(['answer', 'question', 'system', 'template']);
    expect(ex.segments.reduce((n, s) => n + s.tokenCount, 0)).toBe(ex.tokens.length);
    const view = buildView(ex);
    for (const layer of view.segmentShares) {
      for (const head of layer) {
        for (const row of head) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      }
    }
    for (const layer of view.layerSegmentShares) {
      for (const row of layer) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    // token text spans point into the rendered text; segments come from those spans
    for (const t of view.tokens) expect(t.end).toBeGreaterThanOrEqual(t.start);
    const sys = view.segments.find((s) => s.kind === 'system');
    const sysText = view.tokens
      .filter((t) => t.segment === sys?.index)
      .map((t) => view.text.slice(t.start, t.end));
    expect(sysText.join('')).toBe('You are kind.');
    // A head attending to <|im_start|> (the first token, repeated before every turn) puts all of
    // every segment's attention on the template segment that holds those tokens.
    const start = ex.tokens[0]?.id ?? 0;
    const ex2 = extractAttention(llamaAttentionModel(constructedLlama([start]), tok, 'c2'), {
      kind: 'chat',
      messages: [{ role: 'user', content: 'What is one plus one?' }],
    });
    const v2 = buildView(ex2);
    const templateSeg = v2.segments.find((s) => s.kind === 'template')?.index ?? -1;
    for (const row of v2.segmentShares[0]?.[1] ?? []) expect(row[templateSeg]).toBeCloseTo(1, 3);
    // head statistics of the model view name the two patterns
    const v3 = buildView(extractAttention(lab, { kind: 'text', text: TEXT }));
    for (const stats of v3.headStats) {
      expect(stats[0]?.previous).toBeGreaterThan(0.999);
      expect(stats[1]?.sink).toBeGreaterThan(0.999);
    }
  });
});
