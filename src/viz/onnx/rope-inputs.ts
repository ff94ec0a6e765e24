// Legend: T time, D head dim.
// The rotary tables the ONNX graph takes as inputs, in Hugging Face's half-rotation layout.
// ropeInvFreq is a twin of the engine's (src/engine/ops/rope.ts, not exported from its door):
// transformers' ROPE_INIT_FUNCTIONS for default, linear, dynamic (NTK) and llama3. The parity test
// checks the graph, fed these tables, against the engine's forward.
import type { ModelConfig } from '../../engine/index.js';

/** invFreq: (D/2) for a sequence of T positions, each rounded to f32 as torch stores it. */
export function ropeInvFreq(cfg: ModelConfig, T: number): Float64Array {
  const { D, ropeTheta: theta, ropeScaling: scaling } = cfg;
  const half = D / 2;
  let base = theta;
  if (scaling.type === 'dynamic' && T > scaling.originalMaxPositions) {
    // base * ((factor * seq_len / original_max) - (factor - 1)) ** (dim / (dim - 2))
    base =
      theta * ((scaling.factor * T) / scaling.originalMaxPositions - (scaling.factor - 1)) ** (D / (D - 2));
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

/**
 * cos, sinSigned: (T, D) for positions 0..T-1, so that rope(x) = x * cos + swapHalves(x) * sinSigned:
 * cos = [cos | cos], sinSigned = [-sin | sin] (the sign of rotate_half folded into the table).
 * mask: (T, T) additive causal mask, 0 on and below the diagonal, -Infinity above.
 */
export function ropeInputs(
  cfg: ModelConfig,
  T: number,
): { cos: Float32Array; sinSigned: Float32Array; mask: Float32Array } {
  const { D } = cfg;
  const half = D / 2;
  const inv = ropeInvFreq(cfg, T);
  const cos = new Float32Array(T * D);
  const sinSigned = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const a = Math.fround(t * (inv[i] as number)); // the angle as torch computes it, in f32
      const c = Math.cos(a);
      const s = Math.sin(a);
      cos[t * D + i] = c;
      cos[t * D + half + i] = c;
      sinSigned[t * D + i] = -s;
      sinSigned[t * D + half + i] = s;
    }
  }
  const mask = new Float32Array(T * T);
  for (let t = 0; t < T; t++) mask.fill(Number.NEGATIVE_INFINITY, t * T + t + 1, (t + 1) * T);
  return { cos, sinSigned, mask };
}
