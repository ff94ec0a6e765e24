// Which implementation runs a forward pass: the TypeScript reference (exact, slow, always there)
// or the ONNX Runtime fast path (onnxruntime-node, an optional dependency; Llama family only).
// 'auto' takes the fast path when it can be built and says in the log why it could not.
import type { z } from 'zod';
import { type Logger, silentLogger } from '../common/logger.js';
import type { AttentionModel, ForwardResult } from './attention-model.js';
import { VizError } from './errors.js';
import type { ForwardPathSchema } from './schemas.js';

export type ForwardPath = z.infer<typeof ForwardPathSchema>;
/** The path that actually ran. */
export type RanPath = Exclude<ForwardPath, 'auto'>;

export interface PathOptions {
  /** Default 'auto'. */
  path?: ForwardPath;
  /** Where 'auto' reports falling back to the reference. */
  log?: Logger;
}

/** Runs `tokens` through `model` on the requested path; returns the result and the path that ran. */
export async function forwardOnPath(
  model: AttentionModel,
  tokens: readonly number[],
  opts: PathOptions = {},
): Promise<ForwardResult & { path: RanPath }> {
  const path = opts.path ?? 'auto';
  if (path === 'reference') return { ...model.forward(tokens), path };
  const fast = model.fastPath
    ? await model.fastPath()
    : { reason: `no ONNX graph for ${model.modelType} models` };
  if ('forward' in fast) return { ...(await fast.forward(tokens)), path: 'onnx' };
  if (path === 'onnx') {
    throw new VizError('AB_VIZ_ONNX', `the ONNX path cannot run ${model.name}: ${fast.reason}`, {
      field: 'path',
    });
  }
  (opts.log ?? silentLogger).warn(
    { model: model.name, reason: fast.reason },
    'ONNX fast path unavailable; running the TypeScript reference',
  );
  return { ...model.forward(tokens), path: 'reference' };
}
