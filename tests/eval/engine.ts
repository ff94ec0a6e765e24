import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import { buildEngineServer } from '../../src/server/engine-api/index.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

/**
 * The embedded engine's OpenAI-compatible server with a tiny random model, on 127.0.0.1 port 0.
 * Context is raised to 4096 so 5-shot gsm8k prompts fit.
 */
export async function startEngine(
  opts: { seed?: number; modelName?: string } = {},
): Promise<{ app: FastifyInstance; baseUrl: string; model: string }> {
  const { dir } = await writeTinyModel({ seed: opts.seed ?? 1, config: { max_position_embeddings: 4096 } });
  const model = opts.modelName ?? 'tiny';
  const app = await buildEngineServer({ modelDir: dir, modelName: model });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { app, baseUrl: `${base}/v1`, model };
}
