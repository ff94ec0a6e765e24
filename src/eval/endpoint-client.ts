import { z } from 'zod';
import { excerpt, parseAt } from '../common/errors.js';
import { parseRetryAfterMs } from '../common/remote.js';
import type { ChatMessage } from './build-samples.js';
import { EndpointError, NetworkError } from './errors.js';
import { type HttpReply, KeepAliveHttp, NoReplyError } from './keep-alive-http.js';

/** What the client needs of an endpoint: where, which model, and the key (already resolved). */
export interface EndpointTarget {
  name: string;
  baseUrl: string;
  model: string;
  apiKey?: string;
}

export interface Decoding {
  temperature: number;
  topP?: number;
  maxTokens: number;
  stop?: string[];
  seed?: number;
  /** Ask for the generated tokens' logprobs (completions API). */
  logprobs?: boolean;
}

/** The request fields both completion routes share (OpenAI allows at most four stop sequences). */
function decodingFields(d: Decoding) {
  return {
    temperature: d.temperature,
    max_tokens: d.maxTokens,
    ...(d.topP !== undefined && { top_p: d.topP }),
    ...(d.stop?.length && { stop: d.stop.slice(0, 4) }),
    ...(d.seed !== undefined && { seed: d.seed }),
  };
}

const LogprobsSchema = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number().nullable()),
  text_offset: z.array(z.number()).optional(),
});

const CompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        text: z.string(),
        finish_reason: z.string().nullable().optional(),
        logprobs: LogprobsSchema.nullable().optional(),
      }),
    )
    .min(1),
});

const ChatCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable(),
          reasoning_content: z.string().nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
        logprobs: z
          .object({ content: z.array(z.object({ token: z.string(), logprob: z.number() })).nullable() })
          .nullable()
          .optional(),
      }),
    )
    .min(1),
});

export interface Generated {
  text: string;
  finishReason: string | null;
  tokenLogprobs?: (number | null)[];
}

export interface PromptLogprobs {
  tokens: string[];
  logprobs: (number | null)[];
  offsets: number[] | null;
}

/**
 * A client for one OpenAI-compatible endpoint, over kept-alive sockets (`KeepAliveHttp`): the
 * runner sends thousands of small requests, and the openai package's request building cost more
 * CPU per sample than everything else in the run. It does not retry (the runner does, with
 * adaptive concurrency); every reply is validated, and every failure becomes an `EndpointError`
 * (the remote answered) or a `NetworkError` (it did not). The API key lives only in the request
 * headers: never in messages or logs.
 */
export class EndpointClient {
  private readonly http: KeepAliveHttp;

  constructor(
    readonly target: EndpointTarget,
    opts: { timeoutMs?: number } = {},
  ) {
    this.http = new KeepAliveHttp(
      target.baseUrl,
      opts.timeoutMs ?? 60_000,
      target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {},
    );
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.http.close();
  }

  private async call<T>(
    operation: string,
    request: { method: 'GET' | 'POST'; path: string; body?: unknown },
    schema: z.ZodType<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const { name, apiKey } = this.target;
    let reply: HttpReply;
    try {
      reply = await this.http.request(request.method, request.path, request.body, signal);
    } catch (err) {
      throw noReplyError(err, name, operation, apiKey);
    }
    const text = scrubSecret(reply.text, apiKey);
    const header = (key: string) => {
      const v = reply.headers[key];
      return Array.isArray(v) ? v[0] : v;
    };
    let raw: unknown;
    let parseError: unknown;
    try {
      raw = JSON.parse(reply.text);
    } catch (err) {
      parseError = err;
    }
    if (reply.status < 200 || reply.status >= 300) {
      // OpenAI-style servers explain themselves in `error`; anything else is shown as sent.
      const explained = (raw as { error?: unknown } | undefined)?.error;
      const body = excerpt(
        explained === undefined ? text : scrubSecret(JSON.stringify(explained), apiKey),
        200,
      );
      throw new EndpointError(
        'AB_EVAL_ENDPOINT_STATUS',
        `endpoint "${name}" ${operation} answered ${reply.status}: ${body}`,
        {
          httpStatus: reply.status,
          bodyExcerpt: body,
          requestId: header('x-request-id'),
          retryAfterMs: parseRetryAfterMs(header('retry-after')),
        },
      );
    }
    if (parseError) {
      throw new EndpointError(
        'AB_EVAL_ENDPOINT_BAD_RESPONSE',
        `endpoint "${name}" ${operation}: reply is not valid JSON (${excerpt(scrubSecret((parseError as Error).message, apiKey))})`,
        { bodyExcerpt: excerpt(text, 200) },
        {},
        { cause: parseError },
      );
    }
    try {
      return parseAt(schema, raw, { field: operation });
    } catch (err) {
      throw new EndpointError(
        'AB_EVAL_ENDPOINT_BAD_RESPONSE',
        `endpoint "${name}" ${operation}: reply does not match the OpenAI schema (${(err as Error).message})`,
        { bodyExcerpt: excerpt(text, 200) },
        {},
        { cause: err },
      );
    }
  }

  async complete(prompt: string, d: Decoding, signal?: AbortSignal): Promise<Generated> {
    const body = {
      model: this.target.model,
      prompt,
      ...decodingFields(d),
      ...(d.logprobs && { logprobs: 1 }),
    };
    const r = await this.call(
      'POST /completions',
      { method: 'POST', path: 'completions', body },
      CompletionSchema,
      signal,
    );
    const c = r.choices[0] as z.infer<typeof CompletionSchema>['choices'][number];
    return {
      text: cutAtStop(c.text, d.stop),
      finishReason: c.finish_reason ?? null,
      ...(c.logprobs && { tokenLogprobs: c.logprobs.token_logprobs }),
    };
  }

  async chat(messages: ChatMessage[], d: Decoding, signal?: AbortSignal): Promise<Generated> {
    const body = { model: this.target.model, messages, ...decodingFields(d) };
    const r = await this.call(
      'POST /chat/completions',
      { method: 'POST', path: 'chat/completions', body },
      ChatCompletionSchema,
      signal,
    );
    const c = r.choices[0] as z.infer<typeof ChatCompletionSchema>['choices'][number];
    return { text: cutAtStop(c.message.content ?? '', d.stop), finishReason: c.finish_reason ?? null };
  }

  /** Log-probabilities of the prompt's own tokens, through `echo` with `max_tokens: 0`. */
  async promptLogprobs(prompt: string, signal?: AbortSignal): Promise<PromptLogprobs> {
    const r = await this.call(
      'POST /completions (echo)',
      {
        method: 'POST',
        path: 'completions',
        body: { model: this.target.model, prompt, echo: true, logprobs: 1, max_tokens: 0, temperature: 0 },
      },
      CompletionSchema,
      signal,
    );
    const lp = r.choices[0]?.logprobs;
    if (!lp) {
      throw new EndpointError(
        'AB_EVAL_ENDPOINT_BAD_RESPONSE',
        `endpoint "${this.target.name}" returned no prompt logprobs for echo`,
        {},
      );
    }
    return { tokens: lp.tokens, logprobs: lp.token_logprobs, offsets: lp.text_offset ?? null };
  }

  /**
   * Log-likelihood of `continuation` after `context`: the sum of the logprobs of the tokens that
   * start at or after the context's end (by `text_offset`).
   */
  async loglikelihood(
    context: string,
    continuation: string,
    signal?: AbortSignal,
  ): Promise<{ logprob: number; tokens: number }> {
    const full = context + continuation;
    const lp = await this.promptLogprobs(full, signal);
    if (!lp.offsets) {
      throw new EndpointError(
        'AB_EVAL_ENDPOINT_BAD_RESPONSE',
        `endpoint "${this.target.name}" returned echo logprobs without text_offset`,
        {},
      );
    }
    let sum = 0;
    let tokens = 0;
    for (let i = 0; i < lp.tokens.length; i++) {
      if ((lp.offsets[i] ?? 0) < context.length) continue;
      const v = lp.logprobs[i];
      if (v === null || v === undefined || !Number.isFinite(v)) {
        throw new EndpointError(
          'AB_EVAL_ENDPOINT_BAD_RESPONSE',
          `endpoint "${this.target.name}" gave no logprob for continuation token ${i}`,
          {},
        );
      }
      sum += v;
      tokens++;
    }
    return { logprob: sum, tokens };
  }

  async listModels(signal?: AbortSignal): Promise<{ ids: string[]; ownedBy: string[]; raw: unknown }> {
    const r = await this.call(
      'GET /models',
      { method: 'GET', path: 'models' },
      z.object({
        data: z.array(
          z.looseObject({
            id: z.string(),
            owned_by: z.string().optional(),
            max_model_len: z.number().optional(),
          }),
        ),
      }),
      signal,
    );
    return { ids: r.data.map((m) => m.id), ownedBy: r.data.map((m) => m.owned_by ?? ''), raw: r.data };
  }

  /** A plain GET relative to the base URL's origin (server identity probes); null on any failure. */
  async peek(
    pathname: string,
    signal?: AbortSignal,
  ): Promise<{ status: number; headers: Headers; body: string } | null> {
    try {
      const url = new URL(pathname, this.target.baseUrl);
      const res = await fetch(url, {
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(5000)]) : AbortSignal.timeout(5000),
        headers: this.target.apiKey ? { authorization: `Bearer ${this.target.apiKey}` } : {},
      });
      return { status: res.status, headers: res.headers, body: (await res.text()).slice(0, 4000) };
    } catch {
      // A probe that cannot see the page learns nothing; that is an answer, not an error.
      return null;
    }
  }
}

/** Servers stop at the first stop string; some include it or run past it. Cut client-side too. */
function cutAtStop(text: string, stop?: string[]): string {
  let end = text.length;
  for (const s of stop ?? []) {
    const i = text.indexOf(s);
    if (s && i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}

/**
 * Removes the API key from text a remote sent back: some servers and gateways echo the key they
 * rejected ("Incorrect API key provided: sk-…") in the error body.
 */
export function scrubSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** The cause to keep: the original error, or a copy with the key removed when its message holds it. */
function safeCause(err: unknown, secret: string | undefined): unknown {
  if (!secret || !(err instanceof Error) || !`${err.message}${err.stack ?? ''}`.includes(secret)) return err;
  const copy = new Error(scrubSecret(err.message, secret));
  copy.name = err.name;
  copy.stack = scrubSecret(err.stack ?? '', secret);
  return copy;
}

/** Maps a request that got no reply onto a `NetworkError`, without the key; a caller's abort passes through. */
function noReplyError(err: unknown, endpoint: string, operation: string, secret?: string): Error {
  if (!(err instanceof NoReplyError)) return err instanceof Error ? err : new Error(String(err));
  if (err.isTimeout) {
    return new NetworkError(
      'AB_EVAL_ENDPOINT_TIMEOUT',
      `endpoint "${endpoint}" ${operation}: no answer before the request timeout (${err.message})`,
      {},
      { cause: safeCause(err, secret) },
    );
  }
  return new NetworkError(
    'AB_EVAL_ENDPOINT_UNREACHABLE',
    `endpoint "${endpoint}" ${operation}: no answer (${excerpt(scrubSecret(err.message, secret))})`,
    {},
    { cause: safeCause(err, secret) },
  );
}
