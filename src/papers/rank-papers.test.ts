import { describe, expect, test } from 'vitest';
import { InterestProfileSchema } from './config.js';
import { mergePapers } from './fetch-sources.js';
import type { Paper } from './paper.js';
import { rankPapers } from './rank-papers.js';

const base = (id: string, title: string, extra: Partial<Paper> = {}): Paper => ({
  arxivId: id,
  version: 1,
  title,
  abstract: title,
  authors: ['X Y'],
  categories: ['cs.LG'],
  announceType: 'new',
  sources: ['arxiv-rss'],
  url: `https://arxiv.org/abs/${id}`,
  ...extra,
});

describe('rankPapers', () => {
  test('keywords, authors, categories and popularity each add a score and a reason', async () => {
    const profile = InterestProfileSchema.parse({
      keywords: ['reward model'],
      authors: ['Alice Kim'],
      categories: ['cs.CL'],
    });
    const ranked = await rankPapers(
      [
        base('1', 'Protein folding'),
        base('2', 'Better Reward Models for RLHF'),
        base('3', 'Scaling laws', { authors: ['alice kim'], categories: ['cs.CL'] }),
        base('4', 'Popular thing', { hfUpvotes: 63 }),
      ],
      profile,
    );
    expect(ranked.map((r) => r.paper.arxivId)).toEqual(['3', '2', '4', '1']);
    expect(ranked[0]?.reasons).toEqual(['author alice kim', 'category cs.CL']);
    expect(ranked[1]?.reasons).toEqual(['keyword "reward model" in title']);
    expect(ranked[2]?.reasons).toEqual(['63 upvotes on Hugging Face']);
    expect(ranked[3]?.reasons[0]).toMatch(/no profile match/);
  });

  test('similarity to liked papers uses embeddings when given, lexical otherwise', async () => {
    const liked = [
      base('9', 'Direct preference optimization of language models', {
        abstract: 'preference pairs dpo loss',
      }),
    ];
    const papers = [
      base('1', 'Graph neural nets for molecules'),
      base('2', 'Preference optimization with pairs', { abstract: 'dpo loss variants' }),
    ];
    const profile = InterestProfileSchema.parse({});
    const lexical = await rankPapers(papers, profile, { liked });
    expect(lexical[0]?.paper.arxivId).toBe('2');
    expect(lexical[0]?.reasons[0]).toMatch(
      /similar to liked "Direct preference optimization of language models" \(lexical/,
    );
    const embed = async (texts: string[]) =>
      texts.map((t) => (t.startsWith('Graph') || t.startsWith('Direct') ? [1, 0] : [0, 1]));
    const embedded = await rankPapers(papers, profile, { liked, embed });
    expect(embedded[0]?.paper.arxivId).toBe('1');
    expect(embedded[0]?.reasons[0]).toMatch(/\(embedding 1.00\)/);
  });
});

describe('mergePapers', () => {
  test('one paper per arXiv id: highest version, strongest announce type, union of sources', () => {
    const merged = mergePapers([
      [base('1', 'T', { announceType: 'cross', categories: ['cs.CL'] })],
      [base('1', 'T', { announceType: 'new', categories: ['cs.LG'], version: 2 })],
      [base('1', 'T hf', { announceType: 'hf', sources: ['hf'], hfUpvotes: 5, categories: [] })],
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      version: 2,
      announceType: 'new',
      hfUpvotes: 5,
      title: 'T',
      categories: ['cs.CL', 'cs.LG'],
      sources: ['arxiv-rss', 'hf'],
    });
  });
});
