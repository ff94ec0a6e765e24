import { AlignboardError, type Where } from '../common/errors.js';

/**
 * Every code the registry throws. `docs/errors.md` lists each with its cause and fix;
 * `errors.test.ts` keeps the two in sync. Codes are never reused for another meaning.
 */
export const REGISTRY_ERROR_CODES = {
  AB_REGISTRY_NOT_A_FOLDER: 400,
  AB_REGISTRY_NO_CONFIG: 400,
  AB_REGISTRY_CONFIG_INVALID: 400,
  AB_REGISTRY_SAFETENSORS_HEADER: 400,
  AB_REGISTRY_SAFETENSORS_INDEX: 400,
  AB_REGISTRY_CARD_YAML: 400,
  AB_REGISTRY_BASE_CYCLE: 409,
  AB_REGISTRY_MODEL_EXISTS: 409,
  AB_REGISTRY_MODEL_NOT_FOUND: 404,
  AB_REGISTRY_DIFF_ARGS: 400,
  AB_REGISTRY_FILE_NOT_FOUND: 404,
  AB_REGISTRY_FILE_NOT_TEXT: 400,
  AB_REGISTRY_HUB_NOT_FOUND: 404,
  AB_REGISTRY_HUB_ERROR: 502,
  AB_REGISTRY_HUB_UNREACHABLE: 502,
} as const;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

/** An expected registry failure: a bad model folder, a missing model, a lineage cycle, a Hub error. */
export class RegistryError extends AlignboardError {
  declare readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, message: string, where: Where = {}, opts: { cause?: unknown } = {}) {
    super(code, message, where, { status: REGISTRY_ERROR_CODES[code], cause: opts.cause });
  }
}
