import { RegistryError } from './errors.js';

/** Bytes per element of each safetensors dtype (from the safetensors format spec). */
export const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  F8_E4M3FNUZ: 1,
  F8_E5M2FNUZ: 1,
  F8_E8M0: 1,
  E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
  C64: 8,
};

/** Largest header we accept: 100 MB, the limit the safetensors reference implementation uses. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Number of elements: the product of `shape` (1 for a scalar). */
  elements: number;
}

export interface SafetensorsHeader {
  file: string;
  tensors: TensorEntry[];
  metadata: Record<string, string>;
  fileSizeBytes: number;
}

/** Reads `[start, end)` of a file; local files and Hub files provide one. */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array>;

/**
 * Reads only the header of a safetensors file: the 8-byte little-endian length, then that many
 * bytes of JSON. Weights are never read. Every defect is an `AB_REGISTRY_SAFETENSORS_HEADER`
 * naming the file and, where it applies, the tensor.
 */
export async function readSafetensorsHeader(
  file: string,
  fileSizeBytes: number,
  readRange: ReadRange,
): Promise<SafetensorsHeader> {
  const fail = (what: string, field?: string): never => {
    throw new RegistryError('AB_REGISTRY_SAFETENSORS_HEADER', `${what}; the file is corrupt or truncated`, {
      file,
      field,
    });
  };
  if (fileSizeBytes < 8) fail(`file is ${fileSizeBytes} bytes, shorter than the 8-byte header length`);
  const prefix = await readRange(0, 8);
  if (prefix.byteLength < 8) fail('could not read the 8-byte header length');
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (length === 0n || length > BigInt(MAX_HEADER_BYTES) || length > BigInt(fileSizeBytes - 8)) {
    fail(`header length ${length} does not fit a ${fileSizeBytes}-byte file (max ${MAX_HEADER_BYTES})`);
  }
  const headerLength = Number(length);
  const bytes = await readRange(8, 8 + headerLength);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new RegistryError(
      'AB_REGISTRY_SAFETENSORS_HEADER',
      `header is not valid UTF-8 JSON (${(err as Error).message}); the file is corrupt or truncated`,
      { file },
      { cause: err },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('header is not a JSON object');
  const dataBytes = fileSizeBytes - 8 - headerLength;
  const tensors: TensorEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(info, file);
      continue;
    }
    tensors.push(parseTensorEntry(name, info, dataBytes, fail));
  }
  return { file, tensors, metadata, fileSizeBytes };
}

function parseMetadata(info: unknown, file: string): Record<string, string> {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new RegistryError('AB_REGISTRY_SAFETENSORS_HEADER', 'expected an object of strings', {
      file,
      field: '__metadata__',
    });
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(info)) out[k] = String(v);
  return out;
}

function parseTensorEntry(
  name: string,
  info: unknown,
  dataBytes: number,
  fail: (what: string, field?: string) => never,
): TensorEntry {
  if (typeof info !== 'object' || info === null) return fail('tensor entry is not an object', name);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    return fail(`unknown dtype ${JSON.stringify(dtype)}`, `${name}.dtype`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`, `${name}.shape`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    return fail(`data_offsets ${JSON.stringify(offsets)} is not [begin, end]`, `${name}.data_offsets`);
  }
  const dims = shape as number[];
  const elements = dims.reduce((a, b) => a * b, 1);
  const [begin, end] = offsets as [number, number];
  if (end > dataBytes) {
    return fail(`data_offsets end ${end} is past the ${dataBytes} data bytes`, `${name}.data_offsets`);
  }
  const expected = elements * (DTYPE_BYTES[dtype] ?? 0);
  if (end - begin !== expected) {
    return fail(
      `${dtype} ${JSON.stringify(dims)} needs ${expected} bytes, offsets span ${end - begin}`,
      name,
    );
  }
  return { name, dtype, shape: dims, elements };
}
