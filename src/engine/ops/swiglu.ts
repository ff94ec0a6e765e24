// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// SwiGLU (Shazeer 2020) as in Llama's MLP: h = silu(gate) * up, silu(x) = x * sigmoid(x).

// rows = B*T. gate, up: (rows, F) saved for backward. out: (rows, F).
export function swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i] as number;
    out[i] = (g / (1 + Math.exp(-g))) * (up[i] as number);
  }
}

// dout: (rows, F). dgate, dup: (rows, F) accumulated.
export function swigluBackward(
  dgate: Float32Array,
  dup: Float32Array,
  dout: Float32Array,
  gate: Float32Array,
  up: Float32Array,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i] as number;
    const sig = 1 / (1 + Math.exp(-g));
    const d = dout[i] as number;
    dup[i] = (dup[i] as number) + d * g * sig;
    // d silu / dg = sig * (1 + g * (1 - sig))
    dgate[i] = (dgate[i] as number) + d * (up[i] as number) * sig * (1 + g * (1 - sig));
  }
}
