import { sleep } from './async.js';
import { AlignboardError, excerpt, type Where } from './errors.js';

/**
 * The remote answered, with an error status or a body we cannot use. Carries the status, an
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

  /** 408, 429 and 5xx may succeed on a retry, and so may a malformed body (no `httpStatus`); other statuses will not. */
  get isRetryable(): boolean {
    const s = this.detail.httpStatus;
    return s === undefined || s === 408 || s === 429 || s >= 500;
  }
}

/** No answer came back: connection refused or reset, DNS, or the per-request timeout. */
export class NetworkError extends AlignboardError {
  readonly isRetryable = true;
  constructor(code: string, message: string, where: Where = {}, opts: { cause?: unknown } = {}) {
    super(code, message, where, { status: 502, cause: opts.cause });
  }
}

export interface RequestJsonOptions {
  /** Names the call in messages, e.g. "Ray submit job". */
  operation: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Attempts after the first, for network errors, 408, 429 and 5xx only. */
  retries?: number;
  signal?: AbortSignal;
  /** Codes for the two failure classes, so each domain keeps its own. */
  codes?: { http: string; network: string };
}

const DEFAULT_CODES = { http: 'AB_REMOTE_HTTP', network: 'AB_REMOTE_UNREACHABLE' };

/** Milliseconds to wait from a `Retry-After` header (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * One JSON request to a remote with a timeout, an abort signal, and retries with capped
 * exponential backoff for what can succeed on a retry (waiting out `Retry-After` on 429).
 * The URL is never put in messages in full: only its origin and path, without the query.
 */
export async function requestJson(url: string, opts: RequestJsonOptions): Promise<unknown> {
  const { operation, method = 'GET', timeoutMs = 30_000, retries = 2, signal } = opts;
  const codes = opts.codes ?? DEFAULT_CODES;
  const u = new URL(url);
  const shown = `${u.origin}${u.pathname}`;
  for (let attempt = 0; ; attempt++) {
    try {
      return await requestOnce();
    } catch (err) {
      const retryable = (err instanceof EndpointError || err instanceof NetworkError) && err.isRetryable;
      if (!retryable || attempt >= retries || signal?.aborted) throw err;
      const hinted = err instanceof EndpointError ? err.detail.retryAfterMs : undefined;
      await sleep(Math.min(hinted ?? 250 * 2 ** attempt, 30_000), signal);
    }
  }

  async function requestOnce(): Promise<unknown> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(opts.body !== undefined && { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      const why = timeout.aborted ? `no answer within ${timeoutMs} ms` : (err as Error).message;
      throw new NetworkError(
        codes.network,
        `${operation}: cannot reach ${shown} (${why})`,
        {},
        { cause: err },
      );
    }
    const text = await res.text();
    const requestId = res.headers.get('x-request-id') ?? undefined;
    if (!res.ok) {
      throw new EndpointError(
        codes.http,
        `${operation}: ${shown} answered ${res.status}: ${excerpt(text, 200)}`,
        {
          httpStatus: res.status,
          bodyExcerpt: excerpt(text, 500),
          requestId,
          retryAfterMs: parseRetryAfterMs(res.headers.get('retry-after')),
        },
      );
    }
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new EndpointError(
        codes.http,
        `${operation}: ${shown} answered ${res.status} with non-JSON: ${excerpt(text, 200)}`,
        {
          // No httpStatus: a malformed body from a flaky server may be whole on a retry.
          bodyExcerpt: excerpt(text, 500),
          requestId,
        },
        {},
        { cause: err },
      );
    }
  }
}
