import { Bot, GrammyError, HttpError } from 'grammy';
import type { InlineKeyboardButton, UserFromGetMe } from 'grammy/types';
import { type Logger, silentLogger } from '../common/logger.js';
import { type ChatRateLimit, createChatRateLimiter, TELEGRAM_CHAT_RATE } from './chat-rate-limiter.js';
import { NotifyError } from './errors.js';
import { type NotifyButton, type NotifyMessage, type ParseMode, renderMessage } from './message.js';
import { type RetryDecision, type RetryPolicy, withRetries } from './retry.js';
import { scrubSecrets } from './scrub-secrets.js';
import { splitMessage, TELEGRAM_MESSAGE_LIMIT } from './split-message.js';

export interface TelegramSenderOptions {
  /** The bot token from @BotFather. Never logged, never put in an error message. */
  token: string;
  /** Bot API root without a trailing slash; tests point it at a local fake. */
  apiRoot?: string;
  parseMode?: ParseMode;
  /** Per request; the message names the method and the limit. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  rate?: Partial<ChatRateLimit>;
  /** Part size; Telegram's limit unless a test wants smaller parts. */
  messageLimit?: number;
  log?: Logger;
  /** Skips `getMe` when the bot's identity is known (tests, or a cached value). */
  botInfo?: UserFromGetMe;
}

export interface SentMessage {
  chatId: string;
  /** Telegram message ids, one per part, in order. */
  messageIds: number[];
  parts: number;
}

export interface TelegramSender {
  readonly kind: 'telegram';
  /** The grammY bot, for commands and callback handlers layered on top (papers, issue 7). */
  readonly bot: Bot;
  /** Renders, splits and sends a message; buttons go under the last part. */
  send(
    chatId: number | string,
    message: NotifyMessage,
    opts?: { signal?: AbortSignal },
  ): Promise<SentMessage>;
  /** Sends already formatted text in the sender's parse mode, split as needed. */
  sendText(
    chatId: number | string,
    text: string,
    opts?: { buttons?: NotifyButton[][]; signal?: AbortSignal },
  ): Promise<SentMessage>;
}

function keyboard(
  buttons: NotifyButton[][] | undefined,
): { inline_keyboard: InlineKeyboardButton[][] } | undefined {
  if (!buttons?.length) return undefined;
  return {
    inline_keyboard: buttons.map((row) =>
      row.map(
        (b): InlineKeyboardButton =>
          b.url ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.data ?? b.text },
      ),
    ),
  };
}

/**
 * Sends Telegram messages through grammY: HTML (or MarkdownV2) parse mode with escaping done by
 * the renderer, parts split under 4096 characters on paragraph boundaries, per-chat pacing
 * (≈1/s, 20/min in groups), and retries of network errors, 5xx and 429 (waiting its
 * `retry_after`). A 4xx other than 429 fails at once with the API's description.
 */
export function createTelegramSender(opts: TelegramSenderOptions): TelegramSender {
  if (!opts.token || /\s/.test(opts.token)) {
    throw new NotifyError('AB_NOTIFY_CONFIG_INVALID', 'the Telegram bot token is empty or contains spaces', {
      where: { field: 'token' },
    });
  }
  if (opts.apiRoot?.endsWith('/')) {
    throw new NotifyError(
      'AB_NOTIFY_CONFIG_INVALID',
      `apiRoot must not end with "/": use ${JSON.stringify(opts.apiRoot.replace(/\/+$/, ''))}`,
      { where: { field: 'apiRoot' } },
    );
  }
  const log = (opts.log ?? silentLogger).child({ channel: 'telegram' });
  const parseMode = opts.parseMode ?? 'HTML';
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const secrets = [opts.token];
  const bot = new Bot(opts.token, {
    client: {
      ...(opts.apiRoot !== undefined && { apiRoot: opts.apiRoot }),
      timeoutSeconds: Math.ceil(timeoutMs / 1000),
      // grammY then leaves the request URL (which holds the token) out of its error messages.
      sensitiveLogs: false,
    },
    ...(opts.botInfo && { botInfo: opts.botInfo }),
  });
  const limiter = createChatRateLimiter({ ...TELEGRAM_CHAT_RATE, ...opts.rate });

  function classify(method: string, chatId: string) {
    return (err: unknown, attempt: number): RetryDecision => {
      if (err instanceof GrammyError) {
        const remote = { status: err.error_code, description: scrubSecrets(err.description, secrets) };
        const retryable = err.error_code === 429 || err.error_code >= 500;
        const error = new NotifyError(
          'AB_NOTIFY_TELEGRAM_REJECTED',
          `Telegram ${method} to chat ${chatId} failed after ${attempt} attempt(s): ${remote.status} ${remote.description}`,
          { remote, attempts: attempt },
        );
        if (!retryable) return { retry: false, error };
        const after = err.parameters.retry_after;
        return { retry: true, error, ...(after !== undefined && { afterMs: after * 1000 }) };
      }
      const reason =
        err instanceof HttpError ? err.message : err instanceof Error ? err.message : String(err);
      // No cause: grammY's HttpError keeps the fetch error, whose message quotes the URL with the token.
      const error = new NotifyError(
        'AB_NOTIFY_UNREACHABLE',
        `Telegram ${method} to chat ${chatId} got no answer after ${attempt} attempt(s) (${scrubSecrets(reason, secrets)})`,
        { attempts: attempt },
      );
      return { retry: true, error };
    };
  }

  async function sendPart(
    chatId: string,
    text: string,
    markup: ReturnType<typeof keyboard>,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const message = await withRetries(
      async () => {
        await limiter.acquire(chatId, signal);
        const timeout = AbortSignal.timeout(timeoutMs);
        try {
          return await bot.api.sendMessage(
            chatId,
            text,
            {
              parse_mode: parseMode,
              link_preview_options: { is_disabled: true },
              ...(markup && { reply_markup: markup }),
            },
            // grammY types its signal with the abort-controller polyfill; Node's AbortSignal is what it uses at runtime.
            (signal ? AbortSignal.any([signal, timeout]) : timeout) as Parameters<
              typeof bot.api.sendMessage
            >[3],
          );
        } finally {
          limiter.release(chatId);
        }
      },
      classify('sendMessage', chatId),
      {
        policy: opts.retry,
        signal,
        onRetry: ({ attempt, waitMs, error }) =>
          log.warn({ chatId, attempt, waitMs, reason: (error as Error).message }, 'telegram send retry'),
        onTooLong: ({ waitMs, error }) =>
          new NotifyError(
            'AB_NOTIFY_RETRY_TOO_LONG',
            `Telegram asked to wait ${Math.round(waitMs / 1000)} s before sending to chat ${chatId}, more than allowed (${(error as Error).message})`,
            { remote: error instanceof NotifyError ? error.remote : {} },
          ),
      },
    );
    return message.message_id;
  }

  async function sendText(
    chatId: number | string,
    text: string,
    o: { buttons?: NotifyButton[][]; signal?: AbortSignal } = {},
  ): Promise<SentMessage> {
    const id = String(chatId);
    const parts = splitMessage(text, {
      limit: opts.messageLimit ?? TELEGRAM_MESSAGE_LIMIT,
      format: parseMode,
    });
    const messageIds: number[] = [];
    for (const [i, part] of parts.entries()) {
      const markup = i === parts.length - 1 ? keyboard(o.buttons) : undefined;
      messageIds.push(await sendPart(id, part, markup, o.signal));
    }
    log.info({ chatId: id, parts: parts.length }, 'telegram message sent');
    return { chatId: id, messageIds, parts: parts.length };
  }

  return {
    kind: 'telegram',
    bot,
    sendText,
    async send(chatId, message, o = {}) {
      const format = parseMode === 'HTML' ? 'html' : 'markdownv2';
      return sendText(chatId, renderMessage(message, format), {
        ...(message.buttons && { buttons: message.buttons }),
        ...o,
      });
    },
  };
}
