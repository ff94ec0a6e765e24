// Legend: T time, H heads, L layers.
// The RAG attention-noise meter. For each answer token we read the attention of the position that
// predicts it (row a-1 for answer token a) and split it, per layer and averaged over heads, into:
// the gold document(s), the other documents ("noise"), the question, the first token (the
// attention sink, counted apart as the Differential Transformer paper does), and everything else
// (system prompt, template markup, the answer so far). The five shares sum to 1.
// Attention is not attribution: the leave-one-document-out check reports beside it how much the
// answer's log-probability drops without each document.
import { logSoftmax } from '../engine/index.js';
import type { AttentionModel } from './attention-model.js';
import { type BuiltInput, buildInput } from './build-input.js';
import { VizError } from './errors.js';
import {
  type AttentionExtraction,
  buildView,
  extractFromBuilt,
  extractFromBuiltOnPath,
  type ViewOptions,
} from './extract-attention.js';
import type { PathOptions } from './forward-path.js';
import type { NoiseReport, NoiseResult, Placement, RagDocument, RagInput, Shares } from './schemas.js';

const CATEGORIES = ['gold', 'noise', 'question', 'sink', 'other'] as const;
type Category = (typeof CATEGORIES)[number];

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;

function emptyShares(): Shares {
  return { gold: 0, noise: 0, question: 0, sink: 0, other: 0 };
}

/** Positions of the answer tokens (a >= 1). Throws when the input has no answer segment. */
export function answerPositions(ex: AttentionExtraction): number[] {
  const answerSeg = new Set(ex.segments.filter((s) => s.kind === 'answer').map((s) => s.index));
  const out = ex.tokens.flatMap((t, i) => (answerSeg.has(t.segment) && i > 0 ? [i] : []));
  if (out.length === 0) {
    throw new VizError(
      'AB_VIZ_INPUT',
      'the input has no answer tokens to read attention from; give a RAG input with an answer',
      {
        field: 'answer',
      },
    );
  }
  return out;
}

export interface NoiseShares {
  layers: Shares[];
  overall: Shares;
  answerToNoise: number | null;
  /** Per document index: share over all layers and per layer. */
  documents: Map<number, { share: number; layers: number[]; tokens: number }>;
}

/** Splits the answer's attention into gold / noise / question / sink / other, per layer. */
export function measureNoise(ex: AttentionExtraction): NoiseShares {
  const { L, H } = ex.model;
  const T = ex.tokens.length;
  const answers = answerPositions(ex);
  const category: Category[] = ex.tokens.map((t, k) => {
    if (k === 0) return 'sink';
    const s = ex.segments[t.segment];
    if (s?.kind === 'document') return s.gold ? 'gold' : 'noise';
    if (s?.kind === 'question') return 'question';
    return 'other';
  });
  const docOf = Int32Array.from(ex.tokens, (t, k) =>
    k === 0 ? -1 : (ex.segments[t.segment]?.docIndex ?? -1),
  );
  const docs = new Map<number, { share: number; layers: number[]; tokens: number }>();
  for (const d of docOf) {
    if (d < 0) continue;
    const e = docs.get(d) ?? { share: 0, layers: Array.from({ length: L }, () => 0), tokens: 0 };
    e.tokens++;
    docs.set(d, e);
  }
  const layers: Shares[] = [];
  const overall = emptyShares();
  const norm = answers.length * H;
  for (let l = 0; l < L; l++) {
    const att = ex.attentions[l] as Float32Array;
    const sh = emptyShares();
    for (let h = 0; h < H; h++) {
      for (const a of answers) {
        const ro = (h * T + (a - 1)) * T;
        for (let k = 0; k < a; k++) {
          const p = (att[ro + k] as number) / norm;
          const c = category[k] as Category;
          sh[c] += p;
          const d = docOf[k] as number;
          if (d >= 0) {
            const e = docs.get(d);
            if (e) e.layers[l] = (e.layers[l] as number) + p;
          }
        }
      }
    }
    for (const c of CATEGORIES) overall[c] += sh[c] / L;
    layers.push(sh);
  }
  for (const e of docs.values()) e.share = e.layers.reduce((s, v) => s + v, 0) / L;
  const round = (s: Shares): Shares => ({
    gold: r5(s.gold),
    noise: r5(s.noise),
    question: r5(s.question),
    sink: r5(s.sink),
    other: r5(s.other),
  });
  return {
    layers: layers.map(round),
    overall: round(overall),
    answerToNoise: overall.noise > 0 ? r5(overall.gold / overall.noise) : null,
    documents: docs,
  };
}

/** Sum of log p(answer token | everything before it) from the extraction's logits. */
export function answerLogprob(ex: AttentionExtraction): number {
  const V = ex.logits.length / ex.tokens.length;
  let total = 0;
  for (const a of answerPositions(ex)) {
    total += logSoftmax(ex.logits.subarray((a - 1) * V, a * V))[ex.tokens[a]?.id ?? 0] as number;
  }
  return total;
}

function logprobOf(model: AttentionModel, built: BuiltInput): number {
  const seg = new Set(built.segments.filter((s) => s.kind === 'answer').map((s) => s.index));
  const lps = model.tokenLogprobs(built.tokens.map((t) => t.id));
  let total = 0;
  for (const [i, t] of built.tokens.entries()) if (i > 0 && seg.has(t.segment)) total += lps[i] as number;
  return total;
}

export interface RagNoiseOptions {
  /** Answer tokens to generate when the input has no answer. Default 16. */
  maxNewTokens?: number;
  /** Run the leave-one-document-out check (one more forward pass per document). Default true. */
  leaveOneOut?: boolean;
  /** Run the "move the gold document" demo (three more passes). Default true. */
  placements?: boolean;
  view?: ViewOptions;
}

/** Generates the answer greedily when the input has none. */
export function completeAnswer(
  model: AttentionModel,
  input: RagInput,
  maxNewTokens = 16,
): { input: RagInput; generated: boolean } {
  if (input.answer?.trim()) return { input, generated: false };
  const prompt = buildInput(model.tokenizer, input);
  const ids = model.greedy(
    prompt.tokens.map((t) => t.id),
    maxNewTokens,
  );
  const answer = ids.length ? (model.tokenizer?.decode(ids, { skipSpecialTokens: true }).trim() ?? '') : '';
  if (!answer) {
    throw new VizError(
      'AB_VIZ_INPUT',
      'the model generated an empty answer; pass the answer to read attention from',
      {
        field: 'answer',
      },
    );
  }
  return { input: { ...input, answer }, generated: true };
}

/** Reorders the documents so the first gold one sits at `placement`. */
export function placeGold(
  documents: RagDocument[],
  placement: Placement['placement'],
): { documents: RagDocument[]; at: number } {
  const g = documents.findIndex((d) => d.gold);
  const gold = documents[g] as RagDocument;
  const rest = documents.filter((_, i) => i !== g);
  const at = placement === 'first' ? 0 : placement === 'last' ? rest.length : Math.floor(rest.length / 2);
  return { documents: [...rest.slice(0, at), gold, ...rest.slice(at)], at };
}

interface NoisePlan {
  input: RagInput;
  generated: boolean;
  main: BuiltInput;
  /** Per document: the input without it (empty when leave-one-out is off). */
  withoutDoc: BuiltInput[];
  placements: { placement: Placement['placement']; at: number; built: BuiltInput }[];
}

/** The inputs the meter runs: the answer completed first (greedy, on the reference path). */
function planNoise(model: AttentionModel, raw: RagInput, opts: RagNoiseOptions): NoisePlan {
  const { input, generated } = completeAnswer(model, raw, opts.maxNewTokens ?? 16);
  const build = (i: RagInput) => buildInput(model.tokenizer, i);
  const withoutDoc =
    opts.leaveOneOut === false
      ? []
      : input.documents.map((_, k) =>
          build({ ...input, documents: input.documents.filter((_, i) => i !== k) }),
        );
  const placements: NoisePlan['placements'] = [];
  if (opts.placements !== false && input.documents.some((d) => d.gold) && input.documents.length >= 2) {
    for (const placement of ['first', 'middle', 'last'] as const) {
      const { documents, at } = placeGold(input.documents, placement);
      placements.push({ placement, at, built: build({ ...input, documents }) });
    }
  }
  return { input, generated, main: build(input), withoutDoc, placements };
}

/** The result from the plan's runs: `withoutLogprobs[k]` is the answer's log-probability without document k. */
function assembleNoise(
  model: AttentionModel,
  plan: NoisePlan,
  ex: AttentionExtraction,
  withoutLogprobs: number[],
  placementRuns: AttentionExtraction[],
  opts: RagNoiseOptions,
): NoiseResult {
  const { input } = plan;
  const shares = measureNoise(ex);
  const lp = answerLogprob(ex);
  const report: NoiseReport = {
    model: model.name,
    answer: input.answer ?? '',
    answerGenerated: plan.generated,
    answerTokens: answerPositions(ex).length,
    layers: shares.layers,
    overall: shares.overall,
    answerToNoise: shares.answerToNoise,
    documents: input.documents.map((d, k) => {
      const e = shares.documents.get(k);
      const without = withoutLogprobs[k];
      return {
        docIndex: k,
        title: d.title ?? `doc ${k + 1}`,
        gold: d.gold === true,
        tokens: e?.tokens ?? 0,
        share: r5(e?.share ?? 0),
        layers: (e?.layers ?? []).map(r5),
        looDrop: without === undefined ? null : r5(lp - without),
      };
    }),
    answerLogprob: r5(lp),
  };
  const placements: Placement[] = plan.placements.map(({ placement, at }, i) => {
    const pex = placementRuns[i] as AttentionExtraction;
    const m = measureNoise(pex);
    return {
      placement,
      goldPosition: at,
      answer: input.answer ?? '',
      overall: m.overall,
      goldByLayer: m.layers.map((s) => s.gold),
      answerToNoise: m.answerToNoise,
      answerLogprob: r5(answerLogprob(pex)),
    };
  });
  return { report, placements, view: buildView(ex, opts.view) };
}

/**
 * The meter on one RAG input: shares per layer and per document, the headline ratio, the
 * leave-one-document-out drops, and the gold document placed first, middle and last. Runs on the
 * TypeScript reference path.
 */
export function ragNoise(model: AttentionModel, raw: RagInput, opts: RagNoiseOptions = {}): NoiseResult {
  const plan = planNoise(model, raw, opts);
  const ex = extractFromBuilt(model, plan.main);
  const without = plan.withoutDoc.map((b) => logprobOf(model, b));
  const runs = plan.placements.map((p) => extractFromBuilt(model, p.built));
  return assembleNoise(model, plan, ex, without, runs, opts);
}

/**
 * ragNoise with its forward passes on the path `opts.path` asks for (default 'auto': the ONNX fast
 * path when available). The answer, when the input has none, is still generated on the reference.
 */
export async function ragNoiseOnPath(
  model: AttentionModel,
  raw: RagInput,
  opts: RagNoiseOptions & PathOptions = {},
): Promise<NoiseResult> {
  const plan = planNoise(model, raw, opts);
  const ex = await extractFromBuiltOnPath(model, plan.main, opts);
  const without: number[] = [];
  for (const b of plan.withoutDoc) without.push(answerLogprob(await extractFromBuiltOnPath(model, b, opts)));
  const runs: AttentionExtraction[] = [];
  for (const p of plan.placements) runs.push(await extractFromBuiltOnPath(model, p.built, opts));
  return assembleNoise(model, plan, ex, without, runs, opts);
}
