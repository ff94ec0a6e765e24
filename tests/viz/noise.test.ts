// The RAG attention-noise meter: shares go to the document the model attends to by construction;
// leave-one-document-out shows that attention is not attribution; the gold document moves.
import { describe, expect, test } from 'vitest';
import {
  buildInput,
  llamaAttentionModel,
  loadAttentionModel,
  type RagInput,
  ragNoise,
} from '../../src/viz/index.js';
import { writeTinyModel } from '../helpers/tiny-model.js';
import { constructedLlama, tinyTokenizer } from './helpers.js';

const INPUT: RagInput = {
  kind: 'rag',
  system: 'Answer from the documents.',
  question: 'what does the fox do?',
  documents: [
    { title: 'dogs', text: 'the lazy dog sleeps all day.' },
    { title: 'ZQXJ', text: 'ZQXJ VWKZ QZXJ', gold: true },
    { title: 'math', text: 'one plus one is two.' },
  ],
  answer: 'the fox jumps.',
};

describe('RAG noise meter', () => {
  test('attributes the shares to the document whose tokens receive all attention', () => {
    const tok = tinyTokenizer();
    const built = buildInput(tok, INPUT);
    const gold = built.segments.find((s) => s.gold)?.index;
    const outside = new Set(built.tokens.filter((t) => t.segment !== gold).map((t) => t.id));
    // tokens only the gold document has (its letters, not its "[2]" label, which moves with it)
    const markers = new Set(
      built.tokens
        .filter((t) => t.segment === gold && !outside.has(t.id) && /[A-Z]/.test(t.text))
        .map((t) => t.id),
    );
    expect(markers.size).toBeGreaterThan(2);
    const model = llamaAttentionModel(constructedLlama(markers, { allMarker: true }), tok, 'constructed');

    const { report, placements, view } = ragNoise(model, INPUT);
    expect(report.answerGenerated).toBe(false);
    expect(report.answerTokens).toBeGreaterThan(2);
    expect(report.overall.gold).toBeGreaterThan(0.999);
    expect(report.overall.noise).toBeLessThan(1e-3);
    expect(report.answerToNoise === null || report.answerToNoise > 1000).toBe(true);
    for (const s of report.layers) expect(s.gold + s.noise + s.question + s.sink + s.other).toBeCloseTo(1, 4);
    expect(report.documents.map((d) => [d.gold, d.share > 0.999])).toEqual([
      [false, false],
      [true, true],
      [false, false],
    ]);
    // Attention is not attribution: this model's output ignores its context (the residual
    // branches are zero), so removing any document changes the answer's log-probability by 0.
    for (const d of report.documents) expect(Math.abs(d.looDrop ?? 1)).toBeLessThan(1e-3);
    // the gold document placed first, middle and last still gets all the attention
    expect(placements.map((p) => [p.placement, p.goldPosition])).toEqual([
      ['first', 0],
      ['middle', 1],
      ['last', 2],
    ]);
    for (const p of placements) expect(p.overall.gold).toBeGreaterThan(0.999);
    expect(view.segments.some((s) => s.kind === 'answer')).toBe(true);
  });

  test('on a random tiny model the shares sum to 1 per layer and an answer is generated when missing', async () => {
    const { dir } = await writeTinyModel({ seed: 5, config: { max_position_embeddings: 512 } });
    const model = await loadAttentionModel(dir);
    const { answer: _a, ...noAnswer } = INPUT;
    const { report } = ragNoise(model, noAnswer, { maxNewTokens: 6, placements: false });
    expect(report.answerGenerated).toBe(true);
    expect(report.answer.length).toBeGreaterThan(0);
    for (const s of report.layers) expect(s.gold + s.noise + s.question + s.sink + s.other).toBeCloseTo(1, 4);
    const docs = report.documents.reduce((a, d) => a + d.share, 0);
    expect(docs).toBeCloseTo(report.overall.gold + report.overall.noise, 3);
    for (const d of report.documents) expect(Number.isFinite(d.looDrop)).toBe(true);
  });

  test('an input without answer tokens is refused with its field', () => {
    const tok = tinyTokenizer();
    const model = llamaAttentionModel(constructedLlama([1]), tok, 'c');
    expect(() => ragNoise(model, { ...INPUT, answer: '   ' }, { maxNewTokens: 0 })).toThrow(
      expect.objectContaining({ code: 'AB_VIZ_INPUT' }),
    );
  });
});
