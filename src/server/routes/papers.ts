import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  getDigest,
  getProfile,
  InterestProfileSchema,
  listDigests,
  loadPapersSettings,
  PapersError,
  recordFeedback,
  saveProfile,
  searchPapers,
} from '../../papers/index.js';
import type { RouteDeps } from '../route-deps.js';
import { ApiErrorSchema } from '../schemas.js';

const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema };
const tags = ['papers'];

const DigestSummarySchema = z.object({
  id: z.string(),
  status: z.enum(['building', 'built', 'posted', 'failed']),
  language: z.string(),
  problems: z.array(z.string()),
  createdAt: z.string(),
  postedAt: z.string().nullable(),
});
const DigestEntrySchema = z.object({
  rank: z.number(),
  arxivId: z.string(),
  version: z.number(),
  title: z.string(),
  authors: z.array(z.string()),
  url: z.string(),
  categories: z.array(z.string()),
  announceType: z.string(),
  hfUpvotes: z.number().nullable(),
  score: z.number(),
  reasons: z.array(z.string()),
  summary: z.string().nullable(),
  summaryLanguage: z.string().nullable(),
  summaryStatus: z.enum(['ok', 'wrong-language', 'failed']),
  summaryError: z.string().nullable(),
  postedAt: z.string().nullable(),
});
export const DigestSchema = DigestSummarySchema.extend({ entries: z.array(DigestEntrySchema) });
export const PaperSchema = z.object({
  arxivId: z.string(),
  version: z.number(),
  title: z.string(),
  abstract: z.string(),
  authors: z.array(z.string()),
  categories: z.array(z.string()),
  announceType: z.string(),
  hfUpvotes: z.number().optional(),
  url: z.string(),
});
const ProfileSchema = z.object({
  keywords: z.array(z.string().min(1).max(200)).max(500),
  authors: z.array(z.string().min(1).max(200)).max(500),
  categories: z.array(z.string().min(1).max(40)).max(100),
  liked: z.array(z.string().max(40)).max(5000),
  disliked: z.array(z.string().max(40)).max(5000),
});

/**
 * `/api/papers`: the digest archive (days, entries with scores, reasons and summaries), search,
 * feedback and the interest profile. Paper text is returned as data; the web app renders it as text.
 */
export const papersRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, log, config }) => {
  const plog = log.child({ domain: 'papers' });
  // Read once at start: a broken papers config fails start-up loudly instead of the first request.
  const settings = await loadPapersSettings({ dataDir: config.dataDir });
  const initial = settings.config.profile;

  app.get(
    '/digests',
    {
      schema: {
        summary: 'Digests, newest first',
        tags,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(365).default(30) }),
        response: { 200: z.object({ digests: z.array(DigestSummarySchema) }) },
      },
    },
    async (req) => ({ digests: await listDigests(store, req.query.limit) }),
  );

  app.get(
    '/digests/:id',
    {
      schema: {
        summary: "One day's digest with its ranked papers",
        tags,
        params: z.object({ id: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day, YYYY-MM-DD') }),
        response: { 200: DigestSchema, ...errors },
      },
    },
    async (req) => {
      const digest = await getDigest(store, req.params.id);
      if (!digest)
        throw new PapersError('AB_PAPERS_NOT_FOUND', `no digest for ${req.params.id}`, { field: 'id' });
      return digest;
    },
  );

  app.get(
    '/search',
    {
      schema: {
        summary: 'Search the archive by title, abstract or author',
        tags,
        querystring: z.object({
          q: z.string().min(1).max(200),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ papers: z.array(PaperSchema) }), ...errors },
      },
    },
    async (req) => ({ papers: await searchPapers(store, req.query.q, req.query.limit) }),
  );

  app.get(
    '/profile',
    { schema: { summary: 'The team interest profile', tags, response: { 200: ProfileSchema } } },
    async () => getProfile(store, initial),
  );

  app.put(
    '/profile',
    {
      schema: {
        summary: 'Replace the team interest profile',
        tags,
        body: ProfileSchema.partial(),
        response: { 200: ProfileSchema, ...errors },
      },
    },
    async (req) => {
      const saved = await saveProfile(
        store,
        InterestProfileSchema.parse({ ...(await getProfile(store, initial)), ...req.body }),
      );
      plog.info({ keywords: saved.keywords.length, authors: saved.authors.length }, 'profile updated');
      return saved;
    },
  );

  app.post(
    '/feedback',
    {
      schema: {
        summary: '👍, 👎 or "more like this" on a paper',
        tags,
        body: z.object({ arxivId: z.string().min(1).max(40), kind: z.enum(['like', 'dislike', 'more']) }),
        response: { 200: ProfileSchema, ...errors },
      },
    },
    async (req) => recordFeedback(store, { ...req.body, source: 'web' }, initial),
  );
};
