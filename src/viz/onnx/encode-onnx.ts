// Encodes an ONNX model (ModelProto) from plain objects. Field numbers are those of onnx.proto3
// (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto3); only the fields the lab's graphs use.
import { ProtoWriter } from './protobuf-writer.js';

/** TensorProto.DataType values. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

// AttributeProto.AttributeType values.
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

export type AttrValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'ints'; value: number[] }
  | { type: 'string'; value: string };

export const attrFloat = (value: number): AttrValue => ({ type: 'float', value });
export const attrInt = (value: number): AttrValue => ({ type: 'int', value });
export const attrInts = (value: number[]): AttrValue => ({ type: 'ints', value });

export interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain?: string;
  attrs?: Record<string, AttrValue>;
}

/** Where a tensor's bytes live when they are kept out of the protobuf (ONNX external data). */
export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

export interface TensorDef {
  name: string;
  dataType: number;
  dims: number[];
  /** Little-endian bytes (raw_data), or a reference into an external data file. */
  data: Uint8Array | ExternalRef;
}

export interface ValueInfo {
  name: string;
  elemType: number;
  /** A number is a fixed size, a string a symbolic one ("T"). */
  shape: (number | string)[];
}

export interface GraphDef {
  name: string;
  nodes: NodeDef[];
  initializers: TensorDef[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface ModelMeta {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
}

function encodeAttr(name: string, a: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name); // AttributeProto.name
  if (a.type === 'float')
    w.float(2, a.value).int(20, ATTR_FLOAT); // f, type
  else if (a.type === 'int')
    w.int(3, a.value).int(20, ATTR_INT); // i, type
  else if (a.type === 'ints')
    w.packedInts(8, a.value).int(20, ATTR_INTS); // ints, type
  else w.string(4, a.value).int(20, ATTR_STRING); // s, type
  return w;
}

function encodeNode(n: NodeDef): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i); // NodeProto.input
  for (const o of n.outputs) w.string(2, o); // output
  w.string(3, n.name).string(4, n.op); // name, op_type
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, encodeAttr(k, v)); // attribute
  if (n.domain) w.string(7, n.domain); // domain
  return w;
}

export function encodeTensor(t: TensorDef): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, t.dims).int(2, t.dataType).string(8, t.name); // dims, data_type, name
  if (t.data instanceof Uint8Array)
    w.bytes(9, t.data); // raw_data
  else {
    const entry = (k: string, v: string) => new ProtoWriter().string(1, k).string(2, v); // StringStringEntryProto
    w.message(13, entry('location', t.data.location)); // external_data
    w.message(13, entry('offset', String(t.data.offset)));
    w.message(13, entry('length', String(t.data.length)));
    w.int(14, 1); // data_location = EXTERNAL
  }
  return w;
}

function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    // TensorShapeProto.dim: Dimension { dim_value = 1 | dim_param = 2 }
    shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape); // TypeProto.Tensor
  const type = new ProtoWriter().message(1, tensorType); // TypeProto.tensor_type
  return new ProtoWriter().string(1, v.name).message(2, type); // ValueInfoProto
}

function encodeGraph(g: GraphDef): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n)); // GraphProto.node
  w.string(2, g.name); // name
  for (const t of g.initializers) w.message(5, encodeTensor(t)); // initializer
  for (const i of g.inputs) w.message(11, encodeValueInfo(i)); // input
  for (const o of g.outputs) w.message(12, encodeValueInfo(o)); // output
  return w;
}

/** The ModelProto of `graph`, as a writer (its chunks reference the initializers' bytes). */
export function encodeModel(graph: GraphDef, meta: ModelMeta): ProtoWriter {
  const w = new ProtoWriter().int(1, meta.irVersion); // ModelProto.ir_version
  w.string(2, meta.producerName).string(3, meta.producerVersion); // producer_name, producer_version
  w.message(7, encodeGraph(graph)); // graph
  for (const o of meta.opsets) w.message(8, new ProtoWriter().string(1, o.domain).int(2, o.version)); // opset_import
  return w;
}
