// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// RMSNorm (Zhang & Sennrich 2019), as in Hugging Face LlamaRMSNorm: y = x / sqrt(mean(x^2) + eps) * w.

// rows = B*T. inp, out: (rows, C). weight: (C). rstd: (rows), saved for backward.
export function rmsnormForward(
  out: Float32Array,
  rstd: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  rows: number,
  C: number,
  eps = 1e-5,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let ss = 0;
    for (let i = 0; i < C; i++) ss += (inp[o + i] as number) * (inp[o + i] as number);
    const s = 1 / Math.sqrt(ss / C + eps); // rstd = 1/sqrt(mean(x^2) + eps)
    for (let i = 0; i < C; i++) out[o + i] = (inp[o + i] as number) * s * (weight[i] as number);
    rstd[r] = s;
  }
}

// dout: (rows, C). dinp: (rows, C) and dweight: (C) are accumulated.
export function rmsnormBackward(
  dinp: Float32Array,
  dweight: Float32Array,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  rstd: Float32Array,
  rows: number,
  C: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    const s = rstd[r] as number;
    let m = 0; // m = mean_i(dout_i * w_i * xhat_i)
    for (let i = 0; i < C; i++)
      m += (dout[o + i] as number) * (weight[i] as number) * (inp[o + i] as number) * s;
    m /= C;
    for (let i = 0; i < C; i++) {
      const xhat = (inp[o + i] as number) * s;
      dweight[i] = (dweight[i] as number) + (dout[o + i] as number) * xhat;
      dinp[o + i] =
        (dinp[o + i] as number) + s * ((dout[o + i] as number) * (weight[i] as number) - xhat * m);
    }
  }
}
