import { z } from 'zod';
import { parseAt, parseJsonAt } from '../common/errors.js';
import { parseArxivId } from './arxiv-id.js';
import { PapersError } from './errors.js';
import { type Paper, squash } from './paper.js';

/** The fields Alignboard reads from `GET /api/daily_papers` (Hugging Face Daily Papers). */
const HfDailySchema = z.array(
  z.object({
    paper: z.object({
      id: z.string(),
      title: z.string(),
      summary: z.string().default(''),
      authors: z.array(z.object({ name: z.string() })).default([]),
      upvotes: z.number().int().nonnegative().default(0),
      publishedAt: z.string().optional(),
    }),
  }),
);

/** Parses a Daily Papers response into papers with `hfUpvotes`, the popularity signal. */
export function parseHfDaily(body: string, source: string): Paper[] {
  let data: unknown;
  try {
    data = parseJsonAt(body, { file: source });
  } catch (err) {
    throw new PapersError(
      'AB_PAPERS_FEED_INVALID',
      'Daily Papers response is not JSON',
      { file: source },
      { cause: err },
    );
  }
  let rows: z.infer<typeof HfDailySchema>;
  try {
    rows = parseAt(HfDailySchema, data, { file: source });
  } catch (err) {
    throw new PapersError(
      'AB_PAPERS_FEED_INVALID',
      `Daily Papers response has an unexpected shape: ${(err as Error).message}`,
      { file: source },
      { cause: err },
    );
  }
  const papers: Paper[] = [];
  for (const { paper } of rows) {
    const id = parseArxivId(paper.id);
    if (!id) continue; // Daily Papers may list a paper that is not on arXiv; it cannot be deduplicated or linked.
    papers.push({
      arxivId: id.id,
      version: id.version,
      title: squash(paper.title),
      abstract: squash(paper.summary),
      authors: paper.authors.map((a) => a.name),
      categories: [],
      announceType: 'hf',
      sources: ['hf'],
      hfUpvotes: paper.upvotes,
      ...(paper.publishedAt && { publishedAt: paper.publishedAt }),
      url: `https://arxiv.org/abs/${id.id}`,
    });
  }
  return papers;
}
