import { AlignboardError, type Where } from '../../common/errors.js';

/**
 * Codes of the engine adapters (TRL, OpenRLHF, verl, the `command` engine). Each is documented in
 * docs/errors.md; tests/error-codes.test.ts keeps the two lists equal.
 */
export const ENGINE_ADAPTER_ERROR_CODES = [
  /** The engine cannot express the recipe: an algorithm, loss, packing or schedule it lacks. */
  'AB_TRAIN_ENGINE_UNSUPPORTED',
  /** A `command` engine template has an unknown placeholder, an empty value, or bad quoting. */
  'AB_TRAIN_ENGINE_TEMPLATE',
  /** Engine options or resolved paths that cannot be used (a file format, an extra flag the engine lacks). */
  'AB_TRAIN_ENGINE_INPUT',
] as const;

export type EngineAdapterErrorCode = (typeof ENGINE_ADAPTER_ERROR_CODES)[number];

/** An engine refused a recipe, or its options were unusable; names the engine and the field. */
export class EngineAdapterError extends AlignboardError {
  constructor(
    code: EngineAdapterErrorCode,
    readonly engine: string,
    message: string,
    where: Where = {},
    opts: { cause?: unknown } = {},
  ) {
    super(code, `${engine}: ${message}`, where, opts);
  }
}
