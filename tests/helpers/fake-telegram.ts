import Fastify, { type FastifyInstance } from 'fastify';
import type { UserFromGetMe } from 'grammy/types';
import { onTestFinished } from 'vitest';

/**
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) for grammY pointed at
 * it with `client: { apiRoot }`. It speaks the real wire format (`POST /bot<token>/<method>`,
 * `{ ok, result }` or `{ ok: false, error_code, description, parameters }`), checks the token,
 * parses HTML and MarkdownV2 the way Telegram documents (unknown or unbalanced tags, a bare `<`,
 * `>` or `&`, and unescaped MarkdownV2 reserved characters are 400 "can't parse entities"),
 * refuses texts over 4096 characters after parsing, and records what a chat would show.
 */

export interface FakeMessage {
  message_id: number;
  chat_id: string;
  /** The text as a user sees it (entities parsed). */
  text: string;
  /** The raw text as sent. */
  raw: string;
  parse_mode?: string;
  reply_markup?: unknown;
  at: number;
}

export interface FakeCall {
  method: string;
  token: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeTelegram {
  apiRoot: string;
  token: string;
  calls: FakeCall[];
  messages: FakeMessage[];
  /** Messages sent to one chat, in order. */
  chat(chatId: number | string): FakeMessage[];
  /** The next `times` calls of `method` answer this error instead. */
  failNext(
    method: string,
    error: { error_code: number; description: string; parameters?: { retry_after?: number } },
    times?: number,
  ): void;
  /** The `n`-th call (1-based, counting all calls of `method`) answers this error instead. */
  failOn(method: string, n: number, error: { error_code: number; description: string }): void;
  app: FastifyInstance;
}

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'span',
  'tg-spoiler',
  'blockquote',
  'tg-emoji',
]);
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Telegram's HTML mode: returns the visible text or throws the API's description. */
export function parseTelegramHtml(raw: string): string {
  let out = '';
  const stack: string[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i] as string;
    if (c === '<') {
      const m = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/.exec(raw.slice(i, i + 500));
      if (!m || !HTML_TAGS.has(m[2] as string)) {
        throw new Error(`Bad Request: can't parse entities: Unsupported start tag at byte offset ${i}`);
      }
      if (m[1]) {
        if (stack.pop() !== m[2]) {
          throw new Error(
            `Bad Request: can't parse entities: Unmatched end tag at byte offset ${i}, expected "</${stack.at(-1) ?? ''}>"`,
          );
        }
      } else stack.push(m[2] as string);
      i += m[0].length;
      continue;
    }
    if (c === '&') {
      const m = /^&(#\d+|#x[0-9a-fA-F]+|[a-z]+);/.exec(raw.slice(i, i + 20));
      if (!m)
        throw new Error(
          `Bad Request: can't parse entities: Character '&' at byte offset ${i} must be escaped`,
        );
      const name = m[1] as string;
      const ch = name.startsWith('#x')
        ? String.fromCodePoint(Number.parseInt(name.slice(2), 16))
        : name.startsWith('#')
          ? String.fromCodePoint(Number(name.slice(1)))
          : ENTITIES[name];
      if (ch === undefined)
        throw new Error(`Bad Request: can't parse entities: Unknown HTML entity &${name};`);
      out += ch;
      i += m[0].length;
      continue;
    }
    if (c === '>')
      throw new Error(`Bad Request: can't parse entities: Character '>' at byte offset ${i} must be escaped`);
    out += c;
    i++;
  }
  if (stack.length)
    throw new Error(
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack.at(-1)}"`,
    );
  return out;
}

/** Telegram's MarkdownV2: returns the visible text or throws the API's description. */
export function parseTelegramMarkdownV2(raw: string): string {
  let out = '';
  const open: string[] = [];
  let i = 0;
  const reserved = '_*[]()~`>#+-=|{}.!';
  while (i < raw.length) {
    const c = raw[i] as string;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === undefined) throw new Error("Bad Request: can't parse entities: trailing '\\'");
      out += next;
      i += 2;
      continue;
    }
    const link = /^\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\\])*)\)/.exec(raw.slice(i, i + 2000));
    if (link) {
      out += parseTelegramMarkdownV2(link[1] as string);
      i += link[0].length;
      continue;
    }
    const marker = ['```', '__', '||', '*', '_', '~', '`'].find((m) => raw.startsWith(m, i));
    if (marker === '`' || marker === '```') {
      // Inside code only ` and \ are escaped; everything else is literal.
      let j = i + marker.length;
      for (; j < raw.length && !raw.startsWith(marker, j); j++) {
        if (raw[j] === '\\') j++;
        out += raw[j] ?? '';
      }
      if (j >= raw.length)
        throw new Error(`Bad Request: can't parse entities: Can't find end of ${marker} entity`);
      i = j + marker.length;
      continue;
    }
    if (marker) {
      if (open.at(-1) === marker) open.pop();
      else open.push(marker);
      i += marker.length;
      continue;
    }
    if (reserved.includes(c)) {
      throw new Error(
        `Bad Request: can't parse entities: Character '${c}' is reserved and must be escaped with the preceding '\\'`,
      );
    }
    out += c;
    i++;
  }
  if (open.length)
    throw new Error(`Bad Request: can't parse entities: Can't find end of ${open.at(-1)} entity`);
  return out;
}

export async function startFakeTelegram(opts: { token?: string } = {}): Promise<FakeTelegram> {
  const token = opts.token ?? '123456:TEST-fake-token';
  const app = Fastify({ logger: false });
  const calls: FakeCall[] = [];
  const messages: FakeMessage[] = [];
  const failures: { method: string; error: Parameters<FakeTelegram['failNext']>[1] }[] = [];
  const failAt: { method: string; n: number; error: { error_code: number; description: string } }[] = [];
  let nextId = 1;

  app.post<{ Params: { bot: string; method: string }; Body: Record<string, unknown> }>(
    '/:bot/:method',
    async (req, reply) => {
      const given = req.params.bot.replace(/^bot/, '');
      const body = req.body ?? {};
      const method = req.params.method;
      calls.push({ method, token: given, body, at: Date.now() });
      if (given !== token)
        return reply.status(401).send({ ok: false, error_code: 401, description: 'Unauthorized' });
      const nth = calls.filter((c) => c.method === method).length;
      const planned = failAt.find((f) => f.method === method && f.n === nth);
      if (planned) return reply.status(planned.error.error_code).send({ ok: false, ...planned.error });
      const fail = failures.findIndex((f) => f.method === method);
      if (fail >= 0) {
        const [{ error }] = failures.splice(fail, 1) as [(typeof failures)[number]];
        return reply.status(error.error_code).send({ ok: false, ...error });
      }
      switch (method) {
        case 'getMe':
          return { ok: true, result: { id: 1, is_bot: true, first_name: 'Fake', username: 'fake_bot' } };
        case 'sendMessage': {
          const raw = String(body.text ?? '');
          let text: string;
          try {
            text =
              body.parse_mode === 'HTML'
                ? parseTelegramHtml(raw)
                : body.parse_mode === 'MarkdownV2'
                  ? parseTelegramMarkdownV2(raw)
                  : raw;
          } catch (err) {
            return reply
              .status(400)
              .send({ ok: false, error_code: 400, description: (err as Error).message });
          }
          if (text.length === 0)
            return reply
              .status(400)
              .send({ ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
          if (text.length > 4096)
            return reply
              .status(400)
              .send({ ok: false, error_code: 400, description: 'Bad Request: message is too long' });
          const message: FakeMessage = {
            message_id: nextId++,
            chat_id: String(body.chat_id),
            text,
            raw,
            ...(typeof body.parse_mode === 'string' && { parse_mode: body.parse_mode }),
            ...(body.reply_markup !== undefined && { reply_markup: body.reply_markup }),
            at: Date.now(),
          };
          messages.push(message);
          const id = Number(body.chat_id);
          return {
            ok: true,
            result: {
              message_id: message.message_id,
              date: Math.floor(Date.now() / 1000),
              chat: { id, type: id < 0 ? 'supergroup' : 'private' },
              text,
            },
          };
        }
        case 'answerCallbackQuery':
          return { ok: true, result: true };
        default:
          return reply
            .status(404)
            .send({ ok: false, error_code: 404, description: 'Not Found: method not found' });
      }
    },
  );
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return {
    apiRoot: base,
    token,
    calls,
    messages,
    chat: (chatId) => messages.filter((m) => m.chat_id === String(chatId)),
    failNext(method, error, times = 1) {
      for (let k = 0; k < times; k++) failures.push({ method, error });
    },
    failOn(method, n, error) {
      failAt.push({ method, n, error });
    },
    app,
  };
}

/** The identity grammY gets from `getMe`, so tests can skip `bot.init()`. */
export const FAKE_BOT_INFO: UserFromGetMe = {
  id: 1,
  is_bot: true,
  first_name: 'Fake',
  username: 'fake_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};
