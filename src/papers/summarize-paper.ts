import OpenAI from 'openai';
import { type Logger, silentLogger } from '../common/logger.js';
import { PapersError } from './errors.js';
import type { Paper } from './paper.js';

export type SummaryLanguage = 'ko' | 'en';

/** Bumped whenever the prompt below changes; stored with every summary so old ones can be told apart. */
export const SUMMARY_PROMPT_VERSION = 'paper-summary/v1';

const LANGUAGE_NAME: Record<SummaryLanguage, string> = { ko: 'Korean (한국어)', en: 'English' };

/** The versioned prompt: problem, method, result, and why it matters for an LLM alignment team. */
export function buildSummaryPrompt(
  paper: Pick<Paper, 'title' | 'abstract' | 'authors'>,
  language: SummaryLanguage,
  strict = false,
): { role: 'system' | 'user'; content: string }[] {
  const lang = LANGUAGE_NAME[language];
  return [
    {
      role: 'system',
      content:
        `You summarize AI research papers for an LLM alignment team. Write in ${lang} only. ` +
        'Four short lines, each starting with its label: Problem, Method, Result, Why it matters ' +
        '(for a team doing SFT, reward models, DPO and RLHF). At most 80 words in total. Plain text, no markdown.' +
        (strict
          ? ` Your previous answer was not in ${lang}. Answer in ${lang} only; keep technical terms as they are.`
          : ''),
    },
    {
      role: 'user',
      content: `Title: ${paper.title}\nAuthors: ${paper.authors.slice(0, 8).join(', ')}\n\nAbstract:\n${paper.abstract}`,
    },
  ];
}

/**
 * Which of the supported languages `text` is written in: Korean when at least a fifth of its
 * letters are Hangul (technical terms stay in Latin script), English when it is mostly Latin
 * letters and has no Hangul, otherwise unknown.
 */
export function detectLanguage(text: string): SummaryLanguage | 'unknown' {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length < 10) return 'unknown';
  const hangul = letters.filter((c) => /\p{Script=Hangul}/u.test(c)).length;
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c)).length;
  if (hangul / letters.length >= 0.2) return 'ko';
  if (hangul === 0 && latin / letters.length >= 0.9) return 'en';
  return 'unknown';
}

export interface SummaryResult {
  text: string;
  language: SummaryLanguage;
  /** `wrong-language`: still not in the requested language after a stricter retry; shown marked. */
  status: 'ok' | 'wrong-language';
  detected: SummaryLanguage | 'unknown';
  promptVersion: string;
  attempts: number;
  usage: { promptTokens: number; completionTokens: number };
}

export interface SummarizerOptions {
  /** OpenAI-compatible API root including `/v1` (OpenAI, vLLM, the embedded engine). */
  baseURL: string;
  model: string;
  apiKey?: string;
  language: SummaryLanguage;
  timeoutMs?: number;
  /** Upper bound on the summary's length in tokens. */
  maxTokens?: number;
  /** The client's own retries of connection errors, 429 and 5xx (it honours `retry-after`). */
  maxRetries?: number;
  /** Sampling seed, so the same paper gets the same summary from the same model. */
  seed?: number;
  log?: Logger;
}

export interface Summarizer {
  summarize(paper: Paper, opts?: { signal?: AbortSignal }): Promise<SummaryResult>;
}

/**
 * Writes summaries through an OpenAI-compatible chat endpoint, checks the answer is in the
 * requested language, retries once with a stricter prompt when it is not, and marks it when the
 * retry fails too. Tokens are logged per paper. Errors are `AB_PAPERS_SUMMARY_FAILED`.
 */
export function createSummarizer(opts: SummarizerOptions): Summarizer {
  const log = (opts.log ?? silentLogger).child({ component: 'summarizer', model: opts.model });
  const client = new OpenAI({
    baseURL: opts.baseURL,
    // Local servers (vLLM, the embedded engine) accept any key; the client insists on one.
    apiKey: opts.apiKey ?? 'not-needed',
    timeout: opts.timeoutMs ?? 60_000,
    maxRetries: opts.maxRetries ?? 2,
  });

  async function complete(paper: Paper, strict: boolean, signal?: AbortSignal) {
    try {
      const res = await client.chat.completions.create(
        {
          model: opts.model,
          messages: buildSummaryPrompt(paper, opts.language, strict),
          temperature: 0.2,
          seed: opts.seed ?? 0,
          max_tokens: opts.maxTokens ?? 400,
        },
        signal ? { signal } : {},
      );
      const text = res.choices[0]?.message.content?.trim() ?? '';
      if (!text) throw new Error('the endpoint returned an empty message');
      return {
        text,
        promptTokens: res.usage?.prompt_tokens ?? 0,
        completionTokens: res.usage?.completion_tokens ?? 0,
      };
    } catch (err) {
      const status = err instanceof OpenAI.APIError && err.status ? ` (HTTP ${err.status})` : '';
      throw new PapersError(
        'AB_PAPERS_SUMMARY_FAILED',
        `summary of ${paper.arxivId} failed${status}: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
  }

  return {
    async summarize(paper, o = {}) {
      let attempts = 0;
      let promptTokens = 0;
      let completionTokens = 0;
      let last = { text: '', detected: 'unknown' as SummaryLanguage | 'unknown' };
      for (const strict of [false, true]) {
        attempts++;
        const r = await complete(paper, strict, o.signal);
        promptTokens += r.promptTokens;
        completionTokens += r.completionTokens;
        last = { text: r.text, detected: detectLanguage(r.text) };
        if (last.detected === opts.language) break;
        log.warn(
          { arxivId: paper.arxivId, wanted: opts.language, got: last.detected },
          'summary in the wrong language',
        );
      }
      const status = last.detected === opts.language ? 'ok' : 'wrong-language';
      log.info(
        { arxivId: paper.arxivId, attempts, promptTokens, completionTokens, status },
        'summary written',
      );
      return {
        text: last.text,
        language: opts.language,
        status,
        detected: last.detected,
        promptVersion: SUMMARY_PROMPT_VERSION,
        attempts,
        usage: { promptTokens, completionTokens },
      };
    },
  };
}

/** Embeddings from an OpenAI-compatible `/v1/embeddings` endpoint, for ranking by similarity. */
export function createEmbedder(opts: {
  baseURL: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}) {
  const client = new OpenAI({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey ?? 'not-needed',
    timeout: opts.timeoutMs ?? 60_000,
    maxRetries: 1,
  });
  return async function embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const res = await client.embeddings.create({ model: opts.model, input: texts }, signal ? { signal } : {});
    return [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
  };
}
