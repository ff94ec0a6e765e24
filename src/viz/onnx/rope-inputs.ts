// Legend: T time, D head dim.
// The rotary tables the ONNX graph takes as inputs, in Hugging Face's half-rotation layout.
// The inverse frequencies come from the engine (transformers' ROPE_INIT_FUNCTIONS for default,
// linear, dynamic and llama3), so the graph and the reference forward share one definition.
import { type ModelConfig, ropeInvFreq } from '../../engine/index.js';

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
  const inv = ropeInvFreq(D, cfg.ropeTheta, cfg.ropeScaling, T);
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
