// Wire bytes of the protobuf writer against hand-encoded examples from the protobuf encoding guide.
import { describe, expect, test } from 'vitest';
import { ProtoWriter } from './protobuf-writer.js';

const hex = (w: ProtoWriter) => Buffer.from(w.finish()).toString('hex');

describe('ProtoWriter', () => {
  const cases: [string, ProtoWriter, string][] = [
    ['varint 150 (the guide example)', new ProtoWriter().int(1, 150), '089601'],
    ['varint 0', new ProtoWriter().int(3, 0), '1800'],
    ['int64 -1 takes ten bytes', new ProtoWriter().int(1, -1), '08ffffffffffffffffff01'],
    ['int64 2^40', new ProtoWriter().int(1, 2 ** 40), '08808080808020'],
    ['string "testing"', new ProtoWriter().string(2, 'testing'), '120774657374696e67'],
    ['float 1.0 is fixed32 little-endian', new ProtoWriter().float(2, 1), '150000803f'],
    ['packed int64 [3, 270, 86942]', new ProtoWriter().packedInts(4, [3, 270, 86942]), '2206038e029ea705'],
    ['packed with a negative', new ProtoWriter().packedInts(1, [-1]), '0a0affffffffffffffffff01'],
    ['nested message', new ProtoWriter().message(3, new ProtoWriter().int(1, 150)), '1a03089601'],
  ];
  test.each(cases)('%s', (_name, w, expected) => {
    expect(hex(w)).toBe(expected);
  });

  test('large payloads are kept by reference and lengths add up', () => {
    const big = new Uint8Array(1000).fill(7);
    const inner = new ProtoWriter().bytes(9, big).int(2, 1);
    const outer = new ProtoWriter().string(1, 'x').message(5, inner);
    expect(inner.finishChunks()).toContain(big);
    const bytes = outer.finish();
    expect(bytes.length).toBe(outer.finishLength());
    // 0a 01 78 | 2a <len 1005 = ed 07> | 4a <len 1000 = e8 07> payload | 10 01
    expect(Buffer.from(bytes.subarray(0, 9)).toString('hex')).toBe('0a01782aed074ae807');
    expect(Buffer.from(bytes.subarray(-2)).toString('hex')).toBe('1001');
  });
});
