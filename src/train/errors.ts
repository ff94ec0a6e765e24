import { AlignboardError, type Where } from '../common/errors.js';

/**
 * Every code the training domain raises. Each is documented in docs/errors.md
 * (`| code | cause | fix |`); a test keeps the two lists equal.
 */
export const TRAIN_ERROR_CODES = [
  'AB_TRAIN_RECIPE_INVALID',
  'AB_TRAIN_PREFLIGHT_FAILED',
  'AB_TRAIN_PACKING_INPUT',
  'AB_TRAIN_DATA_INVALID',
  'AB_TRAIN_CHECKPOINT',
  'AB_TRAIN_RUN_NOT_FOUND',
  'AB_TRAIN_RUN_STATE',
  'AB_TRAIN_CANCELLED',
  'AB_TRAIN_ENGINE_UNKNOWN',
] as const;

export type TrainErrorCode = (typeof TRAIN_ERROR_CODES)[number];

/** An expected failure of the training domain: a bad recipe, a refused preflight, a lost run. */
export class TrainError extends AlignboardError {
  constructor(
    code: TrainErrorCode,
    message: string,
    where: Where = {},
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(code, message, where, opts);
  }
}
