/** How a paper came to the day's listing: arXiv's announce types, or Hugging Face Daily Papers only. */
export type AnnounceType = 'new' | 'cross' | 'replace' | 'replace-cross' | 'hf';

/** A paper as the digest sees it, merged from every source that mentioned it. */
export interface Paper {
  /** arXiv id without version: `2401.12345`. */
  arxivId: string;
  version: number;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  primaryCategory?: string;
  announceType: AnnounceType;
  /** arxiv-rss, arxiv-api, hf */
  sources: string[];
  hfUpvotes?: number;
  publishedAt?: string;
  url: string;
}

/** Collapses the whitespace of titles and abstracts (feeds wrap lines). */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
