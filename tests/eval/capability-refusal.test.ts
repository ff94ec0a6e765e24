import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify from 'fastify';
import { expect, onTestFinished, test } from 'vitest';
import { listRuns } from '../../src/eval/compare-runs.js';
import { evaluate } from '../../src/eval/run-eval.js';
import { TaskSpecSchema } from '../../src/eval/schemas.js';
import { createStore } from '../../src/store/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

type EchoMode = 'no-logprobs' | 'generated-only' | 'zeros' | 'unstable';

/**
 * A protocol-level stand-in for servers whose `echo` cannot be trusted: llama.cpp's completions
 * API ignores `echo` and returns no logprobs; others return only the generated tokens, fill in
 * zeros, or give different numbers for the same text.
 */
async function startFakeServer(mode: EchoMode) {
  const app = Fastify();
  const prompts: string[] = [];
  let calls = 0;
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [{ id: 'fake', object: 'model', created: 0, owned_by: 'llamacpp' }],
  }));
  app.post('/v1/chat/completions', async () => ({
    id: 'c',
    object: 'chat.completion',
    created: 0,
    model: 'fake',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  }));
  app.post('/v1/completions', async (req) => {
    const body = req.body as { prompt: string; echo?: boolean; logprobs?: number };
    prompts.push(body.prompt);
    const words = body.prompt.match(/\S+\s*/g) ?? [];
    const offsets = words.map((_, i) => words.slice(0, i).join('').length);
    let logprobs: unknown = null;
    if (body.logprobs && mode === 'generated-only')
      logprobs = { tokens: [' the', ' end'], token_logprobs: [-1.5, -0.7], text_offset: [0, 4] };
    if (body.logprobs && mode === 'zeros')
      logprobs = { tokens: words, token_logprobs: words.map(() => 0), text_offset: offsets };
    if (body.logprobs && mode === 'unstable') {
      calls++;
      logprobs = { tokens: words, token_logprobs: words.map((_, i) => -(i + calls)), text_offset: offsets };
    }
    return {
      id: 'x',
      object: 'text_completion',
      created: 0,
      model: 'fake',
      choices: [{ index: 0, text: ' the end', finish_reason: 'length', logprobs }],
    };
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { baseUrl: `${base}/v1`, prompts };
}

const cases: { mode: EchoMode; outputType: 'multiple_choice' | 'loglikelihood'; reason: RegExp }[] = [
  { mode: 'no-logprobs', outputType: 'multiple_choice', reason: /returned no prompt logprobs for echo/ },
  { mode: 'no-logprobs', outputType: 'loglikelihood', reason: /returned no prompt logprobs for echo/ },
  { mode: 'generated-only', outputType: 'multiple_choice', reason: /echoed tokens do not spell the prompt/ },
  { mode: 'zeros', outputType: 'multiple_choice', reason: /every prompt logprob is 0/ },
  { mode: 'unstable', outputType: 'loglikelihood', reason: /same text twice gave different logprobs/ },
];

test.each(cases)(
  '$outputType task against an endpoint with echo $mode is refused with the probe reason',
  {
    timeout: 20_000,
  },
  async ({ mode, outputType, reason }) => {
    const server = await startFakeServer(mode);
    const dir = await makeTempDir();
    const rows = [
      { question: 'What color is the sky?', choices: ['blue', 'green'], label: 0 },
      { question: 'How many legs has a cat?', choices: ['two', 'four'], label: 1 },
    ];
    await writeFile(path.join(dir, 'test.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const task = TaskSpecSchema.parse({
      format: 'alignboard-task/1',
      name: 'tiny-mc',
      outputType,
      dataset: { path: dir, testSplit: 'test' },
      docToText: 'Question: {{question}}\nAnswer:',
      docToTarget: outputType === 'multiple_choice' ? 'label' : '{{choices[label]}}',
      ...(outputType === 'multiple_choice' && { docToChoice: 'choices' }),
      metrics: [{ metric: 'acc' }],
    });
    const store = createStore({ databaseUrl: `sqlite:${path.join(dir, 'a.db')}` });
    await store.migrate();
    onTestFinished(() => store.close());
    const run = evaluate(
      { task, endpoint: { name: 'fake-llamacpp', baseUrl: server.baseUrl, model: 'fake' } },
      { store },
    );
    await expect(run).rejects.toMatchObject({
      code: 'AB_EVAL_CAPABILITY_MISSING',
      where: { field: 'promptLogprobs' },
      message: expect.stringMatching(reason),
    });
    await expect(run).rejects.toThrow(
      /prompt log-likelihood.*endpoint "fake-llamacpp" does not provide it \(probe: /,
    );
    // Never silently run: no question reached the server and no run was recorded.
    expect(server.prompts.filter((p) => p.includes('Question:'))).toEqual([]);
    expect(await listRuns(store)).toEqual([]);
  },
);
