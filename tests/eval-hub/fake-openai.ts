import Fastify from 'fastify';
import { onTestFinished } from 'vitest';

/**
 * A minimal OpenAI-compatible server (models + completions) whose answer is computed from the
 * prompt; `hold` makes completions for eval prompts wait until `release()` (to stop a run mid-way).
 */
export async function startFakeOpenAI(
  answer: (prompt: string) => string,
  opts: { answerFirst?: number } = {},
) {
  const app = Fastify();
  let answered = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [{ id: 'fake', object: 'model', created: 0, owned_by: 'x' }],
  }));
  app.post('/v1/completions', async (req) => {
    const prompt = String((req.body as { prompt?: unknown }).prompt ?? '');
    const isEval = prompt.startsWith('Q:');
    if (isEval && opts.answerFirst !== undefined && answered >= opts.answerFirst) await gate;
    if (isEval) answered++;
    return {
      id: `cmpl-${answered}`,
      object: 'text_completion',
      created: 0,
      model: 'fake',
      choices: [{ index: 0, text: answer(prompt), finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(async () => {
    release();
    await app.close();
  });
  return { baseUrl: `${base}/v1`, answered: () => answered, release: () => release() };
}
