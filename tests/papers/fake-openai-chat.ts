import Fastify from 'fastify';
import { onTestFinished } from 'vitest';

/**
 * A protocol-level fake of an OpenAI-compatible server (`POST /v1/chat/completions`,
 * `POST /v1/embeddings`) for tests that need a chosen answer: the content of a tiny model's
 * output is meaningless, so language checks and failures are driven from here, through the real
 * `openai` client. `reply` sees the request's messages and returns the content, or a status.
 */
export async function startFakeOpenAi(opts: {
  reply: (messages: { role: string; content: string }[], call: number) => string | { status: number };
  embed?: (text: string) => number[];
}) {
  const app = Fastify({ logger: false });
  const calls: { messages: { role: string; content: string }[] }[] = [];
  app.post('/v1/chat/completions', async (req, reply) => {
    const body = req.body as { model: string; messages: { role: string; content: string }[] };
    calls.push({ messages: body.messages });
    const out = opts.reply(body.messages, calls.length);
    if (typeof out !== 'string') {
      return reply.status(out.status).send({
        error: { message: `fixture error ${out.status}`, type: 'server_error', param: null, code: null },
      });
    }
    return {
      id: `chatcmpl-${calls.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        { index: 0, message: { role: 'assistant', content: out }, finish_reason: 'stop', logprobs: null },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 },
    };
  });
  app.post('/v1/embeddings', async (req) => {
    const body = req.body as { model: string; input: string[] };
    const embed = opts.embed ?? (() => [1, 0, 0]);
    return {
      object: 'list',
      model: body.model,
      data: body.input.map((t, index) => ({ object: 'embedding', index, embedding: embed(t) })),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { baseURL: `${base}/v1`, calls };
}
