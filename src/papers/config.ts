import { z } from 'zod';
import { parseAt } from '../common/errors.js';
import { ARXIV_MIN_INTERVAL_MS } from './rate-gate.js';

/** The team's interest profile: what the ranking looks for. Feedback adds to `liked`/`disliked`. */
export const InterestProfileSchema = z.object({
  keywords: z.array(z.string().min(1)).default([]),
  authors: z.array(z.string().min(1)).default([]),
  categories: z.array(z.string().min(1)).default([]),
  /** arXiv ids of papers the team liked (examples and 👍/"more like this"). */
  liked: z.array(z.string()).default([]),
  disliked: z.array(z.string()).default([]),
});
export type InterestProfile = z.infer<typeof InterestProfileSchema>;

const EndpointSchema = z.object({
  baseURL: z.string().url(),
  model: z.string().min(1),
  /** Read from the environment by the shell; never stored or returned. */
  apiKey: z.string().optional(),
  timeoutMs: z.number().int().positive().default(60_000),
  maxTokens: z.number().int().positive().default(400),
  /** Retries of connection errors, 429 and 5xx by the OpenAI client. */
  maxRetries: z.number().int().min(0).max(10).default(2),
});

/** Everything a digest run needs; secrets arrive separately (env) and are never logged. */
export const PapersConfigSchema = z.object({
  categories: z
    .array(z.string().regex(/^[a-z-]+(\.[A-Za-z-]+)?$/, 'an arXiv category like cs.CL'))
    .min(1)
    .default(['cs.CL', 'cs.LG', 'cs.AI']),
  arxiv: z
    .object({
      /** RSS listing root: `https://rss.arxiv.org` serves `/rss/<category>`. */
      rssBase: z.string().url().default('https://rss.arxiv.org'),
      /** API root: `https://export.arxiv.org` serves `/api/query`. */
      apiBase: z.string().url().default('https://export.arxiv.org'),
      minIntervalMs: z.number().int().nonnegative().default(ARXIV_MIN_INTERVAL_MS),
      timeoutMs: z.number().int().positive().default(30_000),
      /** First backoff of a retried request (network error, 5xx, 429); doubles each retry. */
      retryBaseMs: z.number().int().nonnegative().default(2000),
      /** Fetch full details (dates, full author list) from the API for the selected papers. */
      details: z.boolean().default(true),
    })
    .prefault({}),
  hf: z
    .object({
      enabled: z.boolean().default(true),
      baseUrl: z.string().url().default('https://huggingface.co'),
      timeoutMs: z.number().int().positive().default(30_000),
      retryBaseMs: z.number().int().nonnegative().default(1000),
    })
    .prefault({}),
  /** BCP-47-ish language tag for summaries: `ko`, `en`. */
  language: z.enum(['ko', 'en']).default('en'),
  maxPapers: z.number().int().min(1).max(50).default(10),
  /** Replacements (new versions) of papers never posted are ignored unless this is set. */
  includeReplacements: z.boolean().default(false),
  /** A new version of a paper already posted is posted again, marked as updated, only when set. */
  notifyNewVersions: z.boolean().default(false),
  summarizer: EndpointSchema.optional(),
  embeddings: EndpointSchema.optional(),
  telegram: z
    .object({
      chatId: z.union([z.string(), z.number()]).transform(String),
      apiRoot: z.string().url().optional(),
      parseMode: z.enum(['HTML', 'MarkdownV2']).default('HTML'),
    })
    .optional(),
  schedule: z
    .object({
      /** Local time of the daily digest, HH:MM. */
      time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour'),
      timezone: z.string().default('UTC'),
    })
    .optional(),
  profile: InterestProfileSchema.prefault({}),
});
export type PapersConfig = z.infer<typeof PapersConfigSchema>;
export type PapersConfigInput = z.input<typeof PapersConfigSchema>;

/** Parses a papers config (from YAML, JSON or code) at the edge; errors name the field. */
export function parsePapersConfig(value: unknown, file?: string): PapersConfig {
  return parseAt(PapersConfigSchema, value, file ? { file } : {});
}
