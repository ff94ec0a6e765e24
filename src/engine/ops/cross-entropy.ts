// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// Softmax cross-entropy over the vocabulary, with an ignore index (PyTorch's -100 by default).

export const IGNORE_INDEX = -100;

// rows = B*T. logits: (rows, V). targets: (rows), IGNORE_INDEX where no loss is taken.
// losses: (rows) per-token -log p(target), 0 where ignored. probs: (rows, V) saved for backward.
// Returns the number of counted (non-ignored) rows.
export function crossEntropyForward(
  losses: Float32Array,
  probs: Float32Array,
  logits: Float32Array,
  targets: Int32Array,
  rows: number,
  V: number,
  ignoreIndex = IGNORE_INDEX,
): number {
  let counted = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < V; i++) if ((logits[o + i] as number) > max) max = logits[o + i] as number;
    let sum = 0;
    for (let i = 0; i < V; i++) {
      const e = Math.exp((logits[o + i] as number) - max);
      probs[o + i] = e;
      sum += e;
    }
    for (let i = 0; i < V; i++) probs[o + i] = (probs[o + i] as number) / sum;
    const tgt = targets[r] as number;
    if (tgt === ignoreIndex) {
      losses[r] = 0;
      continue;
    }
    losses[r] = -((logits[o + tgt] as number) - max - Math.log(sum));
    counted++;
  }
  return counted;
}

// dlogits: (rows, V) accumulated with scale * (probs - onehot(target)); ignored rows get nothing.
// scale is d(total loss)/d(per-token loss), e.g. 1 / (tokens counted over the accumulated batch).
export function crossEntropyBackward(
  dlogits: Float32Array,
  probs: Float32Array,
  targets: Int32Array,
  rows: number,
  V: number,
  scale: number,
  ignoreIndex = IGNORE_INDEX,
): void {
  for (let r = 0; r < rows; r++) {
    const tgt = targets[r] as number;
    if (tgt === ignoreIndex) continue;
    const o = r * V;
    for (let i = 0; i < V; i++) {
      const g = (probs[o + i] as number) - (i === tgt ? 1 : 0);
      dlogits[o + i] = (dlogits[o + i] as number) + scale * g;
    }
  }
}
