import { AlignboardError, type Where } from '../common/errors.js';

/**
 * Every code notify throws. `docs/errors.md` lists each with its cause and fix. "Rejected"
 * means the remote answered with an error (status and description kept); "unreachable" means no
 * answer came back. Messages never contain a bot token, a webhook URL or a signing secret.
 */
export const NOTIFY_ERROR_CODES = {
  AB_NOTIFY_CONFIG_INVALID: 400,
  AB_NOTIFY_TELEGRAM_REJECTED: 502,
  AB_NOTIFY_WEBHOOK_REJECTED: 502,
  AB_NOTIFY_UNREACHABLE: 502,
  AB_NOTIFY_RETRY_TOO_LONG: 503,
  AB_NOTIFY_CHANNEL_NOT_FOUND: 404,
  AB_NOTIFY_SECRET_MISSING: 400,
  AB_NOTIFY_DELIVERY_NOT_FOUND: 404,
} as const;

export type NotifyErrorCode = keyof typeof NOTIFY_ERROR_CODES;

/** What the remote answered, when it answered: kept so callers can show and record it. */
export interface RemoteAnswer {
  status?: number;
  /** The remote's own description or a short excerpt of its body. */
  description?: string;
}

/** An expected delivery failure. `attempts` says how many tries were made before giving up. */
export class NotifyError extends AlignboardError {
  declare readonly code: NotifyErrorCode;
  readonly remote: RemoteAnswer;
  readonly attempts: number;
  constructor(
    code: NotifyErrorCode,
    message: string,
    opts: { where?: Where; remote?: RemoteAnswer; attempts?: number; cause?: unknown } = {},
  ) {
    super(code, message, opts.where ?? {}, { status: NOTIFY_ERROR_CODES[code], cause: opts.cause });
    this.remote = opts.remote ?? {};
    this.attempts = opts.attempts ?? 1;
  }
}
