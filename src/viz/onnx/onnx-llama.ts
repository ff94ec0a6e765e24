// Legend: T time, C model dim, H heads, D head dim, V vocab, L layers.
// The fast path: the Llama-family graph (build-llama-graph.ts) run by onnxruntime-node, an optional
// dependency loaded on first use. The graph is encoded in memory when it fits protobuf's 2 GiB
// limit; bigger models keep their weights in an external data file beside a small model.onnx in a
// temp folder, which is removed once the session holds the weights.
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { LlamaModel } from '../../engine/index.js';
import type { ForwardResult } from '../attention-model.js';
import { VizError } from '../errors.js';
import {
  attentionOutput,
  buildLlamaGraph,
  LLAMA_GRAPH_IR_VERSION,
  LLAMA_GRAPH_OPSET,
} from './build-llama-graph.js';
import { encodeModel, type GraphDef, type ModelMeta, type TensorDef } from './encode-onnx.js';
import { ropeInputs } from './rope-inputs.js';

type Ort = typeof import('onnxruntime-node');

/** protobuf refuses messages of 2 GiB or more (int32 sizes); keep a margin for the graph itself. */
export const MAX_INLINE_BYTES = 2 ** 31 - 2 ** 24;
/** External tensors start on page boundaries so the runtime may map them instead of copying. */
const EXTERNAL_ALIGN = 4096;

/** onnxruntime-node, or why it cannot be loaded (not installed, no binary for this platform). */
export async function loadOnnxRuntime(): Promise<{ ort: Ort } | { reason: string }> {
  if (endianness() !== 'LE') return { reason: 'ONNX raw_data is little-endian and this machine is not' };
  try {
    const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    const ort = mod.InferenceSession ? mod : mod.default;
    if (!ort?.InferenceSession) return { reason: 'onnxruntime-node loaded without InferenceSession' };
    return { ort };
  } catch (err) {
    return { reason: `onnxruntime-node cannot be loaded (${(err as Error).message.split('\n')[0]})` };
  }
}

export interface OnnxLlamaOptions {
  /** Intra-op threads; 0 lets onnxruntime pick (one per physical core). */
  threads?: number;
  /** Force external data (tests); by default only graphs over MAX_INLINE_BYTES use it. */
  externalData?: boolean;
}

export interface OnnxLlamaStats {
  /** Size of the encoded model, weights included. */
  modelBytes: number;
  isExternal: boolean;
  encodeMs: number;
  sessionMs: number;
}

export interface OnnxLlama {
  /** logits (T, V) and per layer (H, T, T) probabilities, like the reference forward. */
  forward(tokens: readonly number[]): Promise<ForwardResult>;
  release(): Promise<void>;
  readonly stats: OnnxLlamaStats;
}

const META: ModelMeta = {
  irVersion: LLAMA_GRAPH_IR_VERSION,
  opsets: [{ domain: '', version: LLAMA_GRAPH_OPSET }],
  producerName: 'alignboard',
  producerVersion: '0.1.0',
};

/** Moves every initializer of 1 KiB or more to `weights.bin`, page-aligned; returns the new graph and the file's parts. */
function externalize(graph: GraphDef): { graph: GraphDef; parts: Uint8Array[] } {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const initializers: TensorDef[] = graph.initializers.map((t) => {
    if (!(t.data instanceof Uint8Array) || t.data.length < 1024) return t;
    const pad = (EXTERNAL_ALIGN - (offset % EXTERNAL_ALIGN)) % EXTERNAL_ALIGN;
    if (pad) parts.push(new Uint8Array(pad));
    offset += pad;
    parts.push(t.data);
    const ref = { location: 'weights.bin', offset, length: t.data.length };
    offset += t.data.length;
    return { ...t, data: ref };
  });
  return { graph: { ...graph, initializers }, parts };
}

async function writeParts(file: string, parts: Uint8Array[]): Promise<void> {
  const fh = await open(file, 'w');
  try {
    for (const p of parts) await fh.write(p);
  } finally {
    await fh.close();
  }
}

async function createSession(
  ort: Ort,
  graph: GraphDef,
  opts: OnnxLlamaOptions,
): Promise<{ session: InferenceSession; stats: OnnxLlamaStats }> {
  const sessionOptions: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: opts.threads ?? 0,
    logSeverityLevel: 3, // errors only: the optimizer's notes are not the user's concern
  };
  const t0 = performance.now();
  const inline = encodeModel(graph, META);
  const inlineBytes = inline.finishLength();
  if (!opts.externalData && inlineBytes <= MAX_INLINE_BYTES) {
    const bytes = inline.finish();
    const encodeMs = performance.now() - t0;
    const session = await ort.InferenceSession.create(bytes, sessionOptions);
    const sessionMs = performance.now() - t0 - encodeMs;
    return { session, stats: { modelBytes: inlineBytes, isExternal: false, encodeMs, sessionMs } };
  }
  const ext = externalize(graph);
  const dir = await mkdtemp(join(tmpdir(), 'alignboard-onnx-'));
  try {
    const proto = encodeModel(ext.graph, META).finish();
    await writeFile(join(dir, 'model.onnx'), proto);
    await writeParts(join(dir, 'weights.bin'), ext.parts);
    const encodeMs = performance.now() - t0;
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), sessionOptions);
    const sessionMs = performance.now() - t0 - encodeMs;
    return { session, stats: { modelBytes: inlineBytes, isExternal: true, encodeMs, sessionMs } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds the graph of `model` and an onnxruntime session for it (seconds for a 0.5B model). */
export async function createOnnxLlama(
  ort: Ort,
  model: LlamaModel,
  opts: OnnxLlamaOptions = {},
): Promise<OnnxLlama> {
  const cfg = model.config;
  const { session, stats } = await createSession(ort, buildLlamaGraph(model), opts);
  const outputs = ['logits', ...Array.from({ length: cfg.L }, (_, l) => attentionOutput(l))];
  const f32 = (t: Tensor | undefined, name: string): Float32Array => {
    if (!t || !(t.data instanceof Float32Array))
      throw new Error(`onnxruntime returned no float tensor ${name}`);
    return t.data;
  };
  return {
    stats,
    async forward(tokens) {
      const T = tokens.length;
      for (const [i, id] of tokens.entries()) {
        if (!Number.isInteger(id) || id < 0 || id >= cfg.V) {
          throw new VizError('AB_VIZ_INPUT', `token id ${id} at position ${i} is outside [0, ${cfg.V})`, {
            field: `tokens.${i}`,
          });
        }
      }
      const { cos, sinSigned, mask } = ropeInputs(cfg, T);
      const out = await session.run(
        {
          input_ids: new ort.Tensor(
            'int64',
            BigInt64Array.from(tokens, (id) => BigInt(id)),
            [T],
          ),
          rope_cos: new ort.Tensor('float32', cos, [T, 1, 1, cfg.D]),
          rope_sin: new ort.Tensor('float32', sinSigned, [T, 1, 1, cfg.D]),
          causal_mask: new ort.Tensor('float32', mask, [T, T]),
        },
        outputs,
      );
      return {
        logits: f32(out.logits, 'logits'),
        attentions: Array.from({ length: cfg.L }, (_, l) => f32(out[attentionOutput(l)], attentionOutput(l))),
      };
    },
    release: () => session.release(),
  };
}
