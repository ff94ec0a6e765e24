import type { Logger } from '../common/logger.js';
import type { PapersConfig } from './config.js';
import { fetchText } from './fetch-text.js';
import type { Paper } from './paper.js';
import { type ArxivListing, parseArxivAtom, parseArxivRss } from './parse-arxiv-feeds.js';
import { parseHfDaily } from './parse-hf-daily.js';
import type { RateGate } from './rate-gate.js';

export interface SourceContext {
  config: PapersConfig;
  /** Shared by every arXiv request (feeds and API): one at a time, spaced by `minIntervalMs`. */
  gate: RateGate;
  log: Logger;
  signal?: AbortSignal;
}

/** The day's listing of one category from arXiv RSS (`/rss/<category>`). */
export async function fetchArxivListing(category: string, ctx: SourceContext): Promise<ArxivListing> {
  const url = `${ctx.config.arxiv.rssBase.replace(/\/+$/, '')}/rss/${encodeURIComponent(category)}`;
  const xml = await fetchText(url, {
    what: `arXiv ${category} feed`,
    timeoutMs: ctx.config.arxiv.timeoutMs,
    retry: { baseMs: ctx.config.arxiv.retryBaseMs },
    gate: ctx.gate,
    log: ctx.log,
    ...(ctx.signal && { signal: ctx.signal }),
  });
  return parseArxivRss(xml, url, category);
}

/** Details for `ids` from the arXiv API, 50 ids a request (each through the rate gate). */
export async function fetchArxivDetails(ids: readonly string[], ctx: SourceContext): Promise<Paper[]> {
  const out: Paper[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const batch = ids.slice(i, i + 50);
    const url = `${ctx.config.arxiv.apiBase.replace(/\/+$/, '')}/api/query?id_list=${batch.map(encodeURIComponent).join(',')}&max_results=${batch.length}`;
    const xml = await fetchText(url, {
      what: 'arXiv API',
      timeoutMs: ctx.config.arxiv.timeoutMs,
      retry: { baseMs: ctx.config.arxiv.retryBaseMs },
      gate: ctx.gate,
      log: ctx.log,
      ...(ctx.signal && { signal: ctx.signal }),
    });
    out.push(...parseArxivAtom(xml, url));
  }
  return out;
}

/** Hugging Face Daily Papers for `date` (YYYY-MM-DD): the popularity signal. */
export async function fetchHfDaily(date: string, ctx: Omit<SourceContext, 'gate'>): Promise<Paper[]> {
  const url = `${ctx.config.hf.baseUrl.replace(/\/+$/, '')}/api/daily_papers?date=${encodeURIComponent(date)}`;
  const body = await fetchText(url, {
    what: 'Hugging Face Daily Papers',
    timeoutMs: ctx.config.hf.timeoutMs,
    retry: { baseMs: ctx.config.hf.retryBaseMs },
    log: ctx.log,
    ...(ctx.signal && { signal: ctx.signal }),
  });
  return parseHfDaily(body, url);
}

const PRECEDENCE = ['new', 'cross', 'replace', 'replace-cross', 'hf'] as const;

/**
 * Merges papers from every source into one per arXiv id: the highest version, the strongest
 * announce type (a paper that is `new` in one category and a cross-list in another is `new`),
 * the union of categories and sources, and Hugging Face's upvotes.
 */
export function mergePapers(lists: readonly (readonly Paper[])[]): Paper[] {
  const byId = new Map<string, Paper>();
  for (const list of lists) {
    for (const p of list) {
      const seen = byId.get(p.arxivId);
      if (!seen) {
        byId.set(p.arxivId, {
          ...p,
          authors: [...p.authors],
          categories: [...p.categories],
          sources: [...p.sources],
        });
        continue;
      }
      const fromArxiv = p.sources.some((s) => s.startsWith('arxiv'));
      const seenArxiv = seen.sources.some((s) => s.startsWith('arxiv'));
      const merged: Paper = {
        ...seen,
        version: Math.max(seen.version, p.version),
        title: seenArxiv || !fromArxiv ? seen.title || p.title : p.title || seen.title,
        abstract: seen.abstract.length >= p.abstract.length ? seen.abstract : p.abstract,
        authors: p.authors.length > seen.authors.length ? [...p.authors] : seen.authors,
        categories: [...new Set([...seen.categories, ...p.categories])],
        announceType:
          PRECEDENCE.indexOf(p.announceType) < PRECEDENCE.indexOf(seen.announceType)
            ? p.announceType
            : seen.announceType,
        sources: [...new Set([...seen.sources, ...p.sources])],
      };
      const primary = seen.primaryCategory ?? p.primaryCategory;
      if (primary) merged.primaryCategory = primary;
      const upvotes = Math.max(seen.hfUpvotes ?? -1, p.hfUpvotes ?? -1);
      if (upvotes >= 0) merged.hfUpvotes = upvotes;
      const published = p.publishedAt ?? seen.publishedAt;
      if (published) merged.publishedAt = published;
      byId.set(p.arxivId, merged);
    }
  }
  return [...byId.values()];
}
