// Legend: T time, H heads, Hkv kv heads, D head dim.
// Causal scaled dot-product attention over one sequence, keeping the probabilities. Query head h
// reads kv head floor(h / (H / Hkv)).

// q: (T, H, D). k, v: (T, Hkv, D). y: (T, H, D) output. att: (H, T, T) probabilities, 0 above the diagonal.
export function causalAttention(
  y: Float32Array,
  att: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  T: number,
  H: number,
  Hkv: number,
  D: number,
  scale: number,
): void {
  const group = H / Hkv;
  for (let h = 0; h < H; h++) {
    const kh = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      const qo = (t * H + h) * D;
      const ao = (h * T + t) * T;
      let max = Number.NEGATIVE_INFINITY;
      for (let t2 = 0; t2 <= t; t2++) {
        const ko = (t2 * Hkv + kh) * D;
        let s = 0;
        for (let i = 0; i < D; i++) s += (q[qo + i] as number) * (k[ko + i] as number);
        s *= scale;
        att[ao + t2] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let t2 = 0; t2 <= t; t2++) {
        const e = Math.exp((att[ao + t2] as number) - max);
        att[ao + t2] = e;
        sum += e;
      }
      for (let t2 = 0; t2 <= t; t2++) att[ao + t2] = (att[ao + t2] as number) / sum;
      for (let t2 = t + 1; t2 < T; t2++) att[ao + t2] = 0;
      for (let i = 0; i < D; i++) y[qo + i] = 0;
      for (let t2 = 0; t2 <= t; t2++) {
        const p = att[ao + t2] as number;
        const vo = (t2 * Hkv + kh) * D;
        for (let i = 0; i < D; i++) y[qo + i] = (y[qo + i] as number) + p * (v[vo + i] as number);
      }
    }
  }
}
