import { excerpt } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { type RetryDecision, type RetryPolicy, withRetries } from '../notify/index.js';
import { PapersError } from './errors.js';
import type { RateGate } from './rate-gate.js';

export const USER_AGENT = 'alignboard-papers/0.1 (+https://github.com/alignboard)';

class HttpStatus extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

export interface FetchTextOptions {
  /** What is being fetched, for messages: "arXiv cs.CL feed". */
  what: string;
  timeoutMs: number;
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
  gate?: RateGate;
  signal?: AbortSignal;
  log: Logger;
}

/**
 * GETs `url` and returns its body: a timeout per request, a User-Agent, the rate gate when given,
 * and retries of network errors, 5xx and 429 only. Failures are `AB_PAPERS_SOURCE_REJECTED`
 * (the source answered, status and body excerpt kept) or `AB_PAPERS_SOURCE_UNREACHABLE`.
 */
export async function fetchText(url: string, opts: FetchTextOptions): Promise<string> {
  const classify = (err: unknown, attempt: number): RetryDecision => {
    if (err instanceof HttpStatus) {
      const error = new PapersError(
        'AB_PAPERS_SOURCE_REJECTED',
        `${opts.what} answered HTTP ${err.status} after ${attempt} attempt(s): ${excerpt(err.body, 160)}`,
        { file: url },
      );
      const retryable = err.status === 429 || err.status >= 500;
      return retryable
        ? { retry: true, error, ...(err.retryAfterMs !== undefined && { afterMs: err.retryAfterMs }) }
        : { retry: false, error };
    }
    const reason =
      err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return {
      retry: true,
      error: new PapersError(
        'AB_PAPERS_SOURCE_UNREACHABLE',
        `${opts.what} did not answer after ${attempt} attempt(s): ${reason}`,
        { file: url },
      ),
    };
  };
  const once = async (): Promise<string> => {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    try {
      const res = await fetch(url, {
        headers: { 'user-agent': opts.userAgent ?? USER_AGENT, accept: '*/*' },
        signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      });
      const body = await res.text();
      if (!res.ok) {
        const ra = Number(res.headers.get('retry-after'));
        throw new HttpStatus(res.status, body, Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined);
      }
      return body;
    } catch (err) {
      if (timeout.aborted && !opts.signal?.aborted) throw new Error(`timed out after ${opts.timeoutMs} ms`);
      throw err;
    }
  };
  return withRetries(() => (opts.gate ? opts.gate.run(once, opts.signal) : once()), classify, {
    policy: { maxRetries: 2, baseMs: 1000, capMs: 10_000, ...opts.retry },
    ...(opts.signal && { signal: opts.signal }),
    onRetry: ({ attempt, waitMs, error }) =>
      opts.log.warn({ what: opts.what, attempt, waitMs, reason: (error as Error).message }, 'source retry'),
  });
}
