import { AlignboardError, type Where } from '../common/errors.js';

/**
 * Expected failures of the embedded engine: a model folder that cannot be read, a config it
 * does not support, input that does not fit the model. Codes are listed in docs/errors.md.
 *
 * - AB_ENGINE_CONFIG: config.json missing, not JSON, or a field with a bad value.
 * - AB_ENGINE_ARCH: an architecture or feature the engine does not implement.
 * - AB_ENGINE_SAFETENSORS: a safetensors file with a bad header, unknown dtype or truncated data.
 * - AB_ENGINE_WEIGHTS: a tensor missing from the checkpoint or with the wrong shape.
 * - AB_ENGINE_TOKENIZER: tokenizer.json / tokenizer_config.json missing or unusable.
 * - AB_ENGINE_TEMPLATE: no chat template, or the template failed to render.
 * - AB_ENGINE_INPUT: a token id outside [0, V), a prompt longer than the context, bad shapes.
 * - AB_ENGINE_SAMPLING: sampling parameters out of range.
 */
export type EngineErrorCode =
  | 'AB_ENGINE_CONFIG'
  | 'AB_ENGINE_ARCH'
  | 'AB_ENGINE_SAFETENSORS'
  | 'AB_ENGINE_WEIGHTS'
  | 'AB_ENGINE_TOKENIZER'
  | 'AB_ENGINE_TEMPLATE'
  | 'AB_ENGINE_INPUT'
  | 'AB_ENGINE_SAMPLING';

export const ENGINE_ERROR_CODES: readonly EngineErrorCode[] = [
  'AB_ENGINE_CONFIG',
  'AB_ENGINE_ARCH',
  'AB_ENGINE_SAFETENSORS',
  'AB_ENGINE_WEIGHTS',
  'AB_ENGINE_TOKENIZER',
  'AB_ENGINE_TEMPLATE',
  'AB_ENGINE_INPUT',
  'AB_ENGINE_SAMPLING',
];

export class EngineError extends AlignboardError {
  constructor(
    code: EngineErrorCode,
    message: string,
    where: Where = {},
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(code, message, where, opts);
  }
}
