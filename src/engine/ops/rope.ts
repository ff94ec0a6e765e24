// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// Rotary position embedding (Su et al. 2021) in Hugging Face's half-rotation layout:
// for i < D/2, (x_i, x_{i+D/2}) is rotated by the angle pos * invFreq_i, i.e.
//   y_i       = x_i cos - x_{i+D/2} sin
//   y_{i+D/2} = x_{i+D/2} cos + x_i sin
// The rotation is orthogonal, so backward is the same rotation by -angle and needs no saved input.

/** The rope scalings Hugging Face implements for Llama-family models that this engine supports. */
export type RopeScaling =
  | { type: 'default' }
  | { type: 'linear'; factor: number }
  | { type: 'dynamic'; factor: number; originalMaxPositions: number }
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositions: number;
    };

/**
 * invFreq: (D/2) for a sequence of `seqLen` positions. Mirrors transformers'
 * `ROPE_INIT_FUNCTIONS` (modeling_rope_utils.py): default, linear, dynamic (NTK) and llama3.
 */
export function ropeInvFreq(D: number, theta: number, scaling: RopeScaling, seqLen: number): Float64Array {
  const half = D / 2;
  let base = theta;
  if (scaling.type === 'dynamic' && seqLen > scaling.originalMaxPositions) {
    // base * ((factor * seq_len / original_max) - (factor - 1)) ** (dim / (dim - 2))
    base =
      theta *
      ((scaling.factor * seqLen) / scaling.originalMaxPositions - (scaling.factor - 1)) ** (D / (D - 2));
  }
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = Math.fround(1 / base ** ((2 * i) / D));
  if (scaling.type === 'linear') for (let i = 0; i < half; i++) inv[i] = (inv[i] as number) / scaling.factor;
  if (scaling.type === 'llama3') {
    const { factor, lowFreqFactor, highFreqFactor, originalMaxPositions } = scaling;
    const lowFreqWavelen = originalMaxPositions / lowFreqFactor;
    const highFreqWavelen = originalMaxPositions / highFreqFactor;
    for (let i = 0; i < half; i++) {
      const f = inv[i] as number;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < highFreqWavelen) continue;
      if (wavelen > lowFreqWavelen) {
        inv[i] = f / factor;
        continue;
      }
      const smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      inv[i] = (1 - smooth) * (f / factor) + smooth * f;
    }
  }
  return inv;
}

/** cos, sin: (P, D/2) for positions 0..P-1, rounded to f32 as torch computes them. */
export function ropeTable(invFreq: Float64Array, P: number): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const cos = new Float32Array(P * half);
  const sin = new Float32Array(P * half);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < half; i++) {
      const a = Math.fround(p * (invFreq[i] as number));
      cos[p * half + i] = Math.cos(a);
      sin[p * half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}

// x: (rows, nH, D), rotated in place. pos: (rows) positions. cos, sin: (P, D/2).
export function ropeForward(
  x: Float32Array,
  pos: Int32Array,
  cos: Float32Array,
  sin: Float32Array,
  rows: number,
  nH: number,
  D: number,
): void {
  const half = D / 2;
  for (let r = 0; r < rows; r++) {
    const t = (pos[r] as number) * half;
    for (let h = 0; h < nH; h++) {
      const o = (r * nH + h) * D;
      for (let i = 0; i < half; i++) {
        const c = cos[t + i] as number;
        const s = sin[t + i] as number;
        const a = x[o + i] as number;
        const b = x[o + half + i] as number;
        x[o + i] = a * c - b * s;
        x[o + half + i] = b * c + a * s;
      }
    }
  }
}

// dx: (rows, nH, D), in place: holds d(loss)/d(rotated x) on entry and d(loss)/d(x) on exit.
export function ropeBackward(
  dx: Float32Array,
  pos: Int32Array,
  cos: Float32Array,
  sin: Float32Array,
  rows: number,
  nH: number,
  D: number,
): void {
  const half = D / 2;
  for (let r = 0; r < rows; r++) {
    const t = (pos[r] as number) * half;
    for (let h = 0; h < nH; h++) {
      const o = (r * nH + h) * D;
      for (let i = 0; i < half; i++) {
        const c = cos[t + i] as number;
        const s = sin[t + i] as number;
        const da = dx[o + i] as number;
        const db = dx[o + half + i] as number;
        dx[o + i] = da * c + db * s; // transpose of [[c, -s], [s, c]]
        dx[o + half + i] = db * c - da * s;
      }
    }
  }
}
