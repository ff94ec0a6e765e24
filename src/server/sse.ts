import type { FastifyReply } from 'fastify';
import { AlignboardError } from '../common/errors.js';

export interface SseOptions {
  /** Comment line sent while idle so proxies keep the connection open. */
  heartbeatMs?: number;
  /** Event name for each item; defaults to the item's `type` field when it has one. */
  eventName?: (item: unknown) => string | undefined;
}

function defaultEventName(item: unknown): string | undefined {
  if (item && typeof item === 'object' && 'type' in item && typeof item.type === 'string') return item.type;
  return undefined;
}

/**
 * Streams an async iterable of progress events as server-sent events. The same event stream
 * feeds the CLI's progress bars; this only frames it. Stops pulling from the source when the
 * client disconnects, and closes the source (its `finally` blocks run).
 */
export async function sendEvents(
  reply: FastifyReply,
  events: AsyncIterable<unknown>,
  opts: SseOptions = {},
): Promise<void> {
  const { heartbeatMs = 15_000, eventName = defaultEventName } = opts;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  const iterator = events[Symbol.asyncIterator]();
  const onClose = () => {
    closed = true;
    // Ends the generator so it releases what it holds; the client is gone.
    void iterator.return?.(undefined).catch(() => undefined);
  };
  res.on('close', onClose);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  let id = 0;
  try {
    while (!closed) {
      const next = await iterator.next();
      if (next.done || closed) break;
      const name = eventName(next.value);
      const lines = [`id: ${id++}`];
      if (name) lines.push(`event: ${name}`);
      for (const line of JSON.stringify(next.value).split('\n')) lines.push(`data: ${line}`);
      res.write(`${lines.join('\n')}\n\n`);
    }
  } catch (err) {
    if (!closed) {
      // Expected failures keep their code and location; bugs become a bare internal error.
      const body =
        err instanceof AlignboardError
          ? { code: err.code, message: err.message, where: err.where }
          : { code: 'AB_INTERNAL', message: 'internal error', where: {} };
      reply.log.error({ err }, 'event stream failed');
      res.write(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
    }
  } finally {
    clearInterval(heartbeat);
    res.off('close', onClose);
    if (!res.writableEnded) res.end();
  }
}
