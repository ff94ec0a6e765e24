import { sleep } from '../common/async.js';

/**
 * Telegram's per-chat limits: about one message per second in a chat, and at most 20 messages
 * a minute in a group (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
 * Tests shrink both so they run fast.
 */
export interface ChatRateLimit {
  minIntervalMs: number;
  groupPerMinute: number;
  /** The window `groupPerMinute` counts over; 60 s in production. */
  windowMs: number;
}

export const TELEGRAM_CHAT_RATE: ChatRateLimit = {
  minIntervalMs: 1000,
  groupPerMinute: 20,
  windowMs: 60_000,
};

/** Group and channel chat ids are negative; private chats are positive user ids. */
export function isGroupChat(chatId: number | string): boolean {
  return String(chatId).startsWith('-') || String(chatId).startsWith('@');
}

/**
 * Waits until one more message to `chatId` keeps within the limits, then reserves its slot.
 * Callers for one chat are served in order (each reservation chains on the previous one).
 */
export function createChatRateLimiter(limit: ChatRateLimit, now: () => number = Date.now) {
  const sent = new Map<string, number[]>();
  const queue = new Map<string, Promise<void>>();

  async function reserve(key: string, group: boolean, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const t = now();
      const times = (sent.get(key) ?? []).filter((x) => x > t - limit.windowMs);
      const last = times.at(-1);
      let wait = last === undefined ? 0 : last + limit.minIntervalMs - t;
      if (group && times.length >= limit.groupPerMinute) {
        const oldest = times[times.length - limit.groupPerMinute] as number;
        wait = Math.max(wait, oldest + limit.windowMs - t);
      }
      if (wait <= 0) {
        times.push(t);
        sent.set(key, times);
        return;
      }
      await sleep(wait, signal);
    }
  }

  return {
    /** Resolves when a message may be sent to `chatId` now. */
    async acquire(chatId: number | string, signal?: AbortSignal): Promise<void> {
      const key = String(chatId);
      const previous = queue.get(key) ?? Promise.resolve();
      const mine = previous.then(() => reserve(key, isGroupChat(chatId), signal));
      // The chain must survive a rejected (aborted) waiter, so later callers still run.
      queue.set(
        key,
        mine.catch(() => undefined),
      );
      await mine;
    },
    /**
     * Marks the message to `chatId` as answered: the next one is spaced from now, not from when
     * this one started, so a slow request cannot bunch two messages together at Telegram's end.
     */
    release(chatId: number | string): void {
      const times = sent.get(String(chatId));
      if (times?.length) times[times.length - 1] = now();
    },
  };
}

export type ChatRateLimiter = ReturnType<typeof createChatRateLimiter>;
