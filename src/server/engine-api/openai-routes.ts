// The OpenAI-compatible API of the embedded engine, shaped like vLLM's server:
// GET /v1/models, POST /v1/completions, POST /v1/chat/completions, POST /tokenize, POST /detokenize.
// Handlers parse, call the engine, and shape the answer; one request computes at a time (the
// engine is CPU-bound), the others wait in a queue.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from '../../common/logger.js';
import {
  type ChatMessage,
  EngineError,
  type EngineTokenizer,
  type GenerateEvent,
  type GenerateOptions,
  GenerationJob,
  type LoadedModel,
  scoreTokens,
  type TokenLogprob,
} from '../../engine/index.js';
import { createScheduler, type Scheduler } from './scheduler.js';
import {
  ChatCompletionRequestSchema,
  CompletionRequestSchema,
  DetokenizeRequestSchema,
  TokenizeRequestSchema,
} from './schemas.js';

/** A model the API serves: its loaded folder and the batching loop its requests share. */
export interface ServedModel {
  /** The id clients pass as `model`. */
  name: string;
  loaded: LoadedModel;
  scheduler: Scheduler;
}

/** The models an engine API serves; a request picks one with its `model` field. */
export interface ModelProvider {
  list(): Promise<{ id: string; root: string; maxModelLen: number | null }[]>;
  /** The model a request names; `undefined` when the request has no `model` field. */
  get(model: string | undefined): Promise<ServedModel>;
}

export interface EngineApiOptions {
  models: ModelProvider;
  log: Logger;
}

/** One loaded folder, served whatever `model` a request names (as `alignboard engine serve` does). */
export function singleModelProvider(loaded: LoadedModel, name: string): ModelProvider {
  const served: ServedModel = { name, loaded, scheduler: createScheduler(loaded.model) };
  return {
    list: async () => [{ id: name, root: loaded.dir, maxModelLen: loaded.model.config.maxPositions }],
    get: async () => served,
  };
}

function needTokenizer(loaded: LoadedModel): EngineTokenizer {
  if (!loaded.tokenizer) {
    throw new EngineError(
      'AB_ENGINE_TOKENIZER',
      'the model folder has no tokenizer.json; only token-id prompts work',
      {
        file: `${loaded.dir}/tokenizer.json`,
      },
    );
  }
  return loaded.tokenizer;
}

function contentText(m: { content: string | { text: string }[] | null }): string {
  if (m.content === null) return '';
  return typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('');
}

export const engineApiRoutes: FastifyPluginAsync<EngineApiOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const created = Math.floor(Date.now() / 1000);

  const samplingOf = (
    loaded: LoadedModel,
    body: {
      temperature?: number | null;
      top_p?: number | null;
      top_k?: number | null;
      seed?: number | null;
      n?: number | null;
      stop?: string | string[] | null;
    },
  ): Omit<GenerateOptions, 'maxTokens'> => ({
    temperature: body.temperature ?? loaded.generation.temperature ?? 1,
    topP: body.top_p ?? loaded.generation.topP ?? 1,
    topK: body.top_k && body.top_k > 0 ? body.top_k : (loaded.generation.topK ?? 0),
    n: body.n ?? 1,
    stop: body.stop == null ? [] : Array.isArray(body.stop) ? body.stop : [body.stop],
    stopTokenIds: loaded.generation.eosTokenIds,
    ...(body.seed != null ? { seed: body.seed } : {}),
  });

  app.get('/v1/models', async () => ({
    object: 'list',
    data: (await opts.models.list()).map((m) => ({
      id: m.id,
      object: 'model',
      created,
      owned_by: 'alignboard',
      root: m.root,
      max_model_len: m.maxModelLen,
    })),
  }));

  app.post('/tokenize', { schema: { body: TokenizeRequestSchema } }, async (req) => {
    const body = req.body;
    const { loaded } = await opts.models.get(body.model);
    const tok = needTokenizer(loaded);
    const tokens =
      'prompt' in body
        ? tok.encode(body.prompt, { addSpecialTokens: body.add_special_tokens ?? true })
        : tok.encode(
            tok.applyChatTemplate(
              body.messages.map((m) => ({ role: m.role, content: contentText(m) })),
              { addGenerationPrompt: body.add_generation_prompt ?? true },
            ),
            { addSpecialTokens: body.add_special_tokens ?? false },
          );
    return { count: tokens.length, max_model_len: loaded.model.config.maxPositions, tokens };
  });

  app.post('/detokenize', { schema: { body: DetokenizeRequestSchema } }, async (req) => {
    const { loaded } = await opts.models.get(req.body.model);
    return { prompt: needTokenizer(loaded).decode(req.body.tokens) };
  });

  app.post('/v1/completions', { schema: { body: CompletionRequestSchema } }, async (req, reply) => {
    const body = req.body;
    const served = await opts.models.get(body.model);
    const { loaded, name: modelName } = served;
    const { model } = loaded;
    const maxModelLen = model.config.maxPositions;
    const tok = needTokenizer(loaded);
    const p = body.prompt;
    const prompts: number[][] =
      typeof p === 'string'
        ? [tok.encode(p)]
        : p.every((x) => typeof x === 'string')
          ? p.map((s) => tok.encode(s))
          : p.every((x) => typeof x === 'number')
            ? [p]
            : (p as number[][]);
    const maxTokens = body.max_tokens ?? 16;
    const sampling = samplingOf(loaded, body);
    const logprobsK = body.logprobs ?? undefined;
    const id = `cmpl-${randomUUID()}`;
    const n = sampling.n ?? 1;
    const base = {
      id,
      object: 'text_completion' as const,
      created: Math.floor(Date.now() / 1000),
      model: modelName,
    };
    const tokenText = (tid: number) => tok.decode([tid]);
    const lpBlock = (
      ids: number[],
      lps: (number | null)[],
      tops: ({ tokenId: number; logprob: number }[] | null)[],
      offset0: number,
    ) => {
      const tokens = ids.map(tokenText);
      const text_offset: number[] = [];
      let off = offset0;
      for (const t of tokens) {
        text_offset.push(off);
        off += t.length;
      }
      return {
        tokens,
        token_logprobs: lps,
        top_logprobs: tops.map((t) =>
          t ? Object.fromEntries(t.map((e) => [tokenText(e.tokenId), e.logprob])) : null,
        ),
        text_offset,
      };
    };
    for (const [pi, ids] of prompts.entries()) {
      if (ids.length + (maxTokens > 0 ? 1 : 0) > maxModelLen) {
        throw new EngineError(
          'AB_ENGINE_INPUT',
          `the prompt has ${ids.length} tokens; the context holds ${maxModelLen}`,
          {
            field: `prompt${prompts.length > 1 ? `[${pi}]` : ''}`,
          },
        );
      }
    }
    const abort = new AbortController();
    // The response's close before it finished means the client went away: stop generating.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort(new Error('client closed the connection'));
    });
    if (body.stream) {
      startSse(reply);
      await (async () => {
        for (const [pi, ids] of prompts.entries()) {
          if (body.echo) {
            writeSse(reply, {
              ...base,
              choices: Array.from({ length: n }, (_, j) => ({
                index: pi * n + j,
                text: tok.decode(ids),
                logprobs: null,
                finish_reason: null,
              })),
            });
          }
          if (maxTokens === 0) continue;
          for await (const ev of runGeneration(served, ids, {
            ...sampling,
            maxTokens,
            signal: abort.signal,
            ...(logprobsK !== undefined ? { logprobs: logprobsK } : {}),
          })) {
            const index = pi * n + ev.index;
            const delta = ev.textDelta ?? '';
            const lp =
              ev.type === 'token' && ev.logprob
                ? lpBlock([ev.tokenId], [ev.logprob.logprob], [ev.logprob.top], 0)
                : null;
            if (ev.type === 'token' && (delta || lp))
              writeSse(reply, {
                ...base,
                choices: [{ index, text: delta, logprobs: lp, finish_reason: null }],
              });
            if (ev.type === 'done')
              writeSse(reply, {
                ...base,
                choices: [{ index, text: delta, logprobs: null, finish_reason: ev.finishReason }],
              });
          }
        }
      })().catch((err: unknown) => writeSse(reply, errorBody(err)));
      endSse(reply);
      return reply;
    }
    return (async () => {
      const choices: unknown[] = [];
      let completionTokens = 0;
      for (const [pi, ids] of prompts.entries()) {
        const score = body.echo && logprobsK !== undefined ? scoreTokens(model, ids, logprobsK) : null;
        const samples: {
          text: string;
          tokens: number[];
          stopTokenId?: number;
          logprobs?: TokenLogprob[];
          finishReason: string;
        }[] = [];
        if (maxTokens === 0)
          for (let j = 0; j < n; j++) samples.push({ text: '', tokens: [], finishReason: 'length' });
        else {
          for await (const ev of runGeneration(served, ids, {
            ...sampling,
            maxTokens,
            signal: abort.signal,
            ...(logprobsK !== undefined ? { logprobs: logprobsK } : {}),
          })) {
            if (ev.type === 'done')
              samples[ev.index] = {
                text: ev.text,
                tokens: ev.tokens,
                ...(ev.stopTokenId !== undefined ? { stopTokenId: ev.stopTokenId } : {}),
                finishReason: ev.finishReason,
                ...(ev.logprobs ? { logprobs: ev.logprobs } : {}),
              };
          }
        }
        const promptText = body.echo ? tok.decode(ids) : '';
        for (const [j, s] of samples.entries()) {
          completionTokens += s.tokens.length;
          let logprobs = null;
          if (logprobsK !== undefined) {
            const genIds = s.tokens;
            const genLps = (s.logprobs ?? []).map((l) => l.logprob);
            const genTops = (s.logprobs ?? []).map((l) => l.top);
            if (score) {
              logprobs = lpBlock(
                [...ids, ...genIds],
                [...score.logprobs, ...genLps],
                [...score.top.map((t, i) => (i === 0 ? null : t)), ...genTops],
                0,
              );
            } else logprobs = lpBlock(genIds, genLps, genTops, 0);
          }
          choices.push({
            index: pi * n + j,
            text: promptText + s.text,
            logprobs,
            finish_reason: s.finishReason,
            ...(body.return_token_ids
              ? { token_ids: s.stopTokenId !== undefined ? [...s.tokens, s.stopTokenId] : s.tokens }
              : {}),
          });
        }
      }
      const promptTokens = prompts.reduce((a, p2) => a + p2.length, 0);
      return {
        ...base,
        choices,
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      };
    })();
  });

  app.post('/v1/chat/completions', { schema: { body: ChatCompletionRequestSchema } }, async (req, reply) => {
    const body = req.body;
    const served = await opts.models.get(body.model);
    const { loaded, name: modelName } = served;
    const maxModelLen = loaded.model.config.maxPositions;
    const tok = needTokenizer(loaded);
    const messages: ChatMessage[] = body.messages.map((m) => ({ role: m.role, content: contentText(m) }));
    const text = tok.applyChatTemplate(messages, { addGenerationPrompt: body.add_generation_prompt ?? true });
    const ids = tok.encode(text, { addSpecialTokens: false });
    if (ids.length >= maxModelLen) {
      throw new EngineError(
        'AB_ENGINE_INPUT',
        `the prompt has ${ids.length} tokens after the chat template; the context holds ${maxModelLen}`,
        {
          field: 'messages',
        },
      );
    }
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? maxModelLen - ids.length;
    const sampling = samplingOf(loaded, body);
    const n = sampling.n ?? 1;
    const wantLogprobs = body.logprobs === true;
    const genOpts: GenerateOptions = {
      ...sampling,
      maxTokens,
      ...(wantLogprobs ? { logprobs: body.top_logprobs ?? 0 } : {}),
    };
    const id = `chatcmpl-${randomUUID()}`;
    const base = { id, created: Math.floor(Date.now() / 1000), model: modelName };
    const bytesOf = (s: string) => Array.from(Buffer.from(s, 'utf8'));
    const lpEntry = (l: TokenLogprob) => {
      const t = tok.decode([l.tokenId]);
      return {
        token: t,
        logprob: l.logprob,
        bytes: bytesOf(t),
        top_logprobs: l.top.map((e) => {
          const et = tok.decode([e.tokenId]);
          return { token: et, logprob: e.logprob, bytes: bytesOf(et) };
        }),
      };
    };
    const abort = new AbortController();
    // The response's close before it finished means the client went away: stop generating.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort(new Error('client closed the connection'));
    });
    genOpts.signal = abort.signal;
    if (body.stream) {
      startSse(reply);
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
        ...base,
        object: 'chat.completion.chunk',
        choices,
        ...extra,
      });
      await (async () => {
        for (let j = 0; j < n; j++)
          writeSse(
            reply,
            chunk([
              { index: j, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
            ]),
          );
        let completionTokens = 0;
        for await (const ev of runGeneration(served, ids, genOpts)) {
          const lp =
            ev.type === 'token' && ev.logprob ? { content: [lpEntry(ev.logprob)], refusal: null } : null;
          if (ev.type === 'token' && (ev.textDelta || lp))
            writeSse(
              reply,
              chunk([
                { index: ev.index, delta: { content: ev.textDelta }, logprobs: lp, finish_reason: null },
              ]),
            );
          if (ev.type === 'done') {
            completionTokens += ev.tokens.length;
            writeSse(
              reply,
              chunk([
                {
                  index: ev.index,
                  delta: ev.textDelta ? { content: ev.textDelta } : {},
                  logprobs: null,
                  finish_reason: ev.finishReason,
                },
              ]),
            );
          }
        }
        if (body.stream_options?.include_usage) {
          writeSse(
            reply,
            chunk([], {
              usage: {
                prompt_tokens: ids.length,
                completion_tokens: completionTokens,
                total_tokens: ids.length + completionTokens,
              },
            }),
          );
        }
      })().catch((err: unknown) => writeSse(reply, errorBody(err)));
      endSse(reply);
      return reply;
    }
    return (async () => {
      const choices: unknown[] = [];
      let completionTokens = 0;
      for await (const ev of runGeneration(served, ids, genOpts)) {
        if (ev.type !== 'done') continue;
        completionTokens += ev.tokens.length;
        choices[ev.index] = {
          index: ev.index,
          message: { role: 'assistant', content: ev.text, refusal: null, annotations: [] },
          logprobs: wantLogprobs ? { content: (ev.logprobs ?? []).map(lpEntry), refusal: null } : null,
          finish_reason: ev.finishReason,
        };
      }
      return {
        ...base,
        object: 'chat.completion',
        choices,
        usage: {
          prompt_tokens: ids.length,
          completion_tokens: completionTokens,
          total_tokens: ids.length + completionTokens,
        },
      };
    })();
  });

  /** Generation as an async stream, batched with the other requests in flight on that model. */
  function runGeneration(
    served: ServedModel,
    ids: number[],
    gen: GenerateOptions,
  ): AsyncGenerator<GenerateEvent> {
    const { loaded, scheduler } = served;
    const job = new GenerationJob(loaded.model, needTokenizer(loaded), ids, gen); // validates before queueing
    return scheduler.run(job, gen.signal);
  }
};

function startSse(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}
function writeSse(reply: FastifyReply, data: unknown): void {
  if (!reply.raw.writableEnded) reply.raw.write(`data: ${JSON.stringify(data)}\n\n`);
}
function endSse(reply: FastifyReply): void {
  if (!reply.raw.writableEnded) reply.raw.end('data: [DONE]\n\n');
}

/** OpenAI's error shape: {error: {message, type, param, code}}. */
export function errorBody(err: unknown): {
  error: { message: string; type: string; param: string | null; code: string | null };
} {
  if (
    err instanceof EngineError ||
    (err instanceof Error && 'code' in err && typeof err.code === 'string' && 'where' in err)
  ) {
    const e = err as EngineError;
    return {
      error: {
        message: e.message,
        type: 'invalid_request_error',
        param: e.where.field ?? null,
        code: e.code,
      },
    };
  }
  return { error: { message: 'internal error', type: 'internal_error', param: null, code: null } };
}
