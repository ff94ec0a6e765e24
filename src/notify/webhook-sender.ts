import { createHmac } from 'node:crypto';
import { excerpt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import { NotifyError } from './errors.js';
import { messageText, type NotifyMessage, renderMessage } from './message.js';
import { type RetryDecision, type RetryPolicy, withRetries } from './retry.js';
import { scrubSecrets } from './scrub-secrets.js';
import { splitMessage } from './split-message.js';

export interface WebhookSenderOptions {
  /** The receiver. A Slack incoming-webhook URL is itself a secret: only its origin is ever printed. */
  url: string;
  /** `json`: a generic event body signed with HMAC; `slack`: Slack incoming-webhook `{ text }`. */
  format: 'json' | 'slack';
  /** HMAC-SHA256 key for `json`; the receiver checks `x-alignboard-signature`. */
  secret?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
  /** Clock for the signature timestamp (tests). */
  now?: () => number;
}

export interface WebhookReceipt {
  target: string;
  parts: number;
  status: number;
}

export interface WebhookSender {
  readonly kind: 'webhook' | 'slack';
  /** The receiver's origin, safe to print and store. */
  readonly target: string;
  send(
    message: NotifyMessage,
    opts?: { event?: string; data?: Record<string, unknown>; signal?: AbortSignal },
  ): Promise<WebhookReceipt>;
}

/** Slack shows up to 40,000 characters but recommends staying under 4,000 per message. */
const SLACK_LIMIT = 3900;

/**
 * The signature a receiver recomputes: `sha256=` + hex HMAC of `<timestamp>.<raw body>`,
 * with the timestamp sent in `x-alignboard-timestamp` so old requests can be refused.
 */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

class RemoteStatus extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Posts messages to a generic webhook (JSON, HMAC-signed) or a Slack incoming webhook, with a
 * timeout per request and retries of network errors, 5xx and 429 (honouring `Retry-After`).
 */
export function createWebhookSender(opts: WebhookSenderOptions): WebhookSender {
  let origin: string;
  try {
    const u = new URL(opts.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    origin = u.origin;
  } catch {
    throw new NotifyError('AB_NOTIFY_CONFIG_INVALID', 'the webhook URL is not a valid http(s) URL', {
      where: { field: 'url' },
    });
  }
  const kind = opts.format === 'slack' ? 'slack' : 'webhook';
  const log = (opts.log ?? silentLogger).child({ channel: kind, target: origin });
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const now = opts.now ?? Date.now;
  const secrets = [opts.url, new URL(opts.url).pathname, new URL(opts.url).search, opts.secret];

  function classify(err: unknown, attempt: number): RetryDecision {
    if (err instanceof RemoteStatus) {
      const remote = { status: err.status, description: scrubSecrets(excerpt(err.body, 200), secrets) };
      const error = new NotifyError(
        'AB_NOTIFY_WEBHOOK_REJECTED',
        `${kind} ${origin} answered ${err.status} after ${attempt} attempt(s): ${remote.description}`,
        { remote, attempts: attempt },
      );
      const retryable = err.status === 429 || err.status >= 500;
      return retryable
        ? { retry: true, error, ...(err.retryAfterMs !== undefined && { afterMs: err.retryAfterMs }) }
        : { retry: false, error };
    }
    const reason =
      err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    const error = new NotifyError(
      'AB_NOTIFY_UNREACHABLE',
      `${kind} ${origin} got no answer after ${attempt} attempt(s) (${scrubSecrets(reason, secrets)})`,
      { attempts: attempt },
    );
    return { retry: true, error };
  }

  async function post(body: string, signal: AbortSignal | undefined): Promise<number> {
    return withRetries(
      async () => {
        const timestamp = String(Math.floor(now() / 1000));
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'user-agent': 'alignboard-notify',
        };
        if (opts.format === 'json' && opts.secret) {
          headers['x-alignboard-timestamp'] = timestamp;
          headers['x-alignboard-signature'] = signWebhookBody(opts.secret, timestamp, body);
        }
        const timeout = AbortSignal.timeout(timeoutMs);
        let res: Response;
        try {
          res = await fetch(opts.url, {
            method: 'POST',
            headers,
            body,
            signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          });
        } catch (err) {
          if (timeout.aborted && !signal?.aborted) {
            throw new Error(`POST timed out after ${timeoutMs} ms`);
          }
          throw err;
        }
        const text = await res.text();
        if (!res.ok) throw new RemoteStatus(res.status, text, retryAfterMs(res.headers.get('retry-after')));
        return res.status;
      },
      classify,
      {
        policy: opts.retry,
        signal,
        onRetry: ({ attempt, waitMs, error }) =>
          log.warn({ attempt, waitMs, reason: (error as Error).message }, 'webhook send retry'),
        onTooLong: ({ waitMs, error }) =>
          new NotifyError(
            'AB_NOTIFY_RETRY_TOO_LONG',
            `${kind} ${origin} asked to wait ${Math.round(waitMs / 1000)} s, more than allowed (${(error as Error).message})`,
          ),
      },
    );
  }

  return {
    kind,
    target: origin,
    async send(message, o = {}) {
      let status = 0;
      if (opts.format === 'slack') {
        const parts = splitMessage(renderMessage(message, 'slack'), { limit: SLACK_LIMIT, format: 'plain' });
        for (const text of parts) status = await post(JSON.stringify({ text }), o.signal);
        log.info({ parts: parts.length }, 'slack message sent');
        return { target: origin, parts: parts.length, status };
      }
      const body = JSON.stringify({
        event: o.event ?? 'message',
        text: messageText(message),
        paragraphs: message.paragraphs,
        ...(o.data && { data: o.data }),
        sentAt: new Date(now()).toISOString(),
      });
      status = await post(body, o.signal);
      log.info({ event: o.event ?? 'message' }, 'webhook sent');
      return { target: origin, parts: 1, status };
    },
  };
}
