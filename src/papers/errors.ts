import { AlignboardError, type Where } from '../common/errors.js';

/**
 * Every code papers throws. `docs/errors.md` lists each with its cause and fix. A source that
 * answered with an error is "rejected" (status and body excerpt kept); one that did not answer is
 * "unreachable". Inside a digest run these become the digest's listed problems, not a crash.
 */
export const PAPERS_ERROR_CODES = {
  AB_PAPERS_CONFIG_INVALID: 400,
  AB_PAPERS_FEED_INVALID: 502,
  AB_PAPERS_SOURCE_REJECTED: 502,
  AB_PAPERS_SOURCE_UNREACHABLE: 502,
  AB_PAPERS_SUMMARY_FAILED: 502,
  AB_PAPERS_NOT_FOUND: 404,
  AB_PAPERS_DELIVERY_FAILED: 502,
} as const;

export type PapersErrorCode = keyof typeof PAPERS_ERROR_CODES;

export class PapersError extends AlignboardError {
  declare readonly code: PapersErrorCode;
  constructor(code: PapersErrorCode, message: string, where: Where = {}, opts: { cause?: unknown } = {}) {
    super(code, message, where, { status: PAPERS_ERROR_CODES[code], cause: opts.cause });
  }
}
