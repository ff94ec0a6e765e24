// Turning logits into tokens: greedy, temperature, top-k, top-p (nucleus), and log-probabilities.
import { EngineError } from './errors.js';

export interface SamplingParams {
  /** 0 means greedy. Default 1. */
  temperature?: number;
  /** Keep the smallest set of tokens whose probability reaches topP. Default 1 (off). */
  topP?: number;
  /** Keep the topK most likely tokens. 0 or undefined: off. */
  topK?: number;
}

export function checkSamplingParams(p: SamplingParams): void {
  const bad = (field: string, msg: string) => new EngineError('AB_ENGINE_SAMPLING', msg, { field });
  if (p.temperature !== undefined && !(p.temperature >= 0))
    throw bad('temperature', `temperature ${p.temperature} must be >= 0`);
  if (p.topP !== undefined && !(p.topP > 0 && p.topP <= 1))
    throw bad('top_p', `top_p ${p.topP} must be in (0, 1]`);
  if (p.topK !== undefined && !(Number.isInteger(p.topK) && p.topK >= 0))
    throw bad('top_k', `top_k ${p.topK} must be an integer >= 0`);
}

/** log softmax of logits: (V), in double precision. */
export function logSoftmax(logits: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] as number) - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = (logits[i] as number) - lse;
  return out;
}

/** The k highest entries, highest first (ties: lower id first). */
export function topEntries(values: ArrayLike<number>, k: number): { id: number; value: number }[] {
  const top: { id: number; value: number }[] = [];
  if (k <= 0) return top;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (top.length === k && v <= (top[k - 1] as { value: number }).value) continue;
    let j = top.length < k ? top.length : k - 1;
    while (j > 0 && (top[j - 1] as { value: number }).value < v) j--;
    top.splice(j, 0, { id: i, value: v });
    if (top.length > k) top.pop();
  }
  return top;
}

function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
  return best;
}

/** Draws one token id from logits: (V). `rng` returns uniform numbers in [0, 1). */
export function sampleToken(logits: Float32Array, params: SamplingParams, rng: () => number): number {
  const temperature = params.temperature ?? 1;
  if (temperature === 0) return argmax(logits);
  const V = logits.length;
  const topK = params.topK && params.topK > 0 ? Math.min(params.topK, V) : V;
  const topP = params.topP ?? 1;
  // candidates sorted by logit, highest first
  let ids: number[];
  if (topK < V) ids = topEntries(logits, topK).map((e) => e.id);
  else
    ids = Array.from({ length: V }, (_, i) => i).sort(
      (a, b) => (logits[b] as number) - (logits[a] as number) || a - b,
    );
  const max = logits[ids[0] as number] as number;
  const probs = ids.map((id) => Math.exp(((logits[id] as number) - max) / temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  if (topP < 1) {
    let cum = 0;
    let keep = 0;
    while (keep < probs.length) {
      cum += (probs[keep] as number) / total;
      keep++;
      if (cum >= topP) break;
    }
    ids = ids.slice(0, keep);
    probs.length = keep;
    total = probs.reduce((a, b) => a + b, 0);
  }
  let u = rng() * total;
  for (let i = 0; i < ids.length; i++) {
    u -= probs[i] as number;
    if (u < 0) return ids[i] as number;
  }
  return ids[ids.length - 1] as number;
}
