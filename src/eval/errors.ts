import { AlignboardError, type Where } from '../common/errors.js';

/** (Not `EvalError`: that name is a JS global.) An expected evaluation failure: a bad task, a missing capability, runs that cannot be compared. */
export class EvaluationError extends AlignboardError {}

/**
 * The endpoint answered, with an error status or a body we cannot use. Carries the status, an
 * excerpt of the body and the request id; never the API key or the Authorization header.
 */
export class EndpointError extends AlignboardError {
  constructor(
    code: string,
    message: string,
    readonly detail: { httpStatus?: number; bodyExcerpt?: string; requestId?: string; retryAfterMs?: number },
    where: Where = {},
    opts: { cause?: unknown } = {},
  ) {
    super(code, message, where, { status: 502, cause: opts.cause });
  }

  /** 429 and 5xx may succeed on a retry; other statuses will not. A malformed body may. */
  get isRetryable(): boolean {
    const s = this.detail.httpStatus;
    return s === undefined || s === 429 || s === 408 || s >= 500;
  }
}

/** No answer came back: connection refused, reset, DNS, or the per-request timeout. */
export class NetworkError extends AlignboardError {
  constructor(code: string, message: string, where: Where = {}, opts: { cause?: unknown } = {}) {
    super(code, message, where, { status: 502, cause: opts.cause });
  }
  readonly isRetryable = true;
}
