/**
 * What the digest looks like to readers: plain types with no imports, so the web app can
 * `import type` them without pulling server code into its build.
 */

export interface DigestEntryView {
  rank: number;
  arxivId: string;
  version: number;
  title: string;
  authors: string[];
  url: string;
  categories: string[];
  announceType: string;
  hfUpvotes: number | null;
  score: number;
  reasons: string[];
  summary: string | null;
  summaryLanguage: string | null;
  summaryStatus: 'ok' | 'wrong-language' | 'failed';
  summaryError: string | null;
  postedAt: string | null;
}

export interface DigestView {
  id: string;
  /** building: a run holds it; built: stored, not posted (no channel); posted; failed: delivery failed. */
  status: 'building' | 'built' | 'posted' | 'failed';
  language: string;
  problems: string[];
  createdAt: string;
  postedAt: string | null;
  entries: DigestEntryView[];
}

/** The team's interest profile as the API returns it. */
export interface ProfileView {
  keywords: string[];
  authors: string[];
  categories: string[];
  liked: string[];
  disliked: string[];
}

/** A paper of the archive as search returns it. */
export interface PaperView {
  arxivId: string;
  version: number;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  announceType: string;
  hfUpvotes?: number;
  url: string;
}
