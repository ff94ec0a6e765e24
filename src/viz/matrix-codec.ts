// The wire form of a full attention matrix: the lower triangle (row t has t + 1 cells), each
// probability quantized to round(p * 65535) as little-endian uint16, base64. 2 bytes a cell; the
// quantization error (at most 7.7e-6) is far below what a color scale shows.

const Q = 65535;

/** att: (T, T) row-major (one head). */
export function encodeTril(att: Float32Array, T: number): string {
  const n = (T * (T + 1)) / 2;
  const bytes = Buffer.alloc(n * 2);
  let o = 0;
  for (let t = 0; t < T; t++) {
    for (let k = 0; k <= t; k++) {
      const p = att[t * T + k] as number;
      bytes.writeUInt16LE(Math.round(Math.min(1, Math.max(0, p)) * Q), o);
      o += 2;
    }
  }
  return bytes.toString('base64');
}

/** Inverse of encodeTril: (T, T) row-major with zeros above the diagonal. */
export function decodeTril(b64: string, T: number): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Float32Array(T * T);
  let o = 0;
  for (let t = 0; t < T; t++) {
    for (let k = 0; k <= t; k++) {
      out[t * T + k] = bytes.readUInt16LE(o) / Q;
      o += 2;
    }
  }
  return out;
}
