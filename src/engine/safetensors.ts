// Reading and writing the safetensors format (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}},
// then the raw little-endian tensor bytes. The engine reads F32, F16 and BF16 and writes F32 or BF16.
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { EngineError } from './errors.js';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';
const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

const TensorInfoSchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

// A header larger than this is not a model header (the format's own reader caps it at 100 MB).
const MAX_HEADER_BYTES = 100_000_000;

/** Parses a whole safetensors file held in memory into f32 tensors. `file` names it in errors. */
export function decodeSafetensors(buf: Uint8Array, file: string): Map<string, Tensor> {
  const bad = (msg: string, field?: string) => new EngineError('AB_ENGINE_SAFETENSORS', msg, { file, field });
  if (buf.byteLength < 8)
    throw bad(`file is ${buf.byteLength} bytes; a safetensors file starts with an 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > MAX_HEADER_BYTES || 8 + n > buf.byteLength) {
    throw bad(
      `header length ${n} does not fit in a file of ${buf.byteLength} bytes; the file is truncated or not safetensors`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n)));
  } catch (err) {
    throw new EngineError(
      'AB_ENGINE_SAFETENSORS',
      `header is not valid JSON (${(err as Error).message})`,
      { file },
      { cause: err },
    );
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw bad('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = buf.byteLength - dataStart;
  const out = new Map<string, Tensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const parsed = TensorInfoSchema.safeParse(raw);
    if (!parsed.success) throw bad(`tensor entry is malformed (${parsed.error.issues[0]?.message})`, name);
    const info = parsed.data;
    const dtype = info.dtype as SafetensorsDtype;
    if (!(dtype in BYTES))
      throw bad(`dtype "${info.dtype}" is not supported; expected F32, F16 or BF16`, `${name}.dtype`);
    const count = info.shape.reduce((a, b) => a * b, 1);
    const [start, end] = info.data_offsets;
    if (end - start !== count * BYTES[dtype]) {
      throw bad(
        `data_offsets [${start}, ${end}] hold ${end - start} bytes; shape [${info.shape}] of ${dtype} needs ${count * BYTES[dtype]}`,
        `${name}.data_offsets`,
      );
    }
    if (end > dataLen)
      throw bad(
        `tensor data ends at byte ${end} but only ${dataLen} data bytes are present (truncated file)`,
        name,
      );
    out.set(name, { shape: info.shape, data: decodeTensor(buf, dataStart + start, count, dtype) });
  }
  return out;
}

function decodeTensor(buf: Uint8Array, at: number, count: number, dtype: SafetensorsDtype): Float32Array {
  const out = new Float32Array(count);
  const dv = new DataView(buf.buffer, buf.byteOffset + at, count * BYTES[dtype]);
  if (dtype === 'F32') for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
  else if (dtype === 'BF16') {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u[i] = dv.getUint16(i * 2, true) << 16;
  } else for (let i = 0; i < count; i++) out[i] = f16ToF32(dv.getUint16(i * 2, true));
  return out;
}

/** IEEE half to single, including subnormals, infinities and NaN. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** f32 bits to bf16 bits with round-to-nearest-even, as torch's .to(torch.bfloat16) does. */
export function f32ToBf16Bits(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return ((bits >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export async function readSafetensors(file: string): Promise<Map<string, Tensor>> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new EngineError(
      'AB_ENGINE_SAFETENSORS',
      `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      { file },
      { cause: err },
    );
  }
  return decodeSafetensors(buf, file);
}

/** Serialises tensors (in the given order) as F32 or BF16, header padded with spaces to 8 bytes. */
export function encodeSafetensors(
  tensors: { name: string; shape: number[]; data: Float32Array }[],
  dtype: 'F32' | 'BF16',
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * BYTES[dtype];
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.byteLength + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hbytes.byteLength), true);
  out.set(hbytes, 8);
  let at = 8 + hbytes.byteLength;
  for (const t of tensors) {
    if (dtype === 'F32') {
      for (let i = 0; i < t.data.length; i++) dv.setFloat32(at + i * 4, t.data[i] as number, true);
      at += t.data.length * 4;
    } else {
      const bits = new Uint32Array(Float32Array.from(t.data).buffer);
      for (let i = 0; i < bits.length; i++) dv.setUint16(at + i * 2, f32ToBf16Bits(bits[i] as number), true);
      at += t.data.length * 2;
    }
  }
  return out;
}

export async function writeSafetensors(
  file: string,
  tensors: { name: string; shape: number[]; data: Float32Array }[],
  dtype: 'F32' | 'BF16' = 'F32',
): Promise<void> {
  await writeFile(file, encodeSafetensors(tensors, dtype));
}
