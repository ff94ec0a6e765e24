// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// Causal scaled dot-product attention with grouped-query heads: query head h reads kv head
// floor(h / (H / Hkv)). An optional segment id per token makes the mask block-diagonal, so
// packed sequences never attend across their boundary.

// q: (B, T, H, D) after rope. k, v: (B, T, Hkv, D). seg: (B*T) segment ids, or null for one segment.
// y: (B, T, H, D) output. att: (B, H, T, T) probabilities, saved for backward (0 where masked).
// scale multiplies q . k: 1/sqrt(D) for Llama; GPT-2 may also divide it by layer index + 1.
export function attentionForward(
  y: Float32Array,
  att: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  seg: Int32Array | null,
  B: number,
  T: number,
  H: number,
  Hkv: number,
  D: number,
  scale = 1 / Math.sqrt(D),
): void {
  const group = H / Hkv;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * H + h) * D;
        const ao = ((b * H + h) * T + t) * T;
        const st = seg ? (seg[b * T + t] as number) : 0;
        let max = Number.NEGATIVE_INFINITY;
        for (let t2 = 0; t2 <= t; t2++) {
          if (seg && seg[b * T + t2] !== st) {
            att[ao + t2] = Number.NEGATIVE_INFINITY;
            continue;
          }
          const ko = ((b * T + t2) * Hkv + kh) * D;
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
          if (p === 0) continue;
          const vo = ((b * T + t2) * Hkv + kh) * D;
          for (let i = 0; i < D; i++) y[qo + i] = (y[qo + i] as number) + p * (v[vo + i] as number);
        }
      }
    }
  }
}

// dy: (B, T, H, D). dq: (B, T, H, D), dk, dv: (B, T, Hkv, D) are accumulated. datt: (T) scratch.
export function attentionBackward(
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  datt: Float32Array,
  dy: Float32Array,
  att: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  B: number,
  T: number,
  H: number,
  Hkv: number,
  D: number,
  scale = 1 / Math.sqrt(D),
): void {
  const group = H / Hkv;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * H + h) * D;
        const ao = ((b * H + h) * T + t) * T;
        // datt_j = dy . v_j ; dv_j += p_j dy
        let dot = 0; // sum_j p_j datt_j
        for (let t2 = 0; t2 <= t; t2++) {
          const p = att[ao + t2] as number;
          const vo = ((b * T + t2) * Hkv + kh) * D;
          let s = 0;
          for (let i = 0; i < D; i++) {
            s += (dy[qo + i] as number) * (v[vo + i] as number);
            dv[vo + i] = (dv[vo + i] as number) + p * (dy[qo + i] as number);
          }
          datt[t2] = s;
          dot += p * s;
        }
        // softmax backward: dpre_j = p_j (datt_j - dot); pre_j = scale * q . k_j
        for (let t2 = 0; t2 <= t; t2++) {
          const p = att[ao + t2] as number;
          if (p === 0) continue;
          const dpre = p * ((datt[t2] as number) - dot) * scale;
          const ko = ((b * T + t2) * Hkv + kh) * D;
          for (let i = 0; i < D; i++) {
            dq[qo + i] = (dq[qo + i] as number) + dpre * (k[ko + i] as number);
            dk[ko + i] = (dk[ko + i] as number) + dpre * (q[qo + i] as number);
          }
        }
      }
    }
  }
}
