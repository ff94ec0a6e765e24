// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// Token embedding lookup.

// rows = B*T. out: (rows, C). tokens: (rows) ids in [0, V), checked by the caller. wte: (V, C).
export function embeddingForward(
  out: Float32Array,
  tokens: Int32Array,
  wte: Float32Array,
  rows: number,
  C: number,
): void {
  for (let r = 0; r < rows; r++)
    out.set(wte.subarray((tokens[r] as number) * C, ((tokens[r] as number) + 1) * C), r * C);
}

// dout: (rows, C). dwte: (V, C) accumulated.
export function embeddingBackward(
  dwte: Float32Array,
  dout: Float32Array,
  tokens: Int32Array,
  rows: number,
  C: number,
): void {
  for (let r = 0; r < rows; r++) {
    const w = (tokens[r] as number) * C;
    const o = r * C;
    for (let i = 0; i < C; i++) dwte[w + i] = (dwte[w + i] as number) + (dout[o + i] as number);
  }
}
