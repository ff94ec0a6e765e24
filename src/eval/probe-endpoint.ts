import type { EndpointClient, PromptLogprobs } from './endpoint-client.js';
import type { Capabilities } from './schemas.js';

const PROBE_TEXT = 'The quick brown fox jumps over the lazy dog.';

/** Why echo logprobs cannot be trusted, or null when they pass: deterministic, finite, ≤ 0, covering the text. */
export function checkPromptLogprobs(a: PromptLogprobs, b: PromptLogprobs, text: string): string | null {
  if (a.tokens.length < 2) return 'echo returned fewer than 2 prompt tokens';
  if (a.tokens.join('') !== text && !text.startsWith(a.tokens.join('').trimStart().slice(0, 10))) {
    return 'echoed tokens do not spell the prompt';
  }
  if (!a.offsets) return 'echo returned no text_offset, so a continuation cannot be located';
  const values = a.logprobs.slice(1);
  if (values.some((v) => v === null || !Number.isFinite(v)))
    return 'prompt tokens after the first have missing or non-finite logprobs';
  if (values.some((v) => (v as number) > 1e-6))
    return 'some prompt logprobs are positive, which log-probabilities cannot be';
  if (values.every((v) => v === 0)) return 'every prompt logprob is 0 (the server fills a placeholder)';
  if (
    b.logprobs.length !== a.logprobs.length ||
    b.logprobs.some((v, i) => Math.abs((v ?? 0) - (a.logprobs[i] ?? 0)) > 1e-3)
  ) {
    return 'scoring the same text twice gave different logprobs';
  }
  return null;
}

function identify(
  ownedBy: string[],
  headers: Headers | undefined,
  version: unknown,
  info: unknown,
): Capabilities['server'] {
  const owners = ownedBy.join(' ').toLowerCase();
  const server = headers?.get('server')?.toLowerCase() ?? '';
  if (owners.includes('alignboard') || headers?.get('x-alignboard-engine')) return 'alignboard';
  if (owners.includes('vllm')) return 'vllm';
  if (owners.includes('llamacpp') || server.includes('llama.cpp')) return 'llama.cpp';
  if (owners.includes('library') || owners.includes('ollama')) return 'ollama';
  if (info && typeof info === 'object' && 'model_id' in info) return 'tgi';
  if (owners.includes('openai') || owners.includes('system')) return 'openai';
  if (version && typeof version === 'object' && 'version' in version) return 'vllm';
  return 'unknown';
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: this server does not have that page.
    return undefined;
  }
}

/**
 * Finds out what an endpoint can do: chat and completions, generated-token logprobs, prompt
 * logprobs through `echo` (scored twice and checked for sanity, since some servers return wrong
 * values), max context and, where visible, which server it is.
 */
export async function probeEndpoint(
  client: EndpointClient,
  opts: { signal?: AbortSignal } = {},
): Promise<Capabilities> {
  const { signal } = opts;
  const models = await client.listModels(signal); // unreachable → NetworkError, the probe fails loudly
  const ok = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      return true;
    } catch {
      // A capability that errors is a capability the endpoint lacks; that is the answer.
      return false;
    }
  };
  const d = { temperature: 0, maxTokens: 1 };
  const chat = await ok(() => client.chat([{ role: 'user', content: 'Hi' }], d, signal));
  const completions = await ok(() => client.complete('Hi', d, signal));
  let promptLogprobs = false;
  let reason: string | null = 'the endpoint has no completions API';
  if (completions) {
    try {
      const a = await client.promptLogprobs(PROBE_TEXT, signal);
      const b = await client.promptLogprobs(PROBE_TEXT, signal);
      reason = checkPromptLogprobs(a, b, PROBE_TEXT);
      promptLogprobs = reason === null;
    } catch (err) {
      reason = `echo with logprobs failed: ${(err as Error).message}`;
    }
  }
  let generatedLogprobs = false;
  if (completions) {
    try {
      const g = await client.complete('Hi', { temperature: 0, maxTokens: 2, logprobs: true }, signal);
      generatedLogprobs = (g.tokenLogprobs?.length ?? 0) > 0;
    } catch {
      // No generated-token logprobs: the capability is absent.
    }
  }
  const root = await client.peek('/', signal);
  const version = parseJson((await client.peek('/version', signal))?.body);
  const info = parseJson((await client.peek('/info', signal))?.body);
  const raw = models.raw as { id: string; max_model_len?: number }[];
  const entry = raw.find((m) => m.id === client.target.model);
  return {
    chat,
    completions,
    generatedLogprobs,
    promptLogprobs,
    promptLogprobsReason: reason,
    maxContext: typeof entry?.max_model_len === 'number' ? entry.max_model_len : null,
    server: identify(models.ownedBy, root?.headers, version, info),
    models: models.ids,
    probedAt: new Date().toISOString(),
  };
}
