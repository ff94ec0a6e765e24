import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseArxivId } from './arxiv-id.js';
import { PapersError } from './errors.js';
import { type AnnounceType, type Paper, squash } from './paper.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Titles like "2024" must stay strings.
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['item', 'category', 'entry', 'author', 'link'].includes(name),
});

function parseXml(xml: string, source: string): Record<string, unknown> {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new PapersError('AB_PAPERS_FEED_INVALID', `malformed XML: ${valid.err.msg}`, {
      file: source,
      line: valid.err.line,
    });
  }
  const doc: unknown = parser.parse(xml);
  if (typeof doc !== 'object' || doc === null) {
    throw new PapersError('AB_PAPERS_FEED_INVALID', 'empty XML document', { file: source });
  }
  return doc as Record<string, unknown>;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && '#text' in value)
    return text((value as { '#text': unknown })['#text']);
  return '';
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

const ANNOUNCE: readonly AnnounceType[] = ['new', 'cross', 'replace', 'replace-cross'];

export interface ArxivListing {
  category: string;
  /** The feed's publication date (RFC 822), when present. */
  pubDate?: string;
  papers: Paper[];
}

/**
 * Parses an arXiv RSS listing (https://info.arxiv.org/help/rss.html): one `<item>` per paper with
 * `<arxiv:announce_type>` (new, cross, replace, replace-cross), the abstract after "Abstract:" in
 * `<description>`, authors in `<dc:creator>`. An empty day is a channel with no items.
 */
export function parseArxivRss(xml: string, source: string, category: string): ArxivListing {
  const doc = parseXml(xml, source);
  const channel = (doc.rss as { channel?: Record<string, unknown> } | undefined)?.channel;
  if (!channel || typeof channel !== 'object') {
    throw new PapersError('AB_PAPERS_FEED_INVALID', 'not an RSS document (no <rss><channel>)', {
      file: source,
    });
  }
  const papers: Paper[] = [];
  for (const [index, raw] of list(channel.item).entries()) {
    const item = raw as Record<string, unknown>;
    const id = parseArxivId(text(item.guid)) ?? parseArxivId(text(item.link));
    if (!id) {
      throw new PapersError('AB_PAPERS_FEED_INVALID', 'item has no arXiv id in <guid> or <link>', {
        file: source,
        field: `item[${index}]`,
      });
    }
    const description = text(item.description);
    const announce =
      text(item['arxiv:announce_type']) || /Announce Type:\s*([\w-]+)/.exec(description)?.[1] || 'new';
    const abstract = /Abstract:\s*([\s\S]*)$/.exec(description)?.[1] ?? description;
    const categories = list(item.category).map(text).filter(Boolean);
    papers.push({
      arxivId: id.id,
      version: id.version,
      title: squash(text(item.title)),
      abstract: squash(abstract),
      authors: text(item['dc:creator'])
        .split(/,\s*|\s+and\s+/)
        .map((a) => a.trim())
        .filter(Boolean),
      categories,
      ...(categories[0] && { primaryCategory: categories[0] }),
      announceType: ANNOUNCE.includes(announce as AnnounceType) ? (announce as AnnounceType) : 'new',
      sources: ['arxiv-rss'],
      url: `https://arxiv.org/abs/${id.id}`,
    });
  }
  const pubDate = text(channel.pubDate);
  return { category, ...(pubDate && { pubDate }), papers };
}

/**
 * Parses an arXiv API Atom response (https://info.arxiv.org/help/api/user-manual.html): one
 * `<entry>` per paper with authors, abstract, categories and dates. The API reports a bad query
 * as an entry whose id points at `/api/errors`; that becomes `AB_PAPERS_SOURCE_REJECTED`.
 */
export function parseArxivAtom(xml: string, source: string): Paper[] {
  const doc = parseXml(xml, source);
  const feed = doc.feed as Record<string, unknown> | undefined;
  if (!feed || typeof feed !== 'object') {
    throw new PapersError('AB_PAPERS_FEED_INVALID', 'not an Atom document (no <feed>)', { file: source });
  }
  const papers: Paper[] = [];
  for (const [index, raw] of list(feed.entry).entries()) {
    const entry = raw as Record<string, unknown>;
    const idText = text(entry.id);
    if (idText.includes('/api/errors')) {
      throw new PapersError('AB_PAPERS_SOURCE_REJECTED', `arXiv API error: ${squash(text(entry.summary))}`, {
        file: source,
      });
    }
    const id = parseArxivId(idText);
    if (!id) {
      throw new PapersError('AB_PAPERS_FEED_INVALID', 'entry has no arXiv id in <id>', {
        file: source,
        field: `entry[${index}]`,
      });
    }
    const categories = list(entry.category)
      .map((c) => text((c as Record<string, unknown>)['@term']))
      .filter(Boolean);
    const primary = text((entry['arxiv:primary_category'] as Record<string, unknown> | undefined)?.['@term']);
    papers.push({
      arxivId: id.id,
      version: id.version,
      title: squash(text(entry.title)),
      abstract: squash(text(entry.summary)),
      authors: list(entry.author)
        .map((a) => squash(text((a as Record<string, unknown>).name)))
        .filter(Boolean),
      categories,
      ...((primary || categories[0]) && { primaryCategory: primary || categories[0] }),
      announceType: 'new',
      sources: ['arxiv-api'],
      ...(text(entry.published) && { publishedAt: text(entry.published) }),
      url: `https://arxiv.org/abs/${id.id}`,
    });
  }
  return papers;
}
