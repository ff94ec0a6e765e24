// A minimal protobuf encoder: varints, length-delimited fields and packed repeated scalars, the
// few wire types the ONNX schema needs (proto3, https://protobuf.dev/programming-guides/encoding/).
// Messages are built bottom-up: `bytes()` of a child is written into its parent as one
// length-delimited field, so no field is ever patched after the fact.

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private size = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.size + this.scratch.length;
  }

  private flushScratch(): void {
    if (this.scratch.length) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.size += this.scratch.length;
      this.scratch = [];
    }
  }

  /** Unsigned varint; `v` must be a non-negative safe integer (int64 fields here never exceed 2^53). */
  private varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`protobuf varint out of range: ${v}`);
    while (v >= 0x80) {
      this.scratch.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.scratch.push(v);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** int32/int64/enum/bool field. */
  int(field: number, v: number): this {
    this.tag(field, WIRE_VARINT);
    this.varint64(v);
    return this;
  }

  /** Varint of an int64: negative values take 10 bytes (64-bit two's complement), as protobuf does. */
  private varint64(v: number): void {
    if (v >= 0) {
      this.varint(v);
      return;
    }
    if (!Number.isSafeInteger(v)) throw new Error(`protobuf int64 out of range: ${v}`);
    let big = BigInt.asUintN(64, BigInt(v));
    while (big >= 0x80n) {
      this.scratch.push(Number(big & 0x7fn) | 0x80);
      big >>= 7n;
    }
    this.scratch.push(Number(big));
  }

  float(field: number, v: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.scratch.push(...b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** A length-delimited field; large payloads are kept by reference, not copied. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    if (data.length > 256) {
      this.flushScratch();
      this.chunks.push(data);
      this.size += data.length;
    } else this.scratch.push(...data);
    return this;
  }

  message(field: number, child: ProtoWriter): this {
    this.tag(field, WIRE_LEN);
    this.varint(child.length);
    this.flushScratch();
    child.flushScratch();
    this.chunks.push(...child.chunks);
    this.size += child.size;
    return this;
  }

  /** Packed repeated int64 (proto3 default for repeated scalars). */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint64(v);
    inner.flushScratch();
    this.tag(field, WIRE_LEN);
    this.varint(inner.size);
    this.flushScratch();
    this.chunks.push(...inner.chunks);
    this.size += inner.size;
    return this;
  }

  /** Total encoded size in bytes. */
  finishLength(): number {
    this.flushScratch();
    return this.size;
  }

  /** The chunks in order (payloads by reference), for writing to a file without one big copy. */
  finishChunks(): Uint8Array[] {
    this.flushScratch();
    return this.chunks;
  }

  /** One contiguous buffer. */
  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}
