import { AlignboardError, type Where } from '../common/errors.js';

/**
 * Every code the data domain raises or reports as a finding. Each is documented in
 * docs/errors.md (`| code | cause | fix |`); a test keeps the two lists equal.
 */
export const DATA_ERROR_CODES = [
  'AB_DATA_FILE_NOT_FOUND',
  'AB_DATA_FILE_EMPTY',
  'AB_DATA_FILE_TRUNCATED',
  'AB_DATA_FILE_UNSUPPORTED',
  'AB_DATA_ROW_JSON',
  'AB_DATA_ROW_NOT_OBJECT',
  'AB_DATA_INVALID_UTF8',
  'AB_DATA_FORMAT_UNKNOWN',
  'AB_DATA_FORMAT_MISMATCH',
  'AB_DATA_CONVERSION_LOSSY',
  'AB_DATA_CONTRACT_INVALID',
  'AB_DATA_CONTRACT_CONFLICT',
  'AB_DATA_FIELD_MISSING',
  'AB_DATA_FIELD_TYPE',
  'AB_DATA_FIELD_UNKNOWN',
  'AB_DATA_FIELD_DEPRECATED',
  'AB_DATA_FIELD_EMPTY',
  'AB_DATA_FIELD_DROPPED',
  'AB_DATA_FIELD_MISPLACED',
  'AB_DATA_FIELD_TRUNCATED',
  'AB_DATA_TOKEN_LIMIT',
  'AB_DATA_UNIQUE',
  'AB_DATA_CHECK_FAILED',
  'AB_DATA_DUPLICATE',
  'AB_DATA_NEAR_DUPLICATE',
  'AB_DATA_CHOSEN_EQUALS_REJECTED',
  'AB_DATA_EMPTY_SIDE',
  'AB_DATA_CHOSEN_PREFIX',
  'AB_DATA_CONTRADICTORY_PREFERENCE',
  'AB_DATA_ROLE_ORDER',
  'AB_DATA_ROLE_UNKNOWN',
  'AB_DATA_EMPTY_TURN',
  'AB_DATA_NO_FINAL_ASSISTANT',
  'AB_DATA_ANSWER_TRUNCATED',
  'AB_DATA_ABRUPT_ENDING',
  'AB_DATA_LANGUAGE',
  'AB_DATA_PII',
  'AB_DATA_CONTROL_CHAR',
  'AB_DATA_SPECIAL_TOKEN',
  'AB_DATA_MOJIBAKE',
  'AB_DATA_TEMPLATE_INVALID',
  'AB_DATA_TOKENIZER_INVALID',
  'AB_DATA_DATASET_NOT_FOUND',
  'AB_DATA_VERSION_NOT_FOUND',
  'AB_DATA_VERSION_NOT_ACCEPTED',
  'AB_DATA_GATE_RULE_INVALID',
] as const;

export type DataErrorCode = (typeof DATA_ERROR_CODES)[number];

/** An expected failure of the data domain: bad file, bad row, bad contract, refused conversion. */
export class DataError extends AlignboardError {
  constructor(
    code: DataErrorCode,
    message: string,
    where: Where = {},
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(code, message, where, opts);
  }
}

/** A contract that does not parse or contradicts a stored version. */
export class ContractError extends DataError {}
