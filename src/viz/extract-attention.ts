// Legend: T time, H heads, L layers, S segments, B thumbnail bins.
// Extraction runs the forward pass once and keeps every layer's probabilities; views are cut from
// it: aggregates for the whole input (per segment, per layer, per head, thumbnails, saliency) and
// full matrices only for a requested layer/head window, so a 1,000-token input stays light.
import type { AttentionModel } from './attention-model.js';
import { type BuiltInput, buildInput } from './build-input.js';
import { VizError } from './errors.js';
import { forwardOnPath, type PathOptions, type RanPath } from './forward-path.js';
import { encodeTril } from './matrix-codec.js';
import type { AttentionInput, AttentionView, AttentionWindow, Segment, TokenInfo } from './schemas.js';

export interface AttentionExtraction {
  model: AttentionView['model'];
  text: string;
  tokens: TokenInfo[];
  segments: Segment[];
  /** Per layer: (H, T, T), zeros above the diagonal. */
  attentions: Float32Array[];
  /** (T, V) */
  logits: Float32Array;
}

export interface ViewOptions {
  /** Layers and heads whose full matrices are sent. Default: layer 0 and as many heads as fit. */
  window?: AttentionWindow;
  /** The token whose attention the saliency strip shows. Default: the last one. */
  query?: number;
  /** Cap on the lower-triangle cells of all window matrices together. */
  maxWindowCells?: number;
  /** Thumbnail size of the model view. */
  bins?: number;
}

// About 8 MB of base64 (2 bytes a cell): a 1,000-token input gets 8 full heads.
export const MAX_WINDOW_CELLS = 4_000_000;

function assemble(
  model: AttentionModel,
  built: BuiltInput,
  { logits, attentions }: { logits: Float32Array; attentions: Float32Array[] },
  path: RanPath,
): AttentionExtraction {
  return {
    model: {
      name: model.name,
      architecture: model.architecture,
      modelType: model.modelType,
      L: model.L,
      H: model.H,
      path,
    },
    text: built.text,
    tokens: built.tokens,
    segments: built.segments,
    attentions,
    logits,
  };
}

/** Runs the model on an already built input, on the TypeScript reference path. */
export function extractFromBuilt(model: AttentionModel, built: BuiltInput): AttentionExtraction {
  return assemble(model, built, model.forward(built.tokens.map((t) => t.id)), 'reference');
}

/** Builds, tokenizes and runs `input` on the reference path; returns tokens with spans and segments and all attentions. */
export function extractAttention(model: AttentionModel, input: AttentionInput): AttentionExtraction {
  return extractFromBuilt(model, buildInput(model.tokenizer, input));
}

/** extractFromBuilt on the path `opts.path` asks for (default 'auto': the ONNX fast path when available). */
export async function extractFromBuiltOnPath(
  model: AttentionModel,
  built: BuiltInput,
  opts: PathOptions = {},
): Promise<AttentionExtraction> {
  const { path, ...result } = await forwardOnPath(
    model,
    built.tokens.map((t) => t.id),
    opts,
  );
  return assemble(model, built, result, path);
}

/** extractAttention on the path `opts.path` asks for (default 'auto'). */
export async function extractAttentionOnPath(
  model: AttentionModel,
  input: AttentionInput,
  opts: PathOptions = {},
): Promise<AttentionExtraction> {
  return extractFromBuiltOnPath(model, buildInput(model.tokenizer, input), opts);
}

/**
 * att: (H, T, T) of one layer; seg: (T) segment of each token. Returns [head][querySegment][keySegment]:
 * the mean over the query segment's tokens of the attention they put on the key segment.
 */
export function segmentSharesOfLayer(
  att: Float32Array,
  seg: Int32Array,
  counts: number[],
  H: number,
  T: number,
): number[][][] {
  const S = counts.length;
  const out: number[][][] = [];
  const acc = new Float64Array(S * S);
  for (let h = 0; h < H; h++) {
    acc.fill(0);
    for (let t = 0; t < T; t++) {
      const ro = (h * T + t) * T;
      const qs = (seg[t] as number) * S;
      for (let k = 0; k <= t; k++)
        acc[qs + (seg[k] as number)] = (acc[qs + (seg[k] as number)] as number) + (att[ro + k] as number);
    }
    const rows: number[][] = [];
    for (let a = 0; a < S; a++) {
      const n = counts[a] as number;
      rows.push(Array.from({ length: S }, (_, b) => (n ? (acc[a * S + b] as number) / n : 0)));
    }
    out.push(rows);
  }
  return out;
}

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;
const r3 = (x: number) => Math.round(x * 1e3) / 1e3;

function defaultWindow(H: number, T: number, maxCells: number): AttentionWindow {
  const per = (T * (T + 1)) / 2;
  const heads = Math.max(1, Math.min(H, Math.floor(maxCells / per)));
  return { layers: [0, 0], heads: [0, heads - 1] };
}

/** Cuts the view the browser and the static export show. */
export function buildView(ex: AttentionExtraction, opts: ViewOptions = {}): AttentionView {
  const { L, H } = ex.model;
  const T = ex.tokens.length;
  const S = ex.segments.length;
  const maxCells = opts.maxWindowCells ?? MAX_WINDOW_CELLS;
  const window = opts.window ?? defaultWindow(H, T, maxCells);
  const [l0, l1] = window.layers;
  const [h0, h1] = window.heads;
  if (l0 > l1 || l1 >= L || h0 > h1 || h1 >= H) {
    throw new VizError(
      'AB_VIZ_WINDOW',
      `window layers [${l0}, ${l1}] heads [${h0}, ${h1}] is outside the model's ${L} layers × ${H} heads`,
      {
        field: 'window',
      },
    );
  }
  const cells = (l1 - l0 + 1) * (h1 - h0 + 1) * ((T * (T + 1)) / 2);
  if (cells > maxCells) {
    throw new VizError(
      'AB_VIZ_WINDOW',
      `the window holds ${cells} attention cells for ${T} tokens; at most ${maxCells} are sent — choose fewer layers or heads`,
      { field: 'window' },
    );
  }
  const query = opts.query ?? T - 1;
  if (!Number.isInteger(query) || query < 0 || query >= T) {
    throw new VizError('AB_VIZ_WINDOW', `query token ${query} is outside [0, ${T})`, { field: 'query' });
  }
  const seg = Int32Array.from(ex.tokens, (t) => t.segment);
  const counts = ex.segments.map((s) => s.tokenCount);
  const B = Math.max(1, Math.min(T, opts.bins ?? 24));
  const binOf = Int32Array.from({ length: T }, (_, t) => Math.floor((t * B) / T));
  const binCount = new Float64Array(B);
  for (let t = 0; t < T; t++) binCount[binOf[t] as number] = (binCount[binOf[t] as number] as number) + 1;

  const segmentShares: number[][][][] = [];
  const layerSegmentShares: number[][][] = [];
  const headStats: AttentionView['headStats'] = [];
  const thumbs: number[][][] = [];
  const saliency: number[][] = [];
  const thumb = new Float64Array(B * B);
  for (let l = 0; l < L; l++) {
    const att = ex.attentions[l] as Float32Array;
    const shares = segmentSharesOfLayer(att, seg, counts, H, T);
    segmentShares.push(shares.map((hs) => hs.map((row) => row.map(r5))));
    layerSegmentShares.push(
      Array.from({ length: S }, (_, a) =>
        Array.from({ length: S }, (_, b) => r5(shares.reduce((s, hs) => s + (hs[a]?.[b] ?? 0), 0) / H)),
      ),
    );
    const stats: AttentionView['headStats'][number] = [];
    const lthumbs: number[][] = [];
    const sal = new Float64Array(T);
    for (let h = 0; h < H; h++) {
      let sink = 0;
      let prev = 0;
      let ent = 0;
      thumb.fill(0);
      for (let t = 0; t < T; t++) {
        const ro = (h * T + t) * T;
        if (t > 0) {
          sink += att[ro] as number;
          prev += att[ro + t - 1] as number;
        }
        const qb = (binOf[t] as number) * B;
        for (let k = 0; k <= t; k++) {
          const p = att[ro + k] as number;
          if (p > 0) ent -= p * Math.log(p);
          thumb[qb + (binOf[k] as number)] = (thumb[qb + (binOf[k] as number)] as number) + p;
        }
      }
      const rows = Math.max(1, T - 1);
      stats.push({ sink: r5(sink / rows), previous: r5(prev / rows), entropy: r5(ent / T) });
      lthumbs.push(Array.from(thumb, (v, i) => r3(v / (binCount[Math.floor(i / B)] as number))));
      const qo = (h * T + query) * T;
      for (let k = 0; k <= query; k++) sal[k] = (sal[k] as number) + (att[qo + k] as number) / H;
    }
    headStats.push(stats);
    thumbs.push(lthumbs);
    saliency.push(Array.from(sal, r5));
  }
  const matrices: AttentionView['matrices'] = [];
  for (let l = l0; l <= l1; l++) {
    const att = ex.attentions[l] as Float32Array;
    for (let h = h0; h <= h1; h++) {
      matrices.push({ layer: l, head: h, tril: encodeTril(att.subarray(h * T * T, (h + 1) * T * T), T) });
    }
  }
  return {
    model: ex.model,
    text: ex.text,
    tokens: ex.tokens,
    segments: ex.segments,
    segmentShares,
    layerSegmentShares,
    headStats,
    thumbnails: { bins: B, data: thumbs },
    saliency: { query, layers: saliency },
    window,
    matrices,
  };
}
