import Fastify, { type FastifyInstance } from 'fastify';
import { sleep } from '../../src/common/async.js';

export interface LatencyServerOptions {
  /** Requests decoded at once; more wait in a queue (vLLM's behaviour) or get 429 when `rejectOverflow`. */
  concurrency: number;
  /** Milliseconds per generated token of one request (all its `n` choices decode together). */
  perTokenMs: number;
  rejectOverflow?: boolean;
}

/**
 * An OpenAI-compatible `/v1/completions` server with a fixed per-token latency and a
 * concurrency ceiling: the model of a generation server that the online generator is
 * benchmarked and tested against. Its limit is `concurrency * n * 1000 / perTokenMs` tokens/s.
 */
export async function startLatencyServer(
  opts: LatencyServerOptions,
): Promise<{ app: FastifyInstance; baseURL: string; stats: { maxActive: number; rejected: number } }> {
  const app = Fastify();
  let active = 0;
  const waiting: (() => void)[] = [];
  const stats = { maxActive: 0, rejected: 0 };
  app.post('/v1/completions', async (req, reply) => {
    const body = req.body as { model: string; prompt: string; n?: number; max_tokens?: number };
    const n = body.n ?? 1;
    const tokens = body.max_tokens ?? 16;
    if (active >= opts.concurrency) {
      if (opts.rejectOverflow) {
        stats.rejected++;
        return reply
          .status(429)
          .header('retry-after', '0')
          .send({ error: { message: 'server busy', type: 'rate_limit', code: 429 } });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    active++;
    stats.maxActive = Math.max(stats.maxActive, active);
    try {
      await sleep(tokens * opts.perTokenMs);
    } finally {
      active--;
      waiting.shift()?.();
    }
    return {
      id: `cmpl-${Date.now()}`,
      object: 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        text: ' ok'.repeat(tokens),
        finish_reason: 'length',
        logprobs: null,
      })),
      usage: { prompt_tokens: 4, completion_tokens: n * tokens, total_tokens: 4 + n * tokens },
    };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, baseURL: `${address}/v1`, stats };
}
