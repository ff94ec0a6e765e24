import Fastify, { type FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import type { ChatMessage } from '../../src/eval/build-samples.js';
import { buildEngineServer } from '../../src/server/engine-api/index.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

/**
 * The embedded engine's OpenAI-compatible server with a tiny random model, on 127.0.0.1 port 0;
 * records the chat requests it gets. Context defaults to 4096 so 5-shot gsm8k prompts fit (judge
 * prompts with a baseline answer need 8192).
 */
export async function startEngine(
  opts: { seed?: number; modelName?: string; contextLength?: number } = {},
): Promise<{ app: FastifyInstance; baseUrl: string; model: string; chats: ChatMessage[][] }> {
  const { dir } = await writeTinyModel({
    seed: opts.seed ?? 1,
    config: { max_position_embeddings: opts.contextLength ?? 4096 },
  });
  const model = opts.modelName ?? 'tiny';
  const app = await buildEngineServer({ modelDir: dir, modelName: model });
  const chats: ChatMessage[][] = [];
  app.addHook('preHandler', async (req) => {
    const messages = (req.body as { messages?: ChatMessage[] } | undefined)?.messages;
    if (req.url.endsWith('/chat/completions') && messages) chats.push(messages);
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { app, baseUrl: `${base}/v1`, model, chats };
}

/** A judge that answers by a fixed rule, over the OpenAI chat protocol; the rule sees the judge prompt. */
export async function startScriptedJudge(rule: (prompt: string, call: number) => string, model = 'judge') {
  const app = Fastify();
  let call = 0;
  app.post('/v1/chat/completions', async (req) => {
    const { messages } = req.body as { messages: ChatMessage[] };
    const content = rule(messages.at(-1)?.content ?? '', call++);
    return {
      id: `j${call}`,
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    };
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { name: 'scripted-judge', baseUrl: `${base}/v1`, model };
}

/** The answer shown in slot A or B of an arena-hard judge prompt. */
export const answerIn = (prompt: string, slot: 'A' | 'B') =>
  new RegExp(
    `<\\|The Start of Assistant ${slot}'s Answer\\|>\\n([\\s\\S]*?)\\n<\\|The End of Assistant ${slot}'s Answer\\|>`,
  ).exec(prompt)?.[1];
