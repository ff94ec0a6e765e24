import { AlignboardError, type Where } from '../common/errors.js';

/**
 * Expected failures of the attention lab. Codes are listed in docs/errors.md.
 *
 * - AB_VIZ_MODEL: the model reference is neither a folder holding config.json nor a registry model with a local folder.
 * - AB_VIZ_ARCH: config.json names an architecture the lab does not run, or a GPT-2 option it does not implement.
 * - AB_VIZ_WEIGHTS: a GPT-2 tensor is missing or has the wrong shape.
 * - AB_VIZ_TOKENIZER: the model folder has no tokenizer, so text cannot be turned into tokens.
 * - AB_VIZ_INPUT: the input is empty, too long for the model, or a RAG input lacks what a check needs.
 * - AB_VIZ_WINDOW: the requested layer/head window is outside the model or too large to send.
 * - AB_VIZ_ONNX: path 'onnx' was asked for and the ONNX fast path cannot run this model here.
 */
export type VizErrorCode =
  | 'AB_VIZ_MODEL'
  | 'AB_VIZ_ARCH'
  | 'AB_VIZ_WEIGHTS'
  | 'AB_VIZ_TOKENIZER'
  | 'AB_VIZ_INPUT'
  | 'AB_VIZ_WINDOW'
  | 'AB_VIZ_ONNX';

export const VIZ_ERROR_CODES: readonly VizErrorCode[] = [
  'AB_VIZ_MODEL',
  'AB_VIZ_ARCH',
  'AB_VIZ_WEIGHTS',
  'AB_VIZ_TOKENIZER',
  'AB_VIZ_INPUT',
  'AB_VIZ_WINDOW',
  'AB_VIZ_ONNX',
];

export class VizError extends AlignboardError {
  constructor(
    code: VizErrorCode,
    message: string,
    where: Where = {},
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(code, message, where, opts);
  }
}
