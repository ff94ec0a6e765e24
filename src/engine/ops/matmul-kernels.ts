// Matrix-multiply kernels over Float32Array: the naive reference and its cache-blocked twin.
// Legend: rows = B*T, C input dim, OC output dim.
// Layout follows Hugging Face `nn.Linear`: weight is (OC, C), so out = inp @ weight^T + bias.
// Both kernels are self-contained functions (no closures, no imports) because the blocked one is
// also shipped to worker threads as source text (see matmul-pool.ts).

/**
 * The reference. out: (rows, OC). inp: (rows, C). weight: (OC, C). bias: (OC) or null.
 * When `accumulate` is true, out += inp @ weight^T instead of out = ….
 */
export function matmulNaive(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  rows: number,
  C: number,
  OC: number,
  accumulate = false,
): void {
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < OC; o++) {
      let s = bias ? (bias[o] as number) : 0;
      for (let c = 0; c < C; c++) s += (inp[r * C + c] as number) * (weight[o * C + c] as number);
      out[r * OC + o] = accumulate ? (out[r * OC + o] as number) + s : s;
    }
  }
}

/**
 * Cache-blocked kernel for output rows [r0, r1). Same contract as matmulNaive.
 * Weight rows are taken in blocks of OB (OB*C floats stay in L2 while every input row passes
 * over them); inside a block a 4x4 register tile computes 16 dot products per pass over C, so
 * each loaded float is used four times.
 */
export function matmulBlockedRows(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  _rows: number, // kept so both kernels share one signature
  C: number,
  OC: number,
  accumulate: boolean,
  r0: number,
  r1: number,
): void {
  // 256 KiB of weights per block: fits the L2 of any x86/ARM core this runs on.
  const OB = Math.max(4, Math.min(OC, (16384 / C) & ~3));
  const rEnd4 = r0 + ((r1 - r0) & ~3);
  for (let ob = 0; ob < OC; ob += OB) {
    const oEnd = Math.min(OC, ob + OB);
    const oEnd4 = ob + ((oEnd - ob) & ~3);
    let r = r0;
    for (; r < rEnd4; r += 4) {
      const i0 = r * C;
      const i1 = i0 + C;
      const i2 = i1 + C;
      const i3 = i2 + C;
      let o = ob;
      for (; o < oEnd4; o += 4) {
        const w0 = o * C;
        const w1 = w0 + C;
        const w2 = w1 + C;
        const w3 = w2 + C;
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0,
          s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        let s20 = 0,
          s21 = 0,
          s22 = 0,
          s23 = 0,
          s30 = 0,
          s31 = 0,
          s32 = 0,
          s33 = 0;
        for (let c = 0; c < C; c++) {
          const a0 = inp[i0 + c] as number;
          const a1 = inp[i1 + c] as number;
          const a2 = inp[i2 + c] as number;
          const a3 = inp[i3 + c] as number;
          const b0 = weight[w0 + c] as number;
          const b1 = weight[w1 + c] as number;
          const b2 = weight[w2 + c] as number;
          const b3 = weight[w3 + c] as number;
          s00 += a0 * b0;
          s01 += a0 * b1;
          s02 += a0 * b2;
          s03 += a0 * b3;
          s10 += a1 * b0;
          s11 += a1 * b1;
          s12 += a1 * b2;
          s13 += a1 * b3;
          s20 += a2 * b0;
          s21 += a2 * b1;
          s22 += a2 * b2;
          s23 += a2 * b3;
          s30 += a3 * b0;
          s31 += a3 * b1;
          s32 += a3 * b2;
          s33 += a3 * b3;
        }
        const b0 = bias ? (bias[o] as number) : 0;
        const b1 = bias ? (bias[o + 1] as number) : 0;
        const b2 = bias ? (bias[o + 2] as number) : 0;
        const b3 = bias ? (bias[o + 3] as number) : 0;
        let q = r * OC + o;
        out[q] = (accumulate ? (out[q] as number) : 0) + s00 + b0;
        out[q + 1] = (accumulate ? (out[q + 1] as number) : 0) + s01 + b1;
        out[q + 2] = (accumulate ? (out[q + 2] as number) : 0) + s02 + b2;
        out[q + 3] = (accumulate ? (out[q + 3] as number) : 0) + s03 + b3;
        q += OC;
        out[q] = (accumulate ? (out[q] as number) : 0) + s10 + b0;
        out[q + 1] = (accumulate ? (out[q + 1] as number) : 0) + s11 + b1;
        out[q + 2] = (accumulate ? (out[q + 2] as number) : 0) + s12 + b2;
        out[q + 3] = (accumulate ? (out[q + 3] as number) : 0) + s13 + b3;
        q += OC;
        out[q] = (accumulate ? (out[q] as number) : 0) + s20 + b0;
        out[q + 1] = (accumulate ? (out[q + 1] as number) : 0) + s21 + b1;
        out[q + 2] = (accumulate ? (out[q + 2] as number) : 0) + s22 + b2;
        out[q + 3] = (accumulate ? (out[q + 3] as number) : 0) + s23 + b3;
        q += OC;
        out[q] = (accumulate ? (out[q] as number) : 0) + s30 + b0;
        out[q + 1] = (accumulate ? (out[q + 1] as number) : 0) + s31 + b1;
        out[q + 2] = (accumulate ? (out[q + 2] as number) : 0) + s32 + b2;
        out[q + 3] = (accumulate ? (out[q + 3] as number) : 0) + s33 + b3;
      }
      for (; o < oEnd; o++) {
        for (let i = 0; i < 4; i++) {
          const ip = (r + i) * C;
          const wp = o * C;
          let s = bias ? (bias[o] as number) : 0;
          for (let c = 0; c < C; c++) s += (inp[ip + c] as number) * (weight[wp + c] as number);
          const idx = (r + i) * OC + o;
          out[idx] = accumulate ? (out[idx] as number) + s : s;
        }
      }
    }
    for (; r < r1; r++) {
      const ip = r * C;
      for (let o = ob; o < oEnd; o++) {
        const wp = o * C;
        let s = bias ? (bias[o] as number) : 0;
        for (let c = 0; c < C; c++) s += (inp[ip + c] as number) * (weight[wp + c] as number);
        const idx = r * OC + o;
        out[idx] = accumulate ? (out[idx] as number) + s : s;
      }
    }
  }
}
